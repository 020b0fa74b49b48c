import type { SchedulerLike } from 'rxjs';
import type { Limiter } from '../oro/limiter.js';
import type { OroClient } from '../oro/types.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import type { DigestStore } from './digest-store.js';
import type { IdCache } from './id-cache.js';
import type { KeyClaims } from '../types/key-claims.js';

/** How the sink writes: one request per record, the async Batch API, or sync batches. */
export type WriteMode = 'single' | 'batch' | 'batch-sync';
/**
 * How the sink finds the record that already exists in Oro (`docs/architecture.md`, "Writing into
 * Oro"): `update-only` finds by key and updates, and never creates (a key Oro lacks is rejected).
 */
export type Strategy = 'upsert' | 'lookup' | 'create-only' | 'update-only';
/** What wins when the record exists. */
export type ConflictPolicy = 'source-wins' | 'skip-if-target-newer';

/** Reads that writes wait for (lookups, read-backs, polls) and the writes themselves. */
export type RequestLane = 'read' | 'write';

/** What the sink writes to. */
export interface SinkTarget {
  readonly type: string;
  readonly mode: WriteMode;
  readonly strategy: Strategy;
  /** `oro`: the Oro attribute (and filter) holding the source key, e.g. `externalId`, or `id`. */
  readonly key: { readonly oro: string };
  readonly conflict: ConflictPolicy;
}

export interface SinkOptions {
  readonly client: OroClient;
  readonly target: SinkTarget;
  /** Batches written at the same time (default 4). Requests are bounded by `limiter`. */
  readonly concurrency?: number;
  /**
   * Every request attempt (retries too) waits for a slot of this limiter, which bounds requests in
   * flight and their rate across every pipeline sharing it. Reads that a whole batch of writes
   * waits for (lookups, read-backs) are served first. Absent: no bound.
   */
  readonly limiter?: Limiter;
  /**
   * How transient failures (network, timeouts, 429, 5xx) are retried: a number of retries, or a
   * whole policy (with `onRetry` for logs and metrics). Default: the default policy (6 retries,
   * exponential backoff from 200 ms, `Retry-After` honoured); `0` turns retrying off.
   */
  readonly retry?: number | RetryPolicy;
  /**
   * The sink's clock: retry waits, related-record waits, the poll budget. Default
   * `asyncScheduler`; a policy's own `retry.scheduler` wins for the retry waits.
   */
  readonly scheduler?: SchedulerLike;
  /** Known source key -> Oro id (default: an in-memory LRU). */
  readonly ids?: IdCache;
  /**
   * Known source key -> Oro id of related types (`relationships` with `match`), per type and
   * matched field (default: in-memory LRUs; the daemon gives the state store's map).
   */
  readonly relatedIds?: (type: string, field: string) => IdCache;
  /** How long a record may wait for its related record to be written in this run (default 30 s). */
  readonly relatedWaitMs?: number;
  /** Read, decide and report, but write nothing. */
  readonly dryRun?: boolean;
  /** Called when a batch has all its outcomes: how long it took and how many records it held. */
  readonly onBatch?: (durationMs: number, records: number) => void;
  /**
   * Change detection: per key, the digest of what Oro last confirmed. A record with the same
   * content again is `unchanged` and costs no request; one rejected before with the same content
   * is `rejected` again without being sent. Absent: every record is written.
   */
  readonly digests?: DigestStore;
  /**
   * Per-key locks shared with other workers writing the same target (the PostgreSQL state
   * store's advisory locks): a key is decided and written by one worker at a time, after the
   * in-process lock (so two batches of one process never both wait on the shared one). Absent:
   * only this sink's own batches are kept apart.
   */
  readonly claims?: KeyClaims;
  /** Async Batch API polling. */
  readonly poll?: { readonly intervalMs?: number; readonly maxIntervalMs?: number; readonly timeoutMs?: number };
}
