/**
 * The rate a rate limiter in front of Oro (nginx `limit_req`, a CDN, a WAF) lets through, learned
 * from its 429s. Oro itself never answers 429 (docs/oro-api.md), so without one the ceiling is
 * `Infinity` and costs a counter per request.
 *
 * Why a rate and not only a concurrency: a token bucket counts starts per second, whatever is in
 * flight. Halving the concurrency (the limiter's AIMD) does little against it when requests are
 * short: at 5 ms a request, even one request in flight is 200 starts a second. And when a
 * `Retry-After` pause ends, every request queued during it would start at once, and the first of
 * them be refused again. With a ceiling, they are released spread at a rate the limiter is known
 * to accept.
 */

/** Multiplicative decrease: a 429 sets the ceiling to this share of the rate that was passing. */
const DECREASE = 0.9;
/** Additive increase with time since the last decrease: 2 % of the ceiling a second, and at least 2 requests/s a second. */
const GROWTH_SHARE = 0.02;
const GROWTH_MIN = 2;
/** The ceiling never goes below one request a second. */
const MIN_RATE = 1;
/** Once the ceiling is this many times the rate at the last 429, it no longer binds: it is dropped. */
const LIFT_FACTOR = 2;
/** Starts are counted in slots of 100 ms over the last second. */
const SLOT_MS = 100;
const SLOTS = 10;
/** Where slot `s` (any integer) lives in the ring of counts. */
const ring = (s: number): number => ((s % SLOTS) + SLOTS) % SLOTS;

/**
 * A learned ceiling on request starts per second: AIMD on the rate. A 429 sets it to 90 % of the
 * rate that passed in the second before (or of the ceiling, if lower); within a second after a
 * pause, to 90 % of the ceiling it resumed at (a second that was partly pause measures nothing).
 * Once per congestion event: a refusal of a request started before the last decrease, or coming
 * during a pause, says nothing new (eight requests in flight when the bucket ran dry all come back
 * 429). It grows again with time, by 2 % of itself a second (at least 2 requests/s a second),
 * applied as requests start, and once it reaches twice the rate at the last 429 it is lifted.
 * Grown by time, not by successes: under 429s that come at random (not by rate) a request that
 * takes long would otherwise see too few successes between refusals to climb back.
 *
 * ```
 * a bucket of 50/s, burst 50; the client sent ~60 starts in the last second when refused:
 * ceiling: Infinity -> 54 (0.9 x 60) -> grows ~2/s per second as requests start -> 429 -> 0.9 x ...
 * ```
 *
 * @example
 * const ceiling = createRateCeiling();
 * const ticket = ceiling.started(now);        // at each grant
 * ceiling.refused(ticket, now);               // the request was answered 429
 * const interval = 1000 / ceiling.perSecond;  // Infinity -> 0: no spacing
 */
export interface RateCeiling {
  /** Starts per second allowed now; `Infinity` while no 429 was seen (or once lifted). */
  readonly perSecond: number;
  /** A request starts at `now` (ms): counted, the ceiling grown to `now`; its ticket (increasing) is returned. */
  started(now: number): number;
  /**
   * The request started with `ticket` was answered 429 at `now`: the ceiling is lowered, once per
   * event (not again for requests started before the last decrease, nor during a pause).
   */
  refused(ticket: number, now: number): void;
  /** Nothing starts before `until` (a `Retry-After` pause): the time paused is no time requests failed to pass. */
  pausedUntil(until: number): void;
}

export function createRateCeiling(): RateCeiling {
  let perSecond = Infinity;
  let grownAt = 0; // when the growth was last applied
  let liftAt = Infinity;
  let tickets = 0;
  let lastDecrease = 0; // tickets handed out when the ceiling was last lowered
  const counts = new Array<number>(SLOTS).fill(0);
  let slot = 0; // absolute index of the current slot (now / SLOT_MS)
  let resumedAt = -Infinity; // the end of the last pause (in the future while one runs)

  /** Moves the window to `now`, clearing the slots it passed over. */
  const advance = (now: number): number => {
    const current = Math.floor(now / SLOT_MS);
    if (current !== slot) {
      if (current - slot >= SLOTS || current < slot) counts.fill(0);
      else for (let s = slot + 1; s <= current; s++) counts[ring(s)] = 0;
      slot = current;
    }
    return ring(current);
  };

  /**
   * Starts that passed in the last second (the window is one second long: per second), or
   * `undefined` when a pause ended within it: a second that was partly pause says nothing of the
   * rate the server accepts, and less than a second of sending measures mostly noise.
   */
  const passingRate = (now: number): number | undefined => {
    if (now - resumedAt < 1000) return undefined;
    advance(now);
    return Math.max(0, counts.reduce((sum, n) => sum + n, 0));
  };

  return {
    pausedUntil: (until) => {
      resumedAt = Math.max(resumedAt, until);
    },
    get perSecond() {
      return perSecond;
    },
    started: (now) => {
      counts[advance(now)]! += 1;
      if (perSecond !== Infinity && now > grownAt) {
        perSecond += (Math.max(GROWTH_MIN, GROWTH_SHARE * perSecond) * (now - grownAt)) / 1000;
        grownAt = now;
        if (perSecond >= liftAt) perSecond = liftAt = Infinity;
      }
      return ++tickets;
    },
    refused: (ticket, now) => {
      const at = advance(now);
      counts[at] = counts[at]! - 1; // it started but did not pass
      // Refused while a pause runs: it started before the pause, whose refusal already told us
      // (or a 503's, which says nothing of the rate); and no rate can be measured over a pause.
      if (ticket <= lastDecrease || now < resumedAt) return;
      const passing = passingRate(now);
      if (passing === undefined) {
        // Refused soon after a pause: the ceiling it resumed at is too high, if there is one.
        if (perSecond === Infinity) return;
        perSecond = Math.max(MIN_RATE, DECREASE * perSecond);
      } else {
        perSecond = Math.max(MIN_RATE, DECREASE * Math.min(perSecond, passing));
        liftAt = LIFT_FACTOR * Math.max(MIN_RATE, passing);
      }
      lastDecrease = tickets;
      grownAt = now;
    },
  };
}
