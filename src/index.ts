/**
 * oro-sync: sync records from source systems into OroCommerce through its JSON:API, as RxJS
 * operators you can compose, or as the `oro-sync` command.
 *
 * The road: source -> decode/map -> batch -> toOro -> outcomes. `createOro` is the front door: one
 * call for the HTTP stack, the shared token, the client and the limiter. Every stage is an
 * operator that can be used alone; the sink yields exactly one outcome per record that enters.
 *
 * @example
 * ```ts
 * import { createOro, ndjsonFile, pullThrough, decodeWith, recordWithKey, mapRecords, batchRecords, toOro } from 'oro-sync';
 *
 * const oro = createOro({ baseUrl, clientId, clientSecret, concurrency: 8 });
 * pullThrough(ndjsonFile('customers.ndjson'), (records$) => records$.pipe(
 *   decodeWith(recordWithKey('id')),
 *   mapRecords({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name', externalId: 'id' } }),
 *   batchRecords({ size: 100, ms: 500 }),
 *   toOro({ client: oro.client, limiter: oro.limiter, retry: 6,
 *     target: { type: 'customers', mode: 'batch', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' } }),
 * ), { maxInFlight: 500 }).subscribe({
 *   next: (outcome) => console.log(outcome.status, outcome.record.position.where),
 *   complete: () => oro.close(),
 * });
 * ```
 *
 * @packageDocumentation
 */

// The front door: one call connects to Oro. Its parts, for sharing or for writing your own stages.
export { createOro } from './oro/create-oro.js';
export type { OroClient } from './oro/types.js';
export type { TokenStream } from './auth/types.js';
export { createLimiter, type Limiter, type LimiterOptions, type LimitEvent } from './oro/limiter.js';

// Sources.
export { pullThrough } from './sources/pull-through.js';
export { httpSource, type HttpSourceOptions } from './sources/http.js';
export { paginate } from './sources/pages.js';
export { ndjsonFile } from './sources/ndjson.js';
export { jsonFile } from './sources/json.js';
export { csvFile } from './sources/csv.js';
export { stdinSource } from './sources/stdin.js';
export { amqpSource } from './sources/amqp.js';
export { oroSource, type OroSourceOptions, type OroDocument } from './sources/oro.js';

// Operators, in the order of the road.
export { decodeWith } from './operators/decode.js';
export { NonEmptyString, recordWithKey } from './operators/codecs.js';
export { mapRecords, type Mapping, type TransformContext } from './operators/map.js';
export type { ExistingRecord } from './types/existing.js';
export { batchRecords } from './operators/batch.js';
export { throttleRequests } from './operators/throttle.js';
export { retryTransient } from './operators/retry.js';
export type { RetryPolicy } from './util/retry-policy.js';

// The sink, and publishing to a queue for scale-out workers.
export { toOro } from './sink/to-oro.js';
export { toQueue } from './queue/to-queue.js';
export { createMemoryDigestStore, type DigestStore } from './sink/digest-store.js';

// Out of Oro: sinks that are not Oro (a file, an HTTP endpoint, a queue).
export { toSink, type ToSinkOptions } from './sink/to-sink.js';
export { ndjsonSink, type NdjsonSinkOptions } from './sink/ndjson-sink.js';
export { httpSink, type HttpSinkOptions } from './sink/http-sink.js';
export { queueSink, type QueueSinkOptions } from './queue/queue-sink.js';
export type { Deliver, Delivery, DeliveryResult } from './types/delivery.js';

// Outcomes and errors.
export type { SourceRecord } from './types/record.js';
export { isOutcome, type Step, type Outcome, type OutcomeStatus, type ErrorDetail } from './types/outcome.js';
export { OroSyncError } from './errors/oro-sync-error.js';
export { HttpError } from './errors/http-error.js';
export { SinkAnswerError } from './errors/sink-answer-error.js';
export { NetworkError } from './errors/network-error.js';
export { TimeoutError } from './errors/timeout-error.js';
export { TokenError } from './errors/token-error.js';
export { DecodeError } from './errors/decode-error.js';
export { ConfigError } from './errors/config-error.js';
export { InsecureUrlError } from './errors/insecure-url-error.js';
export { StateStoreError } from './errors/state-store-error.js';
export { OroSourceError } from './errors/oro-source-error.js';
export { ForeignStateError } from './errors/foreign-state-error.js';
export { PreflightError } from './errors/preflight-error.js';
export { AllRejectedError } from './errors/all-rejected-error.js';
export { isTransient } from './errors/classify.js';

// State: checkpoints and dead letters.
export { createCheckpointTracker, type CheckpointTracker } from './state/checkpoint-tracker.js';
export type { StateStore } from './state/state-store.js';
export { openStateStore } from './state/sqlite-state-store.js';
export { openPgStateStore, type PgStateStoreOptions } from './state/pg-state-store.js';
export { createDeadLetterWriter, readDeadLetters, type DeadLetter } from './state/dead-letters.js';

// Running a config in code, as the CLI does.
export { loadConfig, loadAnyConfig, type Config, type AnyConfig, type SinkRunConfig } from './config/config.js';
export { runConfig, type RunResult } from './run/run-config.js';
export { runQueueWorker, type QueueWorkerOptions } from './run/queue-worker.js';
export { publishConfig, type PublishOptions, type PublishResult } from './run/publish.js';
export { createRuntime, type Runtime } from './run/runtime.js';
export { createMetrics, type Metrics } from './run/metrics.js';
