import { firstValueFrom, Observable, Subscription, type MonoTypeOperatorFunction } from 'rxjs';
import { retryAfterOf } from '../errors/classify.js';
import { HttpError } from '../errors/http-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import type { AcquireOptions, Limiter } from '../oro/limiter.js';

/**
 * Options of {@link throttleRequests}: the request's priority (`high`: served before other
 * waiters, for short reads a batch of writes depends on; default `normal`), its kind and the
 * records it carries (with `concurrency: 'auto'` the limiter learns each kind's latency apart).
 */
export type ThrottleOptions = AcquireOptions;

/**
 * What an answer tells the limiter: a success is a latency sample; a 503 halves its concurrency,
 * a 429 lowers its learned rate (and a fixed concurrency), a timeout halves an `'auto'`
 * concurrency, and a 429/503's `Retry-After` pauses everyone.
 */
function heed(limiter: Limiter, ticket: number, error: unknown): void {
  if (error === undefined) return limiter.recover(ticket);
  if (error instanceof TimeoutError) return limiter.timedOut(ticket);
  if (!(error instanceof HttpError) || (error.status !== 429 && error.status !== 503)) return;
  if (error.status === 429) limiter.rateLimited(ticket);
  else limiter.backOff(ticket);
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
  const ticket = await firstValueFrom(limiter.acquire({ ...options, priority: options.priority ?? 'normal' }));
  // The slot was held for an instant only: a success is no latency sample (the ticket's start is forgotten).
  return (error) => heed(limiter, ticket, error);
}

/**
 * Runs a one-request Observable (e.g. `defer(() => client.create(doc))`) through a shared
 * {@link Limiter}: the source is subscribed only once the limiter grants a slot (and a rate
 * token), and the slot is released when the source completes, errors or is unsubscribed. On a 503
 * it halves the limiter's concurrency before forwarding the error (so every pipeline sharing the
 * limiter eases off); a success gives a fixed limit one slot back, and is a latency sample for an
 * `'auto'` one (which a timeout halves). A 429 lowers the limiter's learned rate ceiling (a rate
 * limiter counts starts per second, not requests in flight; a 503 is an overloaded or unavailable
 * server, for which fewer requests at once is the remedy). When that answer carries
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
 * const limiter = createLimiter({ concurrency: 'auto', ratePerSecond: 50 });
 * const send = (doc: SingleDocument) =>
 *   defer(() => client.create(doc)).pipe(throttleRequests(limiter, { kind: 'single' }), retryTransient({ retries: 6 }));
 */
export function throttleRequests<T>(limiter: Limiter, options: ThrottleOptions = {}): MonoTypeOperatorFunction<T> {
  const acquireOptions: AcquireOptions = { ...options, priority: options.priority ?? 'normal' };
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
          // The answer is a success as soon as it comes: a consumer that takes the first value
          // (firstValueFrom) unsubscribes before the source completes.
          let answered = false;
          const succeed = (): void => {
            if (answered) return;
            answered = true;
            heed(limiter, ticket, undefined);
          };
          // eslint-disable-next-line rxjs-x/no-nested-subscribe
          request = source.subscribe({
            next: (value) => {
              succeed();
              subscriber.next(value);
            },
            error: (error: unknown) => {
              heed(limiter, ticket, error);
              subscriber.error(error);
            },
            complete: () => {
              succeed();
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
