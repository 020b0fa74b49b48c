import { isTransient } from '../errors/classify.js';
import { backoffDelay, retriesOf, type RetryPolicy } from './retry-policy.js';
import { sleep } from './sleep.js';

/** What cancels a {@link retryAsync} loop. */
export interface RetryAsyncOptions {
  /** Aborting stops retrying (see {@link retryAsync}). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * The promise twin of the `retryTransient` operator, for retry loops written as promise code (the
 * token endpoint, the amqp reconnect, the http source's pages): runs `attempt` until it resolves,
 * retrying an error that `policy.isRetryable` accepts (default `isTransient`) at most
 * `policy.retries` times (default 6), waiting {@link backoffDelay} on `policy.scheduler` before
 * each retry and telling `policy.onRetry` first. Other errors, and the error of the last
 * attempt, are thrown as they are.
 *
 * Aborting `signal` stops retrying: a failure after the abort is thrown at once, and an abort
 * during a wait rejects with `signal.reason`, as {@link sleep} does.
 *
 * ```
 * retryAsync(attempt, { retries: 2, baseMs: 10, jitter: 'none' }), attempt fails transiently each time
 * attempts: x----------x--------------------x#   (at 0, 10 and 30 ms; the last error thrown)
 * ```
 *
 * @param attempt called with the number of retries made so far (0 for the first attempt).
 *
 * @example
 * const token = await retryAsync(() => requestToken(), { retries: 5, maxMs: 10_000 }, { signal });
 *
 * @throws RangeError (as a rejection, before any attempt) when `policy.retries` is negative or not an integer.
 */
export async function retryAsync<T>(attempt: (retry: number) => Promise<T>, policy: RetryPolicy = {}, options: RetryAsyncOptions = {}): Promise<T> {
  const retries = retriesOf(policy, 'retryAsync');
  const isRetryable = policy.isRetryable ?? isTransient;
  const { signal } = options;
  for (let retry = 0; ; retry += 1) {
    try {
      return await attempt(retry);
    } catch (error) {
      if (retry >= retries || signal?.aborted || !isRetryable(error)) throw error;
      const delayMs = backoffDelay(retry, error, policy);
      policy.onRetry?.({ attempt: retry + 1, delayMs, error });
      await sleep(delayMs, { scheduler: policy.scheduler, signal });
    }
  }
}
