import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { createRateCeiling } from './rate-ceiling.js';

/** Options of {@link createLimiter}. */
export interface LimiterOptions {
  /** Most requests running at once. A positive integer (or `Infinity`). */
  readonly concurrency: number;
  /** Most request starts per second; `0` (the default) means no rate limit. */
  readonly ratePerSecond?: number;
  /** Starts allowed back to back after a quiet spell (token bucket size). Default 1: evenly spaced. */
  readonly burst?: number;
  /** Longest pause a server may impose through {@link Limiter.slowDown}, in ms. Default 300 000 (5 min). */
  readonly maxPauseMs?: number;
  /** Told when a pause starts or is made longer (for the log and the metrics). */
  readonly onPause?: (pause: PauseInfo) => void;
  /** Clock and timers; `asyncScheduler` by default (inject a `TestScheduler` in tests). */
  readonly scheduler?: SchedulerLike;
}

/** What {@link LimiterOptions.onPause} is told. */
export interface PauseInfo {
  /** How long the server asked to wait, in ms, after the cap. */
  readonly ms: number;
  /** By how much the pause grew, in ms: `ms` for a new pause, less when one was already running. */
  readonly addedMs: number;
  /** A pause was already running: this one only makes it longer (or not at all, `addedMs` 0). */
  readonly extended: boolean;
}

/**
 * A shared gate for requests: at most `concurrency` in flight, at most `ratePerSecond` starts per
 * second, and a pause on demand when the server says it is overloaded. Several pipelines may share
 * one limiter (one per Oro instance), so that together they stay within the bounds.
 * Waiters are served strictly first come, first served.
 *
 * @example
 * ```ts
 * const limiter = createLimiter({ concurrency: 8, ratePerSecond: 50 });
 * // Both pipelines together keep at most 8 requests in flight.
 * customers$.pipe(toOro({ client, target: customersTarget, limiter }));
 * users$.pipe(toOro({ client, target: usersTarget, limiter }));
 * ```
 */
export interface Limiter {
  /** Requests holding a slot now. */
  readonly inFlight: number;
  /** Requests queued for a slot (queue depth). */
  readonly waiting: number;
  /** Requests allowed in flight right now: `concurrency`, less while backing off (see {@link backOff}). */
  readonly limit: number;
  /** Starts per second learned from 429s (see {@link rateLimited}); `Infinity` while none binds. */
  readonly learnedRate: number;
  /**
   * Asks for a slot. The returned Observable emits once when the slot is granted, the request's
   * ticket (for {@link rateLimited}), and never completes: the slot is held for as long as the subscription lives, and unsubscribing
   * releases it (or, before the grant, leaves the queue). Each subscription is one request.
   * `priority: 'high'` waiters are served before the others (short reads that a whole batch of
   * writes waits for, such as the sink's lookups).
   *
   * @example
   * const hold = limiter.acquire().subscribe(() => { start(); onDone(() => hold.unsubscribe()); });
   */
  acquire(options?: { readonly priority?: 'high' | 'normal' }): Observable<number>;
  /**
   * The server is overloaded (429/503): halve the requests allowed in flight (at least 1).
   * Additive increase, multiplicative decrease, as TCP does: under a real rate limit the
   * concurrency settles where the server copes; a stray 503 costs little.
   */
  backOff(): void;
  /** A request succeeded: allow one more in flight, up to `concurrency`. */
  recover(): void;
  /**
   * The request granted `ticket` was answered 429 Too Many Requests: a rate limiter in front of
   * Oro counts starts per second, so the limiter learns a ceiling on them (AIMD on the rate, see
   * `createRateCeiling`) and spaces starts by it, within `ratePerSecond` if that is lower. After a
   * `Retry-After` pause, the requests queued during it start spread at that rate, not all at once.
   */
  rateLimited(ticket: number): void;
  /**
   * No new request starts before `now + ms`, `ms` capped at `maxPauseMs` (a 429/503 with
   * `Retry-After` told us to wait). Requests already in flight are not touched; a later, shorter
   * pause does not shorten an earlier, longer one. `onPause` hears of it.
   */
  slowDown(ms: number): void;
}

interface Waiter {
  readonly grant: (ticket: number) => void;
}

/**
 * Creates a {@link Limiter}: a concurrency bound combined with a token bucket (GCRA form: the
 * `n`-th start after a quiet spell of at least `burst / ratePerSecond` s happens no earlier than
 * `(n - burst) / ratePerSecond` s after the first), a pause set by {@link Limiter.slowDown}, and
 * a rate ceiling learned from 429s ({@link Limiter.rateLimited}) that spaces starts the same way
 * when it is below `ratePerSecond` (or when that is 0).
 *
 * ```
 * createLimiter({ concurrency: 8, ratePerSecond: 2 }), four requests asked for at 0 ms:
 * starts: 0 ms, 500 ms, 1000 ms, 1500 ms
 * ```
 *
 * @example
 * const limiter = createLimiter({ concurrency: 8, ratePerSecond: 20 });
 * defer(() => client.create(doc)).pipe(throttleRequests(limiter), retryTransient(policy));
 *
 * @throws RangeError when `concurrency` is not a positive integer (or `Infinity`), `ratePerSecond`
 *   is negative or not finite, `burst` is not a positive integer, or `maxPauseMs` is negative.
 */
export function createLimiter(options: LimiterOptions): Limiter {
  const { concurrency, ratePerSecond = 0, burst = 1, maxPauseMs = 300_000, onPause, scheduler = asyncScheduler } = options;
  if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
    throw new RangeError(`createLimiter: concurrency must be a positive integer, got ${concurrency}`);
  }
  if (!(Number.isFinite(ratePerSecond) && ratePerSecond >= 0)) {
    throw new RangeError(`createLimiter: ratePerSecond must be 0 (unlimited) or more, got ${ratePerSecond}`);
  }
  if (!(Number.isInteger(burst) && burst >= 1)) {
    throw new RangeError(`createLimiter: burst must be a positive integer, got ${burst}`);
  }
  if (!(maxPauseMs >= 0)) {
    throw new RangeError(`createLimiter: maxPauseMs must be 0 or more, got ${maxPauseMs}`);
  }

  const configured = ratePerSecond > 0 ? 1000 / ratePerSecond : 0;
  const ceiling = createRateCeiling();
  let interval = configured;
  /** The spacing of starts: the configured rate's, or the learned ceiling's when that is lower. */
  const updateInterval = (): void => {
    interval = ceiling.perSecond === Infinity ? configured : Math.max(configured, 1000 / ceiling.perSecond);
  };
  // Sub-microsecond slack so float rounding of `interval` never delays a start by a whole timer tick.
  const EPSILON = 1e-6;
  const queue = new Set<Waiter>(); // insertion-ordered: FIFO with O(1) removal on unsubscribe
  const urgent = new Set<Waiter>(); // served before `queue`
  const waitingCount = () => queue.size + urgent.size;
  let limit = concurrency;
  let inFlight = 0;
  let theoreticalArrival = -Infinity; // GCRA: when the bucket would be empty again
  let notBefore = -Infinity;
  let timer: Subscription | undefined;
  let pumping = false;
  let pumpAgain = false;

  /** ms until the head of the queue may start, 0 when it may start now. */
  const waitFor = (now: number): number => {
    const rateWait = interval > 0 ? theoreticalArrival - (burst - 1) * interval - now : 0;
    return Math.max(0, notBefore - now, rateWait > EPSILON ? rateWait : 0);
  };

  const pump = (): void => {
    // Granting runs the request's subscription, which may finish synchronously and release:
    // loop instead of recursing so grants stay in queue order.
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        while (waitingCount() > 0 && inFlight < limit) {
          const now = scheduler.now();
          const wait = waitFor(now);
          if (wait > 0) {
            if (timer === undefined) {
              // A scheduler may run due work at once, inside schedule() (tests' instant clocks):
              // a timer that already fired must not be kept as pending.
              let fired = false;
              const action = scheduler.schedule(() => {
                fired = true;
                timer = undefined;
                pump();
              }, wait);
              if (!fired) timer = action;
            }
            break;
          }
          const lane = urgent.size > 0 ? urgent : queue;
          const head = lane.values().next().value as Waiter;
          lane.delete(head);
          inFlight += 1;
          const ticket = ceiling.started(now);
          if (interval !== configured || ceiling.perSecond !== Infinity) updateInterval(); // it grew
          if (interval > 0) theoreticalArrival = Math.max(theoreticalArrival, now) + interval;
          head.grant(ticket);
        }
      } while (pumpAgain);
    } finally {
      pumping = false;
    }
  };

  const cancelTimerIfIdle = (): void => {
    // A pending timer with nobody waiting would only keep the process alive.
    if (waitingCount() === 0 && timer !== undefined) {
      timer.unsubscribe();
      timer = undefined;
    }
  };

  return {
    get inFlight() {
      return inFlight;
    },
    get waiting() {
      return waitingCount();
    },
    get limit() {
      return limit;
    },
    get learnedRate() {
      return ceiling.perSecond;
    },
    acquire: (acquireOptions = {}) =>
      new Observable<number>((subscriber) => {
        const lane = acquireOptions.priority === 'high' ? urgent : queue;
        let granted = false;
        const waiter: Waiter = {
          grant: (ticket) => {
            granted = true;
            subscriber.next(ticket);
          },
        };
        lane.add(waiter);
        pump();
        return () => {
          if (granted) {
            granted = false;
            inFlight -= 1;
            pump();
          } else {
            lane.delete(waiter);
            cancelTimerIfIdle();
          }
        };
      }),
    backOff: () => {
      limit = Math.max(1, Math.floor(limit / 2));
    },
    recover: () => {
      if (limit >= concurrency) return;
      limit += 1;
      pump();
    },
    rateLimited: (ticket) => {
      ceiling.refused(ticket, scheduler.now());
      updateInterval();
    },
    slowDown: (requested: number) => {
      const ms = Math.min(requested, maxPauseMs);
      if (!(ms > 0)) return;
      const now = scheduler.now();
      const extended = notBefore > now;
      const until = Math.max(notBefore, now + ms);
      const addedMs = until - Math.max(notBefore, now);
      if (addedMs <= 0) return;
      notBefore = until;
      ceiling.pausedUntil(until);
      onPause?.({ ms, addedMs, extended });
    },
  };
}
