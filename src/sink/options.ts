import type { MonoTypeOperatorFunction } from 'rxjs';
import type { OroClient } from '../oro/types.js';
import type { IdCache } from './id-cache.js';

/** How the sink writes: one request per record, the async Batch API, or sync batches. */
export type WriteMode = 'single' | 'batch' | 'batch-sync';
/** How the sink finds the record that already exists in Oro (`ARCHITECTURE.md`, "Writing into Oro"). */
export type Strategy = 'upsert' | 'lookup' | 'create-only';
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
  /** Batches written at the same time (default 4). Requests are bounded by `throttle`. */
  readonly concurrency?: number;
  /**
   * Applied to every request attempt, e.g. `throttleRequests(limiter)`: bounds requests in flight
   * and their rate across every pipeline sharing the limiter. `lane` tells reads (lookups a whole
   * batch of writes waits for; worth serving first) from writes.
   */
  readonly throttle?: <T>(lane: RequestLane) => MonoTypeOperatorFunction<T>;
  /** Applied around every request unit, e.g. `retryTransient(policy)`. */
  readonly retry?: <T>() => MonoTypeOperatorFunction<T>;
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
  /** Async Batch API polling. */
  readonly poll?: { readonly intervalMs?: number; readonly maxIntervalMs?: number; readonly timeoutMs?: number };
}
