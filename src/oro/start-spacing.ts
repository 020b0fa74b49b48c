import { createRateCeiling } from './rate-ceiling.js';

/** What `LimiterOptions.onPause` is told. */
export interface PauseInfo {
  /** How long the server asked to wait, in ms, after the cap. */
  readonly ms: number;
  /** By how much the pause grew, in ms: `ms` for a new pause, less when one was already running. */
  readonly addedMs: number;
  /** A pause was already running: this one only makes it longer (or not at all, `addedMs` 0). */
  readonly extended: boolean;
}

/** Options of {@link createStartSpacing}: the limiter's `ratePerSecond`, `burst` and `maxPauseMs`. */
export interface StartSpacingOptions {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly maxPauseMs: number;
}

/**
 * When the next request may start, whatever is in flight: the time half of the limiter. Starts
 * are spaced by `ratePerSecond` or by the ceiling learnt from 429s (rate-ceiling.ts), whichever
 * is lower, and held back while a `Retry-After` pause runs.
 */
export interface StartSpacing {
  /** Starts per second learnt from 429s; `Infinity` while none binds. */
  readonly learnedRate: number;
  /** ms until a request may start at `now`; 0 when it may start now. */
  waitFor(now: number): number;
  /** A request starts at `now`: counted against the rate; its ticket (increasing) is returned. */
  started(now: number): number;
  /** The request started with `ticket` was answered 429 at `now`: the ceiling is lowered. */
  rateLimited(ticket: number, now: number): void;
  /** No start before `now + ms` (capped at `maxPauseMs`); what changed, or `undefined` when the pause did not grow. */
  slowDown(ms: number, now: number): PauseInfo | undefined;
}

/**
 * Creates a {@link StartSpacing}: a token bucket in GCRA form (the `n`-th start after a quiet spell
 * of at least `burst / ratePerSecond` s happens no earlier than `(n - burst) / ratePerSecond` s
 * after the first), the learnt rate ceiling spacing starts the same way when it is lower than
 * `ratePerSecond` (or that is 0), and a pause.
 *
 * ```
 * ratePerSecond 2, burst 1, four starts asked for at 0 ms:
 * waitFor: 0 ms, 500 ms, 1000 ms, 1500 ms
 * ```
 *
 * @example
 * const spacing = createStartSpacing({ ratePerSecond: 20, burst: 2, maxPauseMs: 300_000 });
 * if (spacing.waitFor(now) === 0) grant(spacing.started(now));
 */
export function createStartSpacing(options: StartSpacingOptions): StartSpacing {
  const { ratePerSecond, burst, maxPauseMs } = options;
  const configured = ratePerSecond > 0 ? 1000 / ratePerSecond : 0;
  const ceiling = createRateCeiling();
  let interval = configured;
  /** The spacing of starts: the configured rate's, or the learned ceiling's when that is lower. */
  const updateInterval = (): void => {
    interval = ceiling.perSecond === Infinity ? configured : Math.max(configured, 1000 / ceiling.perSecond);
  };
  // Sub-microsecond slack so float rounding of `interval` never delays a start by a whole timer tick.
  const EPSILON = 1e-6;
  let theoreticalArrival = -Infinity; // GCRA: when the bucket would be empty again
  let notBefore = -Infinity;

  return {
    get learnedRate() {
      return ceiling.perSecond;
    },
    waitFor: (now) => {
      const rateWait = interval > 0 ? theoreticalArrival - (burst - 1) * interval - now : 0;
      return Math.max(0, notBefore - now, rateWait > EPSILON ? rateWait : 0);
    },
    started: (now) => {
      const ticket = ceiling.started(now);
      if (interval !== configured || ceiling.perSecond !== Infinity) updateInterval(); // it grew
      if (interval > 0) theoreticalArrival = Math.max(theoreticalArrival, now) + interval;
      return ticket;
    },
    rateLimited: (ticket, now) => {
      ceiling.refused(ticket, now);
      updateInterval();
    },
    slowDown: (requested, now) => {
      const ms = Math.min(requested, maxPauseMs);
      if (!(ms > 0)) return undefined;
      const extended = notBefore > now;
      const until = Math.max(notBefore, now + ms);
      const addedMs = until - Math.max(notBefore, now);
      if (addedMs <= 0) return undefined;
      notBefore = until;
      ceiling.pausedUntil(until);
      return { ms, addedMs, extended };
    },
  };
}
