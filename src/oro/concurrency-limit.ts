/**
 * The concurrency half of the limiter: how many requests may be in flight, and what that number
 * learns from the answers. Two kinds: a fixed number eased off by AIMD on 429/503
 * ({@link createFixedLimit}), and one that finds Oro's capacity from latencies
 * (`createAdaptiveLimit`, adaptive-limit.ts). The limiter (limiter.ts) tells one of them every
 * grant and every answer, and grants while `inFlight < limit`.
 */

/** Why the limit in force changed (or, for `settled`, stopped changing). */
export type LimitReason =
  /** Latency stayed near the lowest seen with every slot taken: one more step. */
  | 'headroom'
  /** Latency rose above the lowest seen: requests queue in Oro. */
  | 'queueing'
  /** A 503, or for a fixed limit a 429 too: halved. */
  | 'overload'
  /** A request got no answer within its timeout: halved. */
  | 'timeout'
  /** A success gave one slot back after a back-off (fixed limit). */
  | 'recovered'
  /** The unloaded latency was learnt again: the old one no longer held (see adaptive-limit.ts). */
  | 'relearned'
  /** The limit has stayed within one step for several windows. */
  | 'settled';

/** What `onLimit` is told: the limit in force now, and the one before. */
export interface LimitEvent {
  readonly limit: number;
  readonly previous: number;
  readonly reason: LimitReason;
  /** `true` for `concurrency: 'auto'`, whose moves are news; a fixed limit's AIMD is routine. */
  readonly adaptive: boolean;
  /**
   * The median, over the window that decided, of each request's latency divided by the lowest
   * latency seen for its kind (1 = no queueing; 2 = each request took twice its unloaded time).
   */
  readonly latencyRatio?: number;
}

/**
 * A concurrency bound the limiter consults and informs. Tickets are the limiter's, one per grant,
 * increasing. Every method is cheap: it runs on every request.
 */
export interface ConcurrencyLimit {
  /** Requests allowed in flight now (at least 1). */
  readonly limit: number;
  /** A request was granted a slot at the scheduler's `now`; `inFlight` counts it. */
  started(ticket: number, kind: string, inFlight: number): void;
  /** The request succeeded (without a ticket: someone's did, as `Limiter.recover()` says). */
  succeeded(ticket?: number): void;
  /** Oro is overloaded (503): the request was refused. */
  overloaded(ticket?: number): void;
  /** A rate limiter in front of Oro refused the request (429). */
  rateLimited(ticket: number): void;
  /** The request got no answer within its timeout. */
  timedOut(ticket: number): void;
  /** The slot was released, whatever the outcome: forget the request. */
  ended(ticket: number): void;
}

/**
 * A fixed `concurrency`, halved on a 429 or 503 (at least 1) and given back one slot per success:
 * additive increase, multiplicative decrease, as TCP Reno does. Under a real rate limit the
 * concurrency settles where the server copes; a stray 503 costs little. Timeouts leave it alone:
 * with a fixed number the user chose, a slow answer is not taken as a verdict on it.
 *
 * @example
 * const fixed = createFixedLimit(8);
 * fixed.overloaded(); // fixed.limit === 4
 * fixed.succeeded();  // fixed.limit === 5
 */
export function createFixedLimit(concurrency: number, onLimit?: (event: LimitEvent) => void): ConcurrencyLimit {
  let limit = concurrency;
  const set = (next: number, reason: LimitReason): void => {
    if (next === limit) return;
    const previous = limit;
    limit = next;
    onLimit?.({ limit, previous, reason, adaptive: false });
  };
  const halve = (): void => set(Math.max(1, Math.floor(limit / 2)), 'overload');
  return {
    get limit() {
      return limit;
    },
    started: () => undefined,
    succeeded: () => {
      if (limit < concurrency) set(limit + 1, 'recovered');
    },
    overloaded: halve,
    // A token bucket counts starts, so the rate ceiling (rate-ceiling.ts) is the real remedy;
    // halving too keeps the behaviour fixed limits have always had.
    rateLimited: halve,
    timedOut: () => undefined,
    ended: () => undefined,
  };
}
