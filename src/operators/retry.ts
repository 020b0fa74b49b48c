import { asyncScheduler, retry, throwError, timer, type MonoTypeOperatorFunction } from 'rxjs';
import { isTransient } from '../errors/classify.js';
import { backoffDelay, retriesOf, type RetryPolicy } from '../util/retry-policy.js';

/**
 * Resubscribes to the source when it errors with a transient error (by default `isTransient`),
 * waiting {@link backoffDelay} before each retry. Permanent errors pass at once; after `retries`
 * retries the last error is rethrown. Apply it to an Observable of one request, after
 * `throttleRequests`, so that each retry queues for the limiter again. Promise code retries with
 * the same policy through `retryAsync`.
 *
 * ```
 * retryTransient({ retries: 2, baseMs: 10, random: () => 0.5 }), source fails transiently each time
 * source: #            (subscribed at 0, 5 and 15 ms)
 * result: ---------------#     5 ms = 0.5 * 10, then 10 ms = 0.5 * 20; the last error rethrown
 * ```
 *
 * @example
 * defer(() => client.update(doc)).pipe(
 *   throttleRequests(limiter),
 *   retryTransient({ retries: 6, onRetry: ({ attempt, delayMs, error }) => log.warn({ attempt, delayMs, error }) }),
 * );
 *
 * @throws RangeError at construction when `retries` is negative or not an integer (`Infinity` is allowed).
 */
export function retryTransient<T>(policy: RetryPolicy = {}): MonoTypeOperatorFunction<T> {
  const retries = retriesOf(policy, 'retryTransient');
  const isRetryable = policy.isRetryable ?? isTransient;
  const scheduler = policy.scheduler ?? asyncScheduler;
  return retry<T>({
    count: retries,
    delay: (error: unknown, retryCount: number) => {
      if (!isRetryable(error)) return throwError(() => error);
      const delayMs = backoffDelay(retryCount - 1, error, policy);
      policy.onRetry?.({ attempt: retryCount, delayMs, error });
      return timer(delayMs, scheduler);
    },
  });
}
