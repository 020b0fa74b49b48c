/**
 * The measuring half of the adaptive limit (adaptive-limit.ts): each request's latency against
 * the lowest seen for its kind, gathered in windows that the limit's decisions are made on.
 */

/** What one window read: a decision is made on it. */
export interface Reading {
  /**
   * The requests' latencies over their kinds' lowest latencies seen, summed, outliers left out
   * (see {@link ratioWithoutOutliers}): 1 is no queueing, 2 is requests waiting in Oro as long as
   * they were served.
   */
  readonly ratio: number;
  /** The mean requests in flight when the window's requests started (theirs counted). */
  readonly load: number;
  /** At least half of them started with every slot taken: the limit, not the demand, bounded them. */
  readonly full: boolean;
  /** The lowest latency of each kind in the window, ms. */
  readonly lowest: ReadonlyMap<string, number>;
}

/**
 * Samples by ticket (the limiter's, increasing). A window holds the requests started once the
 * requests of the last limit have left ({@link LatencyWindow.restart}).
 */
export interface LatencyWindow {
  /** The newest ticket started. */
  readonly newest: number;
  /** A request started at `now`; `full`: every slot was taken with it. */
  started(ticket: number, kind: string, inFlight: number, full: boolean, now: number): void;
  /** It succeeded at `now`: a sample. The window's reading once it holds `size` samples (a new window begins). */
  succeeded(ticket: number, now: number, size: number): Reading | undefined;
  /** Its slot was released, whatever the outcome. */
  ended(ticket: number): void;
  /** The limit changed: a new window, counting requests started once the old ones have drained. */
  restart(): void;
  /** Takes `lowest` as the unloaded latency of each kind it names. */
  relearn(lowest: ReadonlyMap<string, number>): void;
}

/** A sample this many times the window's median ratio is an outlier (a slow lock, a huge record), not queueing. */
const OUTLIER = 3;

/**
 * How much longer the window's requests took than unloaded: the sum of their latencies over the
 * sum of their kinds' unloaded latencies, without outliers (requests above {@link OUTLIER} times
 * the median ratio, at most an eighth of them, rounded up), so one slow request moves nothing.
 *
 * A ratio of sums, not a mean of ratios: Oro's queue makes every request wait about as long,
 * whatever its kind, so in time a 220 ms batch says as much as ten 22 ms lookups, and a few ms of
 * the client's own lag (an event loop busy building the next batch) would otherwise make every
 * lookup read as queued. Not a median: with one request waiting in five (Oro's workers all busy
 * and one more in flight) the median reads no queueing at all, and when workers finish together
 * latencies come in steps (one service time, two, ...) that a median jumps between.
 *
 * @example
 * ratioWithoutOutliers([20, 40, 220, 2200], [20, 20, 220, 220]); // 280 / 260: the 2200 ms one is left out
 */
export function ratioWithoutOutliers(latencies: readonly number[], unloaded: readonly number[]): number {
  const order = latencies.map((_, i) => i).sort((a, b) => latencies[a]! / unloaded[a]! - latencies[b]! / unloaded[b]!);
  const ratioAt = (k: number) => latencies[order[k]!]! / unloaded[order[k]!]!;
  const mid = order.length >> 1;
  const median = order.length % 2 === 1 ? ratioAt(mid) : (ratioAt(mid - 1) + ratioAt(mid)) / 2;
  let end = order.length;
  const most = Math.ceil(order.length / 8);
  while (end > order.length - most && ratioAt(end - 1) > OUTLIER * median) end -= 1;
  let took = 0;
  let unloadedSum = 0;
  for (let k = 0; k < end; k++) {
    took += latencies[order[k]!]!;
    unloadedSum += unloaded[order[k]!]!;
  }
  return took / unloadedSum;
}

interface Start {
  readonly at: number;
  readonly kind: string;
  readonly inFlight: number;
  readonly full: boolean;
}

/**
 * Creates a {@link LatencyWindow}. The unloaded latency of a kind is the lowest seen (Vegas's
 * BaseRTT): in a cold start some requests always find a free worker, and a faster Oro lowers it
 * by itself.
 *
 * A new limit is judged on requests that met it in steady state: those started once the
 * requests of the old limit have (all but an eighth) left. Right after a decrease the first new
 * requests find Oro's queue drained and would all read as unloaded; right after an increase they
 * queue behind the old ones. (TCP Vegas, likewise, lets a round trip pass between changes.)
 *
 * @example
 * const samples = createLatencyWindow();
 * samples.started(1, 'read/0', 1, false, 0);
 * samples.succeeded(1, 22, 8); // undefined until 8 samples are in
 */
export function createLatencyWindow(): LatencyWindow {
  const starts = new Map<number, Start>();
  const unloaded = new Map<string, number>();
  let latencies: number[] = [];
  let unloadedOf: number[] = [];
  let loads = 0;
  let full = 0;
  let lowest = new Map<string, number>();
  let newest = 0;
  /** Samples of requests started after this ticket count; `Infinity` while the old ones drain. */
  let from = 0;
  /** The newest ticket at the last restart, how many requests started before it are in flight, and how few of them may be left. */
  let changedAt = 0;
  let draining = 0;
  let drainedAt = 0;

  const clear = (): void => {
    latencies = [];
    unloadedOf = [];
    loads = 0;
    full = 0;
    lowest = new Map();
  };
  const forget = (ticket: number): void => {
    if (!starts.delete(ticket) || from !== Infinity || ticket > changedAt) return;
    draining -= 1;
    if (draining <= drainedAt) from = newest;
  };

  return {
    get newest() {
      return newest;
    },
    started: (ticket, kind, inFlight, isFull, now) => {
      newest = Math.max(newest, ticket);
      starts.set(ticket, { at: now, kind, inFlight, full: isFull });
    },
    succeeded: (ticket, now, size) => {
      const start = starts.get(ticket);
      if (start === undefined) return undefined;
      forget(ticket);
      const latency = now - start.at;
      // A request answered within the same clock tick measures nothing (an instant test clock).
      if (!(latency > 0)) return undefined;
      const unloadedLatency = Math.min(unloaded.get(start.kind) ?? Infinity, latency);
      unloaded.set(start.kind, unloadedLatency);
      if (ticket <= from) return undefined;
      latencies.push(latency);
      unloadedOf.push(unloadedLatency);
      loads += start.inFlight;
      if (start.full) full += 1;
      lowest.set(start.kind, Math.min(lowest.get(start.kind) ?? Infinity, latency));
      const n = latencies.length;
      if (n < size) return undefined;
      const reading: Reading = { ratio: ratioWithoutOutliers(latencies, unloadedOf), load: loads / n, full: full * 2 >= n, lowest };
      clear();
      return reading;
    },
    ended: forget,
    restart: () => {
      clear();
      changedAt = newest;
      draining = starts.size;
      // A straggler (a request waiting out a long timeout) must not hold every decision back.
      drainedAt = Math.floor(draining / 8);
      from = draining <= drainedAt ? newest : Infinity;
    },
    relearn: (kinds) => {
      for (const [kind, latency] of kinds) unloaded.set(kind, latency);
    },
  };
}
