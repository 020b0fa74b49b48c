import { defer, firstValueFrom, identity, type MonoTypeOperatorFunction } from 'rxjs';
import { createMemoryIdCache, type IdCache } from './id-cache.js';
import { createKeyLocks, type KeyLocks } from './key-locks.js';
import type { SinkOptions, SinkTarget } from './options.js';
import type { OroClient } from '../oro/types.js';
import { HttpError } from '../errors/http-error.js';
import { NetworkError } from '../errors/network-error.js';
import { TimeoutError } from '../errors/timeout-error.js';

/** What every part of one sink subscription shares. */
export interface SinkContext {
  readonly client: OroClient;
  readonly target: SinkTarget;
  readonly ids: IdCache;
  readonly locks: KeyLocks;
  readonly dryRun: boolean;
  readonly poll: NonNullable<SinkOptions['poll']>;
  readonly onBatch: NonNullable<SinkOptions['onBatch']>;
  readonly throttle: <T>() => MonoTypeOperatorFunction<T>;
  readonly retry: <T>() => MonoTypeOperatorFunction<T>;
}

export function createSinkContext(options: SinkOptions): SinkContext {
  return {
    client: options.client,
    target: options.target,
    ids: options.ids ?? createMemoryIdCache(),
    locks: createKeyLocks(),
    dryRun: options.dryRun ?? false,
    poll: options.poll ?? {},
    onBatch: options.onBatch ?? (() => undefined),
    throttle: options.throttle ?? (() => identity),
    retry: options.retry ?? (() => identity),
  };
}

/** One request unit through the limiter and the retry policy. */
export function request<T>(ctx: SinkContext, unit: () => Promise<T>): Promise<T> {
  return firstValueFrom(defer(unit).pipe(ctx.throttle<T>(), ctx.retry<T>()));
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
