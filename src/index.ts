/**
 * oro-sync: sync records from source systems into OroCommerce through its JSON:API, as RxJS
 * operators you can compose, or as the `oro-sync` command.
 *
 * The road: source -> decode -> map -> batch -> throttle -> retry -> sink -> outcome.
 *
 * @example
 * ```ts
 * import { createHttp, createTokenStream, createOroClient, ndjsonFile, pullThrough, decodeWith,
 *   recordWithKey, mapRecords, batchRecords, createLimiter, throttleRequests, retryTransient, toOro } from 'oro-sync';
 *
 * const http = createHttp({ concurrency: 8, timeoutMs: 30_000 });
 * const tokens = createTokenStream({ tokenUrl, clientId, clientSecret, fetch: http.fetch });
 * const client = createOroClient({ baseUrl, tokens, http });
 * const limiter = createLimiter({ concurrency: 8 });
 * pullThrough(ndjsonFile('customers.ndjson'), (steps) => steps.pipe(
 *   decodeWith(recordWithKey('id')),
 *   mapRecords({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name', externalId: 'id' } }),
 *   batchRecords({ size: 100, ms: 500 }),
 *   toOro({ client, target: { type: 'customers', mode: 'batch', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' },
 *     throttle: () => throttleRequests(limiter), retry: () => retryTransient({ retries: 6 }) }),
 * ), { maxInFlight: 500 }).subscribe((outcome) => console.log(outcome.status));
 * ```
 *
 * @packageDocumentation
 */

// Types: records, outcomes, JSON:API documents.
export type {
  Json, ResourceIdentifier, Relationship, ResourceObject, Resource, SingleDocument, BatchDocument,
  Position, SourceRecord, ErrorDetail, Created, Updated, Skipped, Rejected, Failed, Outcome, OutcomeStatus, Step,
  MappedRecord, RelatedRef,
} from './types/index.js';
export { isOutcome, rejected, failed, rawOf } from './types/index.js';

// Errors.
export {
  OroSyncError, HttpError, NetworkError, TimeoutError, TokenError, DecodeError, ConfigError, InsecureUrlError,
  classOf, classifyStatus, isTransient, isFatal, retryAfterOf, detailsOf, type ErrorClass,
} from './errors/index.js';

// The shared token stream.
export type { AccessToken, TokenStream } from './auth/types.js';
export { createTokenStream, type TokenStreamOptions } from './auth/token-stream.js';
export { isLoopbackUrl } from './util/url.js';

// The Oro client.
export type {
  OroClient, ListQuery, ListPage, CreateResult, AsyncOperation, AsyncOperationHandle, AsyncOperationError,
  SyncBatchResult, TypeCapabilities,
} from './oro/types.js';
export { createOroClient, type OroClientOptions } from './oro/client.js';
export { createOro, type CreateOroOptions, type Oro } from './oro/create-oro.js';
export { createHttp, type Http, type HttpOptions, type RequestEvent } from './util/http.js';
export { parseRetryAfter } from './util/retry-after.js';

// Sources.
export { pullThrough, type PullThroughOptions, type InFlightGauge } from './sources/pull-through.js';
export { paginate, type PaginateOptions, type PaginatedSource } from './sources/pages.js';
export { httpSource, type HttpSourceOptions, type HttpPagination } from './sources/http.js';
export { ndjsonFile, ndjsonStream } from './sources/ndjson.js';
export { jsonFile } from './sources/json.js';
export { csvFile } from './sources/csv.js';
export { stdinSource } from './sources/stdin.js';
export { amqpSource } from './sources/amqp.js';

// Publishing records to a queue, for scale-out workers.
export { toQueue } from './queue/to-queue.js';

// Operators, in the order of the road.
export { decodeWith } from './operators/decode.js';
export { NonEmptyString, KeyValue, recordWithKey } from './operators/codecs.js';
export { mapRecords, type Mapping, type RelationshipMapping, type TransformResult } from './operators/map.js';
export { batchRecords, type BatchOptions } from './operators/batch.js';
export { createLimiter, type Limiter, type LimiterOptions } from './oro/limiter.js';
export { throttleRequests, type ThrottleOptions } from './operators/throttle.js';
export { retryTransient } from './operators/retry.js';
export { backoffDelay, type RetryPolicy, type RetryInfo } from './util/retry-policy.js';
export { toOro } from './sink/to-oro.js';
export type { SinkOptions, SinkTarget, WriteMode, Strategy, ConflictPolicy } from './sink/options.js';
export { createMemoryIdCache, type IdCache } from './sink/id-cache.js';

// State: checkpoints and dead letters.
export { createCheckpointTracker, type Checkpoint, type CheckpointTracker } from './state/checkpoint-tracker.js';
export { openStateStore, type StateStore } from './state/state-store.js';
export { createDeadLetterWriter, readDeadLetters, type DeadLetter, type DeadLetterWriter } from './state/dead-letters.js';

// Running a config in code, as the CLI does.
export { loadConfig, type Config } from './config/config.js';
export { runConfig, type RunOptions, type RunResult } from './run/run-config.js';
export { createRuntime, type Runtime } from './run/runtime.js';
