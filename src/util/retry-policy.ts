import type { SchedulerLike } from 'rxjs';
import { retryAfterOf } from '../errors/classify.js';

/** What {@link RetryPolicy.onRetry} is told before each retry. */
export interface RetryInfo {
  /** Which retry this is: 1 for the first retry (the second attempt overall). */
  readonly attempt: number;
  /** How long it waits before retrying, in ms. */
  readonly delayMs: number;
  /** The error that caused the retry. */
  readonly error: unknown;
}

/**
 * How a retry loop retries (requests, the token endpoint, reconnects, sources). Every field is optional.
 *
 * @example
 * ```ts
 * const policy: RetryPolicy = { retries: 6, baseMs: 200, maxMs: 30_000 };
 * request$.pipe(retryTransient(policy));
 * ```
 */
export interface RetryPolicy {
  /** Retries after the first attempt; default 6. `0` turns retrying off. */
  readonly retries?: number;
  /** Backoff base in ms; default 200. */
  readonly baseMs?: number;
  /** Cap of the computed backoff in ms; default 30 000. Does not cap a server's `Retry-After`. */
  readonly maxMs?: number;
  /** Cap of a server's `Retry-After` in ms; default 300 000 (five minutes). */
  readonly maxRetryAfterMs?: number;
  /**
   * `full` (default): each computed wait is `random() ×` the exponential step, so clients that
   * failed together do not retry together. `none`: the step itself, for loops with few, slow
   * attempts where a predictable total matters more (the amqp reconnect, async-operation polling).
   */
  readonly jitter?: 'full' | 'none';
  /** Uniform random number in [0, 1) for the jitter; default `Math.random`. */
  readonly random?: () => number;
  /** Where the waits run; `asyncScheduler` by default (inject a `TestScheduler` in tests). */
  readonly scheduler?: SchedulerLike;
  /** Which errors are worth retrying; default `isTransient` (network, timeout, 408/425/429/5xx). */
  readonly isRetryable?: (error: unknown) => boolean;
  /** Called before each retry (for logs and metrics). */
  readonly onRetry?: (info: RetryInfo) => void;
}

export const DEFAULT_RETRY_POLICY = {
  retries: 6,
  baseMs: 200,
  maxMs: 30_000,
  maxRetryAfterMs: 300_000,
} as const;

/**
 * The wait before a retry: the server's `Retry-After` when the error carries one (capped at
 * `maxRetryAfterMs`, but not at `maxMs`: the server knows best), otherwise exponential backoff
 * with full jitter, `random() * min(maxMs, baseMs * 2 ** attempt)` (without the `random()` factor
 * when `jitter` is `none`).
 *
 * @param attempt retries already made: 0 before the first retry.
 *
 * @example
 * backoffDelay(3, new NetworkError('GET', url, cause), { random: () => 0.5 }); // 0.5 * 1600 = 800
 */
export function backoffDelay(attempt: number, error: unknown, policy: RetryPolicy = {}): number {
  const {
    baseMs = DEFAULT_RETRY_POLICY.baseMs,
    maxMs = DEFAULT_RETRY_POLICY.maxMs,
    maxRetryAfterMs = DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    random = Math.random,
  } = policy;
  const retryAfter = retryAfterOf(error);
  if (retryAfter !== undefined) return Math.min(Math.max(0, retryAfter), maxRetryAfterMs);
  const step = Math.min(maxMs, baseMs * 2 ** attempt);
  return policy.jitter === 'none' ? step : random() * step;
}

/**
 * The policy's `retries` (default 6), checked: a retry loop built on a bad count would retry for
 * ever or never, silently.
 *
 * @throws RangeError naming `where` when `retries` is negative or not an integer (`Infinity` is allowed).
 */
export function retriesOf(policy: RetryPolicy, where: string): number {
  const retries = policy.retries ?? DEFAULT_RETRY_POLICY.retries;
  if (!(retries === Infinity || (Number.isInteger(retries) && retries >= 0))) {
    throw new RangeError(`${where}: retries must be a non-negative integer, got ${retries}`);
  }
  return retries;
}
