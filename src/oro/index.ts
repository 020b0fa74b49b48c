export type {
  ListQuery, FilterOp, ListPage, CreateResult, AsyncOperation, AsyncOperationSummary, AsyncOperationError,
  AsyncOperationHandle, SyncBatchResult, TypeCapabilities, RequestEvent, OroClient,
} from './types.js';
export { createOroClient, type OroClientOptions } from './client.js';
export { createHttp, type Http, type HttpAnswer, type HttpFetch, type HttpOptions, type HttpRequestInit, type HttpSend } from './http.js';
export { createAsyncOperationHandle, SETTLE_DEFAULTS, type PollTimers } from './async-operation.js';
export { parseRetryAfter, MAX_RETRY_AFTER_MS } from './retry-after.js';
export { buildQuery, withQuery } from './query.js';
export { JSON_API, errorsOf } from './transport.js';
export {
  JsonValue, ResourceIdentifierCodec, RelationshipCodec, ResourceCodec, SingleResourceDocument, ListDocument,
  AsyncOperationStatus, AsyncOperationSummaryCodec, AsyncOperationDocument, AsyncOperationErrorResource,
  AsyncOperationErrorsDocument, ErrorObject, ErrorDocument, decodeOrThrow, reportErrors,
} from './codecs.js';
