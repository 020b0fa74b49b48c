import { asyncScheduler, defer, firstValueFrom, identity, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { retryTransient } from '../operators/retry.js';
import { takeRateToken, throttleRequests, type TokenOutcome } from '../operators/throttle.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import { createMemoryIdCache, type IdCache } from './id-cache.js';
import { createKeyLocks, type KeyLocks } from './key-locks.js';
import { createRelatedWaits, type RelatedWaits } from './related-waits.js';
import type { RequestLane, SinkOptions, SinkTarget } from './options.js';
import type { OroClient } from '../oro/types.js';
import type { Outcome } from '../types/outcome.js';
import type { DigestStore } from './digest-store.js';
import type { KeyClaims } from '../types/key-claims.js';
import { HttpError } from '../errors/http-error.js';
import { NetworkError } from '../errors/network-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { throwIfTargetRefused } from './target-refused.js';
import { createStoreWrites, trackedDigests, trackedIds, type StoreWrites } from './store-writes.js';

/** What every part of one sink subscription shares. */
export interface SinkContext {
  readonly client: OroClient;
  readonly target: SinkTarget;
  readonly ids: IdCache;
  readonly relatedIds: (type: string, field: string) => IdCache;
  readonly waits: RelatedWaits;
  readonly locks: KeyLocks;
  /** Locks shared with other workers (`SinkOptions.claims`). */
  readonly claims: KeyClaims | undefined;
  /** Records released from waiting and being written now; see {@link settleIfQuiet}. */
  active: number;
  /** The sink's input has completed: nothing new will come. */
  inputDone: boolean;
  readonly dryRun: boolean;
  readonly poll: NonNullable<SinkOptions['poll']>;
  readonly onBatch: NonNullable<SinkOptions['onBatch']>;
  readonly scheduler: SchedulerLike;
  /** One request attempt through the limiter, in `lane`'s priority, carrying `records` (a batch's size). */
  readonly throttle: <T>(lane: RequestLane, records?: number) => MonoTypeOperatorFunction<T>;
  /** One rate token for a request made outside any slot (a poll); see `takeRateToken`. */
  readonly rateToken: () => Promise<TokenOutcome>;
  /** Around a request unit: each retry goes through `throttle` again (it sits inside). */
  readonly retry: <T>() => MonoTypeOperatorFunction<T>;
  /** Change detection (see `SinkOptions.digests`). */
  readonly digests: DigestStore | undefined;
  /** Id and digest writes not yet stored: a batch awaits them before it releases its keys. */
  readonly writes: StoreWrites;
  /** `created`/`updated` outcomes Oro's answer did not confirm (an async read-back missed them): no digest. */
  readonly unconfirmed: WeakSet<Outcome>;
}

const ignoreOutcome: TokenOutcome = () => undefined;

/** The retry policy `toOro`'s `retry` option stands for, waiting on the sink's clock. */
export function retryPolicyOf(retry: SinkOptions['retry'], scheduler: SchedulerLike): RetryPolicy {
  const policy: RetryPolicy = typeof retry === 'number' ? { retries: retry } : (retry ?? {});
  return { ...policy, scheduler: policy.scheduler ?? scheduler };
}

export function createSinkContext(options: SinkOptions): SinkContext {
  const scheduler = options.scheduler ?? asyncScheduler;
  const { limiter } = options;
  const policy = retryPolicyOf(options.retry, scheduler);
  const writes = createStoreWrites();
  const ids = trackedIds(options.ids ?? createMemoryIdCache(), writes);
  const relatedCaches = new Map<string, IdCache>();
  return {
    client: options.client,
    target: options.target,
    ids,
    relatedIds: (type, field) => {
      if (type === options.target.type && field === options.target.key.oro) return ids;
      const slot = `${type}\u0000${field}`;
      let cache = relatedCaches.get(slot);
      if (!cache) {
        cache = trackedIds(options.relatedIds?.(type, field) ?? createMemoryIdCache(), writes);
        relatedCaches.set(slot, cache);
      }
      return cache;
    },
    waits: createRelatedWaits({ timeoutMs: options.relatedWaitMs ?? 30_000, scheduler }),
    locks: createKeyLocks(),
    claims: options.claims,
    active: 0,
    inputDone: false,
    dryRun: options.dryRun ?? false,
    poll: options.poll ?? {},
    onBatch: options.onBatch ?? (() => undefined),
    scheduler,
    // Reads go first: a whole batch of writes waits for its lookup. The kind (reads, or the mode's
    // writes) and the records let concurrency 'auto' learn each kind's latency apart.
    throttle: limiter
      ? (lane, records) =>
          throttleRequests(limiter, { priority: lane === 'read' ? 'high' : 'normal', kind: lane === 'read' ? 'read' : options.target.mode, ...(records ? { records } : {}) })
      : () => identity,
    rateToken: limiter ? () => takeRateToken(limiter, { priority: 'high' }) : () => Promise.resolve(ignoreOutcome),
    retry: () => retryTransient(policy),
    digests: options.digests && trackedDigests(options.digests, writes),
    writes,
    unconfirmed: new WeakSet(),
  };
}

/**
 * One request unit through the limiter and the retry policy (`records`: what it carries, for the
 * limiter's latency per kind). An answer that says the target
 * itself is wrong (see {@link throwIfTargetRefused}) becomes a `ConfigError` that stops the run.
 */
export async function request<T>(ctx: SinkContext, unit: () => Promise<T>, lane: RequestLane = 'write', records?: number): Promise<T> {
  try {
    return await firstValueFrom(defer(unit).pipe(ctx.throttle<T>(lane, records), ctx.retry<T>()));
  } catch (error) {
    throwIfTargetRefused(ctx.target, error);
    throw error;
  }
}

/**
 * An error after which we cannot know whether Oro applied the write: the request may have been
 * processed before the connection broke or the answer came too late. A retried create must look
 * again first, or the replay would duplicate the record. (429 and 503 say "not processed".)
 */
export function isUncertain(error: unknown): boolean {
  if (error instanceof NetworkError || error instanceof TimeoutError) return true;
  return error instanceof HttpError && (error.status === 500 || error.status === 502 || error.status === 504);
}

/**
 * When the input is done and nothing is in progress, records still waiting for a related record
 * can no longer be helped by this sink: one is released to look a last time (and the next when
 * that one is done).
 *
 * No hop to a later turn is needed before looking: a waiter woken by a write counts itself as in
 * progress synchronously, inside that write's `written()` (see `writeBlocked`), so a release here
 * can never overtake it.
 */
export function settleIfQuiet(ctx: SinkContext): void {
  if (ctx.inputDone && ctx.active === 0) ctx.waits.releaseOne();
}
