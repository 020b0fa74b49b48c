export type { Json, ResourceIdentifier, Relationship, ResourceObject, Resource, SingleDocument, BatchDocument } from './jsonapi.js';
export type { Position, SourceRecord } from './record.js';
export { rawOf } from './record.js';
export type {
  ErrorDetail, Created, Updated, Sent, Unchanged, Skipped, Rejected, Failed, Deleted, Outcome, OutcomeStatus, Step, MappedRecord, RelatedRef,
} from './outcome.js';
export { isOutcome, rejected, failed } from './outcome.js';
