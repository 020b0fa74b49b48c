import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { ConcurrencyLimit, LimitEvent, LimitReason } from './concurrency-limit.js';
import { createLatencyWindow, type Reading } from './latency-window.js';

/** Options of {@link createAdaptiveLimit}. */
export interface AdaptiveLimitOptions {
  /** The most requests in flight it will allow (`pipeline.maxConcurrency`). Default 64. */
  readonly max?: number;
  /** Where it starts. Default 8 (the fixed default before `"auto"`), or `max` if lower. */
  readonly initial?: number;
  /** Clock for latencies; `asyncScheduler` by default (a `TestScheduler` in tests). */
  readonly scheduler?: SchedulerLike;
  /** Told every change of the limit, and once when it settles. */
  readonly onLimit?: (event: LimitEvent) => void;
}

/** Latency within 10 % of the unloaded one: nothing queues, there is room for more. */
const INCREASE_BELOW = 1.1;
/** Latency 40 % above the unloaded one: requests wait in Oro for 0.4x their service time. */
const DECREASE_ABOVE = 1.4;
/** After a decrease, the limit is set so that latency would be 20 % above the unloaded one. */
const TARGET_RATIO = 1.2;
/** A window decides on at least this many samples (and at least `limit`: about one round trip). */
const MIN_SAMPLES = 8;
/** Windows within one step of each other before the limit counts as settled. */
const SETTLE_WINDOWS = 3;
/** After a decrease, the load fell by this much at least and the latency ratio did not fall below this share of what it was: not our queue. */
const LOAD_FELL = 0.75;
const RATIO_HELD = 0.9;

/** The additive step: larger for larger limits, so that a rise from 4 to 64 takes a dozen windows, not 60. */
const stepOf = (limit: number): number => Math.max(1, Math.floor(Math.sqrt(limit)));

/**
 * What the limiter calls a request's kind: its name (`read`, `batch-sync`, ...) and, when it
 * carries records, a size class. A batch of 37 records is served faster than one of 100, and a
 * short batch (the last of a run, one sent after `batchMs`) must not set the unloaded latency that
 * full batches are measured against. Classes are 2^(1/8) apart: within one, sizes differ by 9 %.
 *
 * @example
 * requestKind('batch-sync', 100); // 'batch-sync/53'
 * requestKind('read');            // 'read/0'
 */
export function requestKind(name: string, records = 1): string {
  return `${name}/${Math.round(8 * Math.log2(Math.max(1, records)))}`;
}

/** Where the limit is and how it is moving: what a decision starts from. */
export interface Course {
  readonly limit: number;
  /** Doubling each window until the first sign of queueing (TCP's slow start). */
  readonly slowStart: boolean;
  /** The limit at which queueing was last seen: approached one at a time, not by a whole step. */
  readonly edge: number;
  /** At 1 to measure the unloaded latency again (see {@link steer}). */
  readonly probing: boolean;
  /** The window that made the last decrease, for the next one to tell whether latency followed the load down. */
  readonly decreasedOn?: { readonly load: number; readonly ratio: number };
}

/** What {@link steer} decides: the course after a window, why, and whether the window's latencies are the new unloaded ones. */
export interface Steer {
  readonly course: Course;
  readonly reason: LimitReason;
  readonly relearn: boolean;
}

/** A course at `limit`, slow-starting, nothing learnt yet. */
export function startCourse(limit: number): Course {
  return { limit, slowStart: true, edge: Infinity, probing: false };
}

/**
 * The next course after a window's reading `r` (pure). With `g = r.ratio` and `n = r.load`:
 * - `g > 1.4`: lower the limit to `1.2 x n / g` (the estimated number of workers, plus 20 % to keep
 *   Oro busy between a response and the next request), at most halving. Unless the last window
 *   was a decrease too and latency did not fall with the load (a quarter less in flight, the
 *   ratio within 10 %): then the queue is not ours, Oro got slower per request; go to 1 and probe.
 * - At 1 (probing, or lowered there) with `g > 1.4`: our requests cannot queue behind each other,
 *   so the unloaded latency is stale: take this window's lowest as the new one, and slow-start
 *   from 2.
 * - `g < 1.1` with every slot taken: raise it, doubling in slow start, else by `floor(sqrt(limit))`,
 *   or by 1 where that would pass the edge. Between: hold.
 *
 * @example
 * steer(startCourse(16), { ratio: 2, load: 16, full: true, lowest: new Map() }, 64).course.limit; // 10
 */
export function steer(course: Course, r: Reading, max: number): Steer {
  const { ratio, load, full } = r;
  if (ratio > DECREASE_ABOVE && (course.probing || course.limit === 1)) {
    // Measured at 1, the window's latencies are unloaded ones: slow-start from them at once.
    return { course: startCourse(Math.min(max, 2)), reason: 'relearned', relearn: true };
  }
  const from: Course = course.probing ? startCourse(course.limit) : course;
  if (ratio > DECREASE_ABOVE) {
    const last = from.decreasedOn;
    if (last !== undefined && load <= LOAD_FELL * last.load && ratio >= RATIO_HELD * last.ratio) {
      return { course: { limit: 1, slowStart: false, edge: Infinity, probing: true }, reason: 'probe', relearn: false };
    }
    const base = Math.min(from.limit, Math.ceil(load));
    const next = Math.max(Math.floor(base / 2), Math.round((load / ratio) * TARGET_RATIO));
    const limit = Math.max(1, Math.min(from.limit - 1, next));
    return { course: { limit, slowStart: false, edge: from.limit, probing: false, decreasedOn: { load, ratio } }, reason: 'queueing', relearn: false };
  }
  const settled = { slowStart: from.slowStart && ratio < INCREASE_BELOW, edge: from.edge, probing: false };
  if (ratio < INCREASE_BELOW && full) {
    // Past the edge without queueing: Oro has grown, so the edge no longer says where it ends.
    const edge = from.limit >= from.edge ? Infinity : from.edge;
    const step = from.slowStart ? from.limit : from.limit + stepOf(from.limit) >= edge ? 1 : stepOf(from.limit);
    return { course: { ...settled, edge, limit: Math.min(max, from.limit + step) }, reason: 'headroom', relearn: false };
  }
  return { course: { ...settled, limit: from.limit }, reason: 'headroom', relearn: false };
}

/** Tells, after each window, whether the limit has now stayed within one step for {@link SETTLE_WINDOWS} windows (once per settling). */
function createSettling(): (limit: number) => boolean {
  const recent: number[] = [];
  let settledAt: number | undefined;
  return (limit) => {
    recent.push(limit);
    if (recent.length > SETTLE_WINDOWS) recent.shift();
    if (settledAt !== undefined && Math.abs(limit - settledAt) > stepOf(Math.min(limit, settledAt))) settledAt = undefined;
    const low = Math.min(...recent);
    if (settledAt !== undefined || recent.length < SETTLE_WINDOWS || Math.max(...recent) - low > stepOf(low)) return false;
    settledAt = limit;
    return true;
  };
}

/**
 * A concurrency limit that finds how many requests Oro serves at once from the latencies it sees
 * (`pipeline.concurrency: "auto"`). Oro serves W requests at once (PHP-FPM workers, Batch API
 * consumers); with N > W in flight every request also waits (N - W) / W service times in Oro's
 * queue. So the ratio of a request's latency to the lowest latency seen for its kind says how much
 * queueing there is, and `in flight / ratio` estimates W.
 *
 * Which production limiters it follows, and why:
 * - **TCP Vegas** (and Netflix concurrency-limits' `VegasLimit`): the lowest latency seen is the
 *   unloaded one, and the queue is estimated from `limit x (1 - unloaded / latency)`. Oro's latency
 *   is its service time plus its queue, which is exactly what Vegas assumes of a path: a Gradient
 *   (`Gradient2Limit`) long-term average drifts up under sustained load and would take queueing as
 *   normal. Unlike Vegas, the latency is learnt **per request kind** (a lookup, a single write, a
 *   batch by size class; see {@link requestKind}): a 100-record batch takes ten times a lookup,
 *   and one pipeline's lookups must not make its own writes look queued.
 * - **Netflix's windowed limits** (`WindowedLimit`): decisions are made once per window of at
 *   least `limit` samples (about one round trip, as TCP adjusts once per RTT), on the window's
 *   **median**, so one slow request (a large record, a slow lock) moves nothing; only requests
 *   started after the last change count, so a window measures the limit it judges. Like
 *   `Gradient2Limit`, a decrease is at most a halving per window, and it never grows while
 *   demand, not the limit, bounds what is in flight (app-limited).
 * - **Envoy's adaptive concurrency filter**: when the limit is at its minimum and latency still
 *   reads as queueing, the unloaded latency is learnt again (Oro got slower per request, not
 *   busier). Envoy also re-measures periodically by pinning the concurrency low; that costs
 *   throughput every interval and is left out: a faster Oro lowers the lowest latency by itself,
 *   and a slower one is caught at the minimum.
 *
 * The rules, on each window's median ratio `g` and median in flight `n`:
 * - `g < 1.1` with every slot taken: raise it, doubling until the first sign of queueing (slow
 *   start, from 8), then by `floor(sqrt(limit))`;
 * - `g > 1.4`: lower it to `1.2 x n / g` (the estimated W, plus 20 % to keep Oro busy between a
 *   response and the next request), at most halving;
 * - between: hold. A limit that stays within one step for 3 windows has settled.
 * - A 503 or a timeout halves it, once per event (requests started before the last drop that
 *   come back refused say nothing new). A 429 is left to the rate ceiling: a rate limiter in
 *   front of Oro counts starts per second, not Oro's capacity.
 *
 * ```
 * Oro with 8 workers, 220 ms a batch; one window a round trip:
 * limit: 8 (g 1.0) -> 16 (g 2.0) -> 10 (g 1.25) -> 10 -> 10 settled; 8 workers drop to 4:
 *        10 (g 2.5) -> 5 (g 1.25) -> 5 ...
 * ```
 *
 * @example
 * const auto = createAdaptiveLimit({ max: 64, scheduler, onLimit: (e) => gauge.set(e.limit) });
 * auto.started(ticket, requestKind('batch-sync', 100), inFlight);
 * auto.succeeded(ticket); // a latency sample
 * auto.ended(ticket);
 */
export function createAdaptiveLimit(options: AdaptiveLimitOptions = {}): ConcurrencyLimit {
  const max = options.max ?? 64;
  const scheduler = options.scheduler ?? asyncScheduler;
  const { onLimit } = options;
  const samples = createLatencyWindow();
  const settling = createSettling();
  let course = startCourse(Math.max(1, Math.min(options.initial ?? 8, max)));
  let lastDrop = 0;

  const emit = (previous: number, reason: LimitReason, latencyRatio?: number): void => {
    onLimit?.({ limit: course.limit, previous, reason, adaptive: true, ...(latencyRatio !== undefined ? { latencyRatio } : {}) });
  };
  const follow = (next: Course, reason: LimitReason, ratio?: number): void => {
    const previous = course.limit;
    course = next;
    if (next.limit !== previous) {
      samples.restart();
      emit(previous, reason, ratio);
    }
    if (settling(course.limit)) emit(course.limit, 'settled', ratio);
  };
  /** A 503 or a timeout: halve, once for the requests that were in flight together. */
  const drop = (ticket: number | undefined, reason: LimitReason): void => {
    if (ticket !== undefined && ticket <= lastDrop) return;
    lastDrop = samples.newest;
    // What the window held was measured before the refusal: judge afresh.
    samples.restart();
    follow({ limit: Math.max(1, Math.floor(course.limit / 2)), slowStart: false, edge: course.limit, probing: false }, reason);
  };

  return {
    get limit() {
      return course.limit;
    },
    started: (ticket, kind, inFlight) => samples.started(ticket, kind, inFlight, inFlight >= course.limit, scheduler.now()),
    succeeded: (ticket) => {
      const reading = ticket === undefined ? undefined : samples.succeeded(ticket, scheduler.now(), Math.max(MIN_SAMPLES, course.limit));
      if (reading === undefined) return;
      const next = steer(course, reading, max);
      if (next.relearn) samples.relearn(reading.lowest);
      follow(next.course, next.reason, reading.ratio);
    },
    overloaded: (ticket) => drop(ticket, 'overload'),
    // A rate limiter counts starts, not Oro's capacity: the limiter's rate ceiling answers it.
    rateLimited: () => undefined,
    timedOut: (ticket) => drop(ticket, 'timeout'),
    ended: (ticket) => samples.ended(ticket),
  };
}
