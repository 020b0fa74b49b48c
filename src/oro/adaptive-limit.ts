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

/** In slow start, a latency ratio this high is taken at once, without a second window. */
const CLEAR_QUEUE = 2;
/** The most the spread of the latency ratio raises the bar of a decrease by, halved (see createNoise). */
const MAX_NOISE = 0.25;
/** The latest windows of a stay at one limit that are kept (the last two judge it). */
const VISIT_WINDOWS = 2;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

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
  /** The latency ratios of the last (up to 2) windows at this limit, since it was set. */
  readonly visit?: readonly number[];
  /** The limit before the last increase, until a window has judged it (a probe of more). */
  readonly raisedFrom?: number;
  /** Windows to hold before the next increase, after a probe that queued. */
  readonly waitWindows: number;
  /** What the next failed probe waits: 1, 2, 4, up to 8 windows; back to 0 once one succeeds. */
  readonly patience: number;
}

/** What {@link steer} decides: the course after a window, why, and whether the window's latencies are the new unloaded ones. */
export interface Steer {
  readonly course: Course;
  readonly reason: LimitReason;
  readonly relearn: boolean;
}

/** A course at `limit`, slow-starting, nothing learnt yet. */
export function startCourse(limit: number): Course {
  return { limit, slowStart: true, edge: Infinity, waitWindows: 0, patience: 0 };
}

/** Windows a failed probe makes the next one wait at most. */
const MAX_PATIENCE = 8;

/** Lower the limit to the estimated workers + 20 % (at most halving after slow start). */
function decrease(from: Course, ratio: number, load: number): Steer {
  // The first queueing of a run (slow start) says where Oro ends: go there at once. Later, at
  // most a halving a window, against a window that mixes the old capacity with a new one.
  const base = Math.min(from.limit, Math.ceil(load));
  const floor = from.slowStart ? 1 : Math.floor(base / 2);
  const limit = Math.max(1, Math.min(from.limit - 1, Math.max(floor, Math.round((load / ratio) * TARGET_RATIO))));
  // A probe of more that queued: hold longer before the next one (the edge is known), so that at
  // one or two workers the probes do not keep a request waiting half of the time.
  const failed = from.raisedFrom !== undefined && limit <= from.raisedFrom;
  const patience = failed ? Math.min(MAX_PATIENCE, Math.max(1, 2 * from.patience)) : from.patience;
  const course: Course = { limit, slowStart: false, edge: from.limit, waitWindows: failed ? patience : 0, patience };
  return { course, reason: 'queueing', relearn: false };
}

/** Raise the limit (or hold while a failed probe's patience lasts, or while demand leaves slots free). */
function increaseOrHold(from: Course, ratio: number, full: boolean, max: number): Steer {
  // The window after an increase did not queue: the probe succeeded.
  const judged: Course = from.raisedFrom === undefined ? from : { ...from, raisedFrom: undefined, patience: 0 };
  const hold = (course: Course): Steer => ({ course, reason: 'headroom', relearn: false });
  if (!full) return hold(judged);
  if (judged.waitWindows > 0) return hold({ ...judged, waitWindows: judged.waitWindows - 1 });
  const raise = (step: number, edge = judged.edge): Steer => ({
    course: { ...judged, edge, limit: Math.min(max, judged.limit + step), raisedFrom: judged.limit, visit: [] },
    reason: 'headroom',
    relearn: false,
  });
  // Slow start ends at the first sign of queueing, not of noise: a client's own lag (a busy
  // event loop) reads as a little latency on its own, and would hold the search at its start.
  if (judged.slowStart) return raise(ratio < INCREASE_BELOW ? judged.limit : stepOf(judged.limit));
  if (ratio >= INCREASE_BELOW) return hold(judged);
  // Past the edge without queueing: Oro has grown, so the edge no longer says where it ends.
  const edge = judged.limit >= judged.edge ? Infinity : judged.edge;
  return raise(judged.limit + stepOf(judged.limit) >= edge ? 1 : stepOf(judged.limit), edge);
}

/**
 * The next course after a window's reading `r` (pure); `noise` is the spread of the latency ratio
 * at this limit ({@link createNoise}). With `g = r.ratio` and `n = r.load`:
 * - `g > 1.4` in two windows in a row (the milder one counts; one alone may be the client's own
 *   lag; in slow start one at `g >= 2` is enough), and above `1.4 + 2 x noise` (at most 1.9):
 *   lower the limit to `1.2 x n / g` (the estimated number of workers, plus 20 % to keep Oro busy
 *   between a response and the next request), at most halving after slow start.
 * - At 1 with `g > 1.4`: our requests cannot queue behind each other, so the unloaded
 *   latency is stale (Oro got slower per request, not busier): take this window's lowest as the
 *   new one, and slow-start from 2.
 * - In slow start (until the first decrease) with every slot taken: double it while `g < 1.1`,
 *   else raise it by `floor(sqrt(limit))`.
 * - After: `g < 1.1` with every slot taken: raise it by `floor(sqrt(limit))`, or by 1 where that
 *   would pass the edge (where queueing was last seen). Between: hold.
 * - An increase whose window then queues back below where it was is a failed probe: the next
 *   increase waits 1, 2, 4, up to 8 windows (reset by a probe that does not queue).
 *
 * @example
 * const queued = { ratio: 2, load: 16, full: true, lowest: new Map() };
 * const first = steer(startCourse(16), queued, 64);    // first.course.limit: 16, one window could be noise
 * steer(first.course, queued, 64).course.limit;        // 10: 16 / 2 x 1.2
 */
export function steer(course: Course, r: Reading, max: number, noise = 0): Steer {
  const visit = [...(course.visit ?? []), r.ratio].slice(-VISIT_WINDOWS);
  // In slow start, a window at twice the unloaded latency is Oro's queue, not the client's lag
  // (that is what slow start went through): no second window needed.
  const clear = course.slowStart && r.ratio >= CLEAR_QUEUE;
  if (r.ratio > DECREASE_ABOVE && visit.length === 1 && course.limit > 1 && !clear) {
    // One window can be the client's own lag (a collector pause, a burst of work on its event
    // loop); Oro's queue is still there in the next one. (At 1, ours cannot queue: no need.)
    return { course: { ...course, visit }, reason: 'queueing', relearn: false };
  }
  // This limit's latency: the milder of its last two windows. Where latency has come and gone at
  // this limit (see createNoise), it must stand out of that by two spreads, at most 0.5 in all:
  // Oro's queue after it lost workers varies from window to window too, and must not raise the
  // bar it is judged by past where it clearly queues.
  const ratio = visit.length === 1 ? r.ratio : Math.min(...visit.slice(-2));
  const above = DECREASE_ABOVE + 2 * Math.min(noise, MAX_NOISE);
  if (ratio > above && course.limit === 1) {
    // Measured at 1, the window's latencies are unloaded ones: slow-start from them at once.
    return { course: startCourse(Math.min(max, 2)), reason: 'relearned', relearn: true };
  }
  const from: Course = { ...course, visit };
  return ratio > above ? decrease(from, ratio, r.load) : increaseOrHold(from, r.ratio, r.full, max);
}

/** Windows remembered for the noise of the latency ratio. */
const NOISE_WINDOWS = 16;

/**
 * How much the latency ratio comes and goes at one limit: the spread (1.4826 x the median
 * absolute deviation, the standard deviation of normal noise, deaf to a spike or two) of the
 * ratios of the last windows at that limit, 0 with fewer than 3. Oro's queue at one limit is
 * steady (1.25, 1.25, ...); a client short of CPU (its event loop busy with other work, a machine
 * shared with other jobs) adds latency that comes and goes. Where it does, {@link steer} needs
 * the latency above 1.4 by more than the noise before it lowers the limit: when the limiter cannot
 * tell Oro's queue from its own lag it holds, as a fixed number would, instead of chasing it.
 *
 * @example
 * const noise = createNoise();
 * noise.add(10, 1.3); noise.add(10, 1.9); noise.add(10, 1.2);
 * noise.of(10); // 0.15: the median deviation, 0.1, x 1.4826
 */
export function createNoise(): { add(limit: number, ratio: number): void; of(limit: number): number } {
  const windows: { readonly limit: number; readonly ratio: number }[] = [];
  return {
    add: (limit, ratio) => {
      windows.push({ limit, ratio });
      if (windows.length > NOISE_WINDOWS) windows.shift();
    },
    of: (limit) => {
      const ratios = windows.filter((w) => w.limit === limit).map((w) => w.ratio);
      if (ratios.length < 3) return 0;
      const center = median(ratios);
      return 1.4826 * median(ratios.map((r) => Math.abs(r - center)));
    },
  };
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
 * queue. So the ratio `g` of the requests' latency to the lowest latency seen for their kinds says
 * how much queueing there is, and `in flight / g` estimates W.
 *
 * Which production limiters it follows, and why:
 * - **TCP Vegas** (and Netflix concurrency-limits' `VegasLimit`): the lowest latency seen is the
 *   unloaded one, and the queue is what latency adds to it. Oro's latency is its service time plus
 *   its queue, which is exactly what Vegas assumes of a path; a `Gradient2Limit`-style long-term
 *   average drifts up under sustained load and takes queueing for normal. Unlike Vegas, the
 *   latency is learnt **per request kind** (a lookup, a single write, a batch by size class; see
 *   {@link requestKind}): a 100-record batch takes ten times a lookup, and one pipeline's lookups
 *   must not make its writes look queued.
 * - **Netflix's windowed limits** (`WindowedLimit`) and TCP's once-per-round-trip adjustment:
 *   decisions are made once per window of at least `limit` samples (about one round trip), on
 *   the window's latency without outliers (latency-window.ts), so one slow request moves
 *   nothing; a new limit is judged on requests started once the old ones have drained. Like
 *   `Gradient2Limit`, a decrease is at most a halving per window, and the limit never grows while
 *   demand, not the limit, bounds what is in flight (app-limited).
 * - **TCP's slow start and Reno's multiplicative decrease**: it doubles from 8 until the first
 *   queueing, and a 503 or a timeout halves it (once per event: requests started before the last
 *   drop that come back refused say nothing new). A 429 is left to the rate ceiling: a rate
 *   limiter in front of Oro counts starts per second, not Oro's capacity.
 * - **Envoy's adaptive concurrency filter**: when the limit is at its minimum and latency still
 *   reads as queueing, the unloaded latency is measured again there (Oro got slower per request,
 *   not busier; Envoy recalculates its minRTT after 5 windows at the minimum). Envoy also
 *   re-measures periodically by pinning the concurrency low; that costs throughput every interval
 *   and is left out: a faster Oro lowers the lowest latency by itself, and a slower one drives the
 *   limit down to 1, where it is caught. (A shortcut that went to 1 as soon as latency did not
 *   fall with the load was tried and dropped: on a client short of CPU, noise set it off.)
 *
 * The rules, window by window, are {@link steer}'s: raise while `g < 1.1` with every slot taken,
 * lower towards `1.2 x n / g` when `g > 1.4` in two windows running, hold between. A limit that
 * stays within one step for 3 windows has settled.
 *
 * What it cannot tell apart: latency the client adds itself. On a machine whose CPU the sync
 * cannot get enough of, responses wait in its own event loop, that reads as queueing, and the
 * limit stays lower than Oro could take (set a number then; see the README).
 *
 * ```
 * Oro with 8 workers, 220 ms a batch; one window a round trip:
 * limit: 8 (g 1.0) -> 16 (g 2.0, g 2.0) -> 10 (g 1.25) -> 10 -> 10 settled; the 8 workers drop to 4:
 *        10 (g 2.5, g 2.5) -> 5 (g 1.25) -> 5 ...
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
  const noise = createNoise();
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
    follow({ ...startCourse(Math.max(1, Math.floor(course.limit / 2))), slowStart: false, edge: course.limit, patience: course.patience }, reason);
  };

  return {
    get limit() {
      return course.limit;
    },
    started: (ticket, kind, inFlight) => samples.started(ticket, kind, inFlight, inFlight >= course.limit, scheduler.now()),
    succeeded: (ticket) => {
      const reading = ticket === undefined ? undefined : samples.succeeded(ticket, scheduler.now(), Math.max(MIN_SAMPLES, course.limit));
      if (reading === undefined) return;
      noise.add(course.limit, reading.ratio);
      const next = steer(course, reading, max, noise.of(course.limit));
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
