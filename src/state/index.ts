export {
  createCheckpointTracker, compareWatermarks,
  type Checkpoint, type CheckpointTracker, type CheckpointTrackerOptions,
} from './checkpoint-tracker.js';
export {
  openStateStore, STATE_SCHEMA_VERSION,
  type StateStore, type StateStoreOptions, type StateStoreInfo, type StoredCheckpoint, type CheckpointInput,
  type RunStatus, type RunSummary, type RunRecord, type OpenRun, type FinishedRun,
} from './state-store.js';
export {
  createDeadLetterWriter, readDeadLetters, rewriteDeadLetters, toDeadLetter,
  type DeadLetter, type DeadLetterError, type DeadLetterWriter, type DeadLetterWriterOptions,
} from './dead-letters.js';
export { redactSecrets, scrubSecrets, isSecretKey } from './redact.js';
