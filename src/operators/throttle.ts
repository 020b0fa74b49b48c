import { firstValueFrom, Observable, Subscription, type MonoTypeOperatorFunction } from 'rxjs';
import { retryAfterOf } from '../errors/classify.js';
import { HttpError } from '../errors/http-error.js';
import type { Limiter } from '../oro/limiter.js';

/** Options of {@link throttleRequests}. */
export interface ThrottleOptions {
  /** `high`: served before other waiters (short reads a batch of writes depends on). Default `normal`. */
  readonly priority?: 'high' | 'normal';
}

/** 429 Too Many Requests and 503 Service Unavailable: the server asks every client to back off. */
function isOverloadSignal(error: unknown): error is HttpError {
  return error instanceof HttpError && (error.status === 429 || error.status === 503);
}

/**
 * What an answer tells the limiter: a 429 or 503 halves its concurrency, a 429 also lowers its
 * learned rate (for the request started with `ticket`), and their `Retry-After` pauses everyone.
 */
function heedOverload(limiter: Limiter, ticket: number, error: unknown): void {
  if (!isOverloadSignal(error)) return;
  limiter.backOff();
  if (error.status === 429) limiter.rateLimited(ticket);
  const retryAfter = retryAfterOf(error);
  if (retryAfter !== undefined) limiter.slowDown(retryAfter);
}

/**
 * The outcome of a request made with a {@link takeRateToken} token: `undefined` when it passed,
 * else its error (a 429/503 then counts as it would through {@link throttleRequests}).
 */
export type TokenOutcome = (error?: unknown) => void;

/**
 * Takes one rate token on `limiter` (waiting out a pause, the rate and a free slot), holding the
 * slot only for that instant: for requests that must not hold a slot for long, such as the polls
 * of an async operation, yet count against a proxy's rate limit like any other.
 *
 * @example
 * const done = await takeRateToken(limiter);
 * try { await poll(); done(); } catch (error) { done(error); throw error; }
 */
export async function takeRateToken(limiter: Limiter, options: ThrottleOptions = {}): Promise<TokenOutcome> {
  const ticket = await firstValueFrom(limiter.acquire({ priority: options.priority ?? 'normal' }));
  return (error) => {
    if (error === undefined) limiter.recover();
    else heedOverload(limiter, ticket, error);
  };
}

/**
 * Runs a one-request Observable (e.g. `defer(() => client.create(doc))`) through a shared
 * {@link Limiter}: the source is subscribed only once the limiter grants a slot (and a rate
 * token), and the slot is released when the source completes, errors or is unsubscribed. On a 429
 * or 503 it halves the limiter's concurrency before forwarding the error (so every pipeline sharing
 * the limiter eases off), and each success gives one slot back. A 429 also lowers the limiter's
 * learned rate ceiling (a rate limiter counts starts per second, not requests in flight; a 503 is
 * an overloaded or unavailable server, for which fewer requests at once is the remedy). When that answer carries
 * `Retry-After`, no request of any pipeline on the limiter starts before then (retries included;
 * those in flight finish): to a rate limiter, a client that keeps sending other requests during
 * the pause it was given is ignoring it. The failed request itself waits in `retryTransient`.
 *
 * Put it before `retryTransient` so that each retry queues for the limiter again:
 * `defer(request).pipe(throttleRequests(limiter), retryTransient(policy))`.
 *
 * ```
 * limiter: concurrency 1; r1 and r2 each take 3 ms and are subscribed at 0
 * r1.pipe(throttleRequests(l)): ---(a|)
 * r2.pipe(throttleRequests(l)): ------(b|)     r2 starts only when r1 released its slot
 * ```
 *
 * @example
 * const limiter = createLimiter({ concurrency: 8, ratePerSecond: 50 });
 * const send = (doc: SingleDocument) =>
 *   defer(() => client.create(doc)).pipe(throttleRequests(limiter), retryTransient({ retries: 6 }));
 */
export function throttleRequests<T>(limiter: Limiter, options: ThrottleOptions = {}): MonoTypeOperatorFunction<T> {
  const acquireOptions = { priority: options.priority ?? 'normal' } as const;
  return (source) =>
    new Observable<T>((subscriber) => {
      // Created first so that a request finishing synchronously inside the grant can release it.
      const slot = new Subscription();
      const release = (): void => slot.unsubscribe();
      let granted = false;
      let request: Subscription | undefined;
      slot.add(
        limiter.acquire(acquireOptions).subscribe((ticket) => {
          granted = true;
          // Hand-written: acquire() holds the slot for as long as it is subscribed and never
          // completes, and the order matters: a 429's back-off is applied before the error goes
          // downstream, and the slot is freed only after the request's own teardown.
          // eslint-disable-next-line rxjs-x/no-nested-subscribe
          request = source.subscribe({
            next: (value) => subscriber.next(value),
            error: (error: unknown) => {
              heedOverload(limiter, ticket, error);
              subscriber.error(error);
            },
            complete: () => {
              limiter.recover();
              subscriber.complete();
            },
          });
          // Added after the source's own teardown, so the slot is freed only once the request is
          // torn down: the next waiter starts inside release(), and N slots mean N subscriptions.
          request.add(release);
        }),
      );
      return () => {
        if (request) request.unsubscribe(); // tears the request down, then releases (added above)
        else if (!granted) release(); // still queued: leave the queue
        // else: finishing synchronously inside the grant; `request.add(release)` frees the slot.
      };
    });
}
