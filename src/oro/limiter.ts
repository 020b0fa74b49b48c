import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { createAdaptiveLimit, requestKind } from './adaptive-limit.js';
import { createFixedLimit, type ConcurrencyLimit, type LimitEvent } from './concurrency-limit.js';
import { createStartSpacing, type PauseInfo, type StartSpacing } from './start-spacing.js';

export type { PauseInfo } from './start-spacing.js';
export type { LimitEvent, LimitReason } from './concurrency-limit.js';

/** Options of {@link createLimiter}. */
export interface LimiterOptions {
  /**
   * Most requests running at once: a positive integer (or `Infinity`), or `'auto'` to find how
   * many Oro serves at once from the latencies it sees (see adaptive-limit.ts).
   */
  readonly concurrency: number | 'auto';
  /** With `concurrency: 'auto'`, the most it will allow. Default 64. */
  readonly maxConcurrency?: number;
  /** Most request starts per second; `0` (the default) means no rate limit. */
  readonly ratePerSecond?: number;
  /** Starts allowed back to back after a quiet spell (token bucket size). Default 1: evenly spaced. */
  readonly burst?: number;
  /** Longest pause a server may impose through {@link Limiter.slowDown}, in ms. Default 300 000 (5 min). */
  readonly maxPauseMs?: number;
  /** Told when a pause starts or is made longer (for the log and the metrics). */
  readonly onPause?: (pause: PauseInfo) => void;
  /** Told when the limit in force changes, and when an `'auto'` limit settles (for the log and the metrics). */
  readonly onLimit?: (event: LimitEvent) => void;
  /** Clock and timers; `asyncScheduler` by default (inject a `TestScheduler` in tests). */
  readonly scheduler?: SchedulerLike;
}

/** What a request asks {@link Limiter.acquire} for. */
export interface AcquireOptions {
  /** `high`: served before the others (short reads that a whole batch of writes waits for). */
  readonly priority?: 'high' | 'normal';
  /**
   * What kind of request it is (`read`, `single`, `batch-sync`, ...; default its priority): with
   * `concurrency: 'auto'` each kind's unloaded latency is learnt on its own.
   */
  readonly kind?: string;
  /** Records the request carries (a batch's size; default 1): a kind's latency is learnt per size class. */
  readonly records?: number;
}

/**
 * A shared gate for requests: at most `limit` in flight, at most `ratePerSecond` starts per
 * second, and a pause on demand when the server says it is overloaded. Several pipelines may share
 * one limiter (one per Oro instance), so that together they stay within the bounds.
 * Waiters are served strictly first come, first served.
 *
 * @example
 * ```ts
 * const limiter = createLimiter({ concurrency: 'auto', ratePerSecond: 50 });
 * // Both pipelines together keep to what Oro serves at once.
 * customers$.pipe(toOro({ client, target: customersTarget, limiter }));
 * users$.pipe(toOro({ client, target: usersTarget, limiter }));
 * ```
 */
export interface Limiter {
  /** Requests holding a slot now. */
  readonly inFlight: number;
  /** Requests queued for a slot (queue depth). */
  readonly waiting: number;
  /**
   * Requests allowed in flight right now: a fixed `concurrency`, less while backing off (see
   * {@link backOff}); with `'auto'`, what the limiter has found Oro serves at once.
   */
  readonly limit: number;
  /** Starts per second learned from 429s (see {@link rateLimited}); `Infinity` while none binds. */
  readonly learnedRate: number;
  /**
   * Asks for a slot. The returned Observable emits once when the slot is granted, the request's
   * ticket (for {@link rateLimited}, {@link recover} and the others), and never completes: the slot
   * is held for as long as the subscription lives, and unsubscribing releases it (or, before the
   * grant, leaves the queue). Each subscription is one request.
   *
   * @example
   * const hold = limiter.acquire({ kind: 'batch-sync', records: 100 }).subscribe((ticket) => {
   *   start(); onDone(() => { limiter.recover(ticket); hold.unsubscribe(); });
   * });
   */
  acquire(options?: AcquireOptions): Observable<number>;
  /**
   * The server is overloaded (503; `ticket`: the refused request's). A fixed limit halves (at
   * least 1) and regains one slot per {@link recover}: additive increase, multiplicative decrease,
   * as TCP does. `'auto'` halves too, once for the requests that were in flight together.
   */
  backOff(ticket?: number): void;
  /**
   * A request succeeded: a fixed limit regains one slot after a back-off, up to `concurrency`.
   * With the request's `ticket`, `'auto'` takes its latency as a sample.
   */
  recover(ticket?: number): void;
  /**
   * The request granted `ticket` was answered 429 Too Many Requests: a rate limiter in front of
   * Oro counts starts per second, so the limiter learns a ceiling on them (AIMD on the rate, see
   * `createRateCeiling`) and spaces starts by it, within `ratePerSecond` if that is lower. After a
   * `Retry-After` pause, the requests queued during it start spread at that rate, not all at once.
   * A fixed limit also halves; `'auto'` does not (a 429 says nothing of Oro's capacity).
   */
  rateLimited(ticket: number): void;
  /** The request granted `ticket` got no answer within its timeout: `'auto'` halves (a fixed limit is left alone). */
  timedOut(ticket: number): void;
  /**
   * No new request starts before `now + ms`, `ms` capped at `maxPauseMs` (a 429/503 with
   * `Retry-After` told us to wait). Requests already in flight are not touched; a later, shorter
   * pause does not shorten an earlier, longer one. `onPause` hears of it.
   */
  slowDown(ms: number): void;
}

/** @throws RangeError naming the option that is out of range. */
function checkLimiterOptions(options: LimiterOptions): void {
  const { concurrency, maxConcurrency = 64, ratePerSecond = 0, burst = 1, maxPauseMs = 300_000 } = options;
  if (!(concurrency === 'auto' || concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
    throw new RangeError(`createLimiter: concurrency must be a positive integer or 'auto', got ${concurrency}`);
  }
  if (!(Number.isInteger(maxConcurrency) && maxConcurrency >= 1)) {
    throw new RangeError(`createLimiter: maxConcurrency must be a positive integer, got ${maxConcurrency}`);
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
}

interface Waiter {
  readonly kind: string;
  readonly grant: (ticket: number) => void;
}

/** The queue of waiters and the slots they hold; when and how they start is the caller's. */
interface Gate {
  readonly inFlight: number;
  readonly waiting: number;
  /** Queues a waiter (`urgent`: served before the others) and grants what may start. */
  enter(waiter: Waiter, urgent: boolean): void;
  /** A waiter leaves the queue before its grant. */
  leave(waiter: Waiter, urgent: boolean): void;
  /** A slot is released. */
  release(): void;
  /** Grants what may start now (the limit grew, a pause ended). */
  pump(): void;
}

/**
 * A FIFO of waiters (an urgent lane served first) granted while `limit()` allows and `waitFor`
 * says a start may happen now; otherwise one timer wakes it when the head may start.
 */
function createGate(
  scheduler: SchedulerLike,
  limit: () => number,
  waitFor: (now: number) => number,
  start: (now: number, kind: string, inFlight: number) => number,
): Gate {
  const queue = new Set<Waiter>(); // insertion-ordered: FIFO with O(1) removal on unsubscribe
  const urgent = new Set<Waiter>(); // served before `queue`
  const waitingCount = () => queue.size + urgent.size;
  let inFlight = 0;
  let timer: Subscription | undefined;
  let pumping = false;
  let pumpAgain = false;

  const wake = (wait: number): void => {
    if (timer !== undefined) return;
    // A scheduler may run due work at once, inside schedule() (tests' instant clocks):
    // a timer that already fired must not be kept as pending.
    let fired = false;
    const action = scheduler.schedule(() => {
      fired = true;
      timer = undefined;
      pump();
    }, wait);
    if (!fired) timer = action;
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
        while (waitingCount() > 0 && inFlight < limit()) {
          const now = scheduler.now();
          const wait = waitFor(now);
          if (wait > 0) {
            wake(wait);
            break;
          }
          const lane = urgent.size > 0 ? urgent : queue;
          const head = lane.values().next().value as Waiter;
          lane.delete(head);
          inFlight += 1;
          head.grant(start(now, head.kind, inFlight));
        }
      } while (pumpAgain);
    } finally {
      pumping = false;
    }
  };

  return {
    get inFlight() {
      return inFlight;
    },
    get waiting() {
      return waitingCount();
    },
    enter: (waiter, isUrgent) => {
      (isUrgent ? urgent : queue).add(waiter);
      pump();
    },
    leave: (waiter, isUrgent) => {
      (isUrgent ? urgent : queue).delete(waiter);
      // A pending timer with nobody waiting would only keep the process alive.
      if (waitingCount() === 0 && timer !== undefined) {
        timer.unsubscribe();
        timer = undefined;
      }
    },
    release: () => {
      inFlight -= 1;
      pump();
    },
    pump,
  };
}

/** The concurrency half: a fixed number with AIMD, or one found from latencies. */
function concurrencyLimitOf(options: LimiterOptions, scheduler: SchedulerLike): ConcurrencyLimit {
  const { concurrency, onLimit } = options;
  if (concurrency !== 'auto') return createFixedLimit(concurrency, onLimit);
  return createAdaptiveLimit({ max: options.maxConcurrency ?? 64, scheduler, ...(onLimit ? { onLimit } : {}) });
}

/**
 * Creates a {@link Limiter} from three parts: a gate (the FIFO of waiters and the slots they hold),
 * a concurrency limit (a fixed number with AIMD on 503/429, or `'auto'`: found from latencies, see
 * adaptive-limit.ts) and a start spacing (the rate in GCRA form, a rate ceiling learnt from 429s,
 * a pause set by {@link Limiter.slowDown}; see start-spacing.ts).
 *
 * ```
 * createLimiter({ concurrency: 8, ratePerSecond: 2 }), four requests asked for at 0 ms:
 * starts: 0 ms, 500 ms, 1000 ms, 1500 ms
 * ```
 *
 * @example
 * const limiter = createLimiter({ concurrency: 'auto', maxConcurrency: 32, ratePerSecond: 20 });
 * defer(() => client.create(doc)).pipe(throttleRequests(limiter, { kind: 'single' }), retryTransient(policy));
 *
 * @throws RangeError when `concurrency` is not a positive integer (or `Infinity`, or `'auto'`),
 *   `maxConcurrency` is not a positive integer, `ratePerSecond` is negative or not finite, `burst`
 *   is not a positive integer, or `maxPauseMs` is negative.
 */
export function createLimiter(options: LimiterOptions): Limiter {
  checkLimiterOptions(options);
  const { ratePerSecond = 0, burst = 1, maxPauseMs = 300_000, onPause, scheduler = asyncScheduler } = options;
  const spacing: StartSpacing = createStartSpacing({ ratePerSecond, burst, maxPauseMs });
  const bound = concurrencyLimitOf(options, scheduler);
  const gate = createGate(scheduler, () => bound.limit, spacing.waitFor, (now, kind, inFlight) => {
    const ticket = spacing.started(now);
    bound.started(ticket, kind, inFlight);
    return ticket;
  });

  return {
    get inFlight() {
      return gate.inFlight;
    },
    get waiting() {
      return gate.waiting;
    },
    get limit() {
      return bound.limit;
    },
    get learnedRate() {
      return spacing.learnedRate;
    },
    acquire: (acquireOptions = {}) =>
      new Observable<number>((subscriber) => {
        const urgent = acquireOptions.priority === 'high';
        let held: number | undefined;
        const waiter: Waiter = {
          kind: requestKind(acquireOptions.kind ?? (urgent ? 'high' : 'normal'), acquireOptions.records),
          grant: (ticket) => {
            held = ticket;
            subscriber.next(ticket);
          },
        };
        gate.enter(waiter, urgent);
        return () => {
          if (held === undefined) return gate.leave(waiter, urgent);
          const ticket = held;
          held = undefined;
          bound.ended(ticket);
          gate.release();
        };
      }),
    backOff: (ticket) => bound.overloaded(ticket),
    recover: (ticket) => {
      bound.succeeded(ticket);
      gate.pump();
    },
    rateLimited: (ticket) => {
      spacing.rateLimited(ticket, scheduler.now());
      bound.rateLimited(ticket);
    },
    timedOut: (ticket) => bound.timedOut(ticket),
    slowDown: (ms) => {
      const pause = spacing.slowDown(ms, scheduler.now());
      if (pause) onPause?.(pause);
    },
  };
}
