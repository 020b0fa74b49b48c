import type { Logger } from 'pino';
import type { PauseInfo } from '../oro/limiter.js';
import type { Metrics } from './metrics.js';

/**
 * The limiter's `onPause` for a run: one log line per pause (not one per refused request: eight
 * requests in flight may all come back 429 together) and the pause metrics.
 *
 * @example
 * createLimiter({ concurrency: 8, onPause: reportPauses(logger, metrics) });
 * // a 429 with `Retry-After: 2` logs "Oro, or a proxy in front of it, asked to wait 2 s"
 */
export function reportPauses(logger: Pick<Logger, 'warn'>, metrics?: Pick<Metrics, 'pauses' | 'pauseSeconds'>): (pause: PauseInfo) => void {
  return ({ ms, addedMs, extended }) => {
    metrics?.pauseSeconds.inc(addedMs / 1000);
    if (extended) return;
    metrics?.pauses.inc();
    logger.warn({ pauseMs: Math.round(ms) }, `Oro, or a proxy in front of it, asked to wait ${seconds(ms)} s`);
  };
}

/** `2000` -> `2`, `1500` -> `1.5`: whole seconds as such, tenths otherwise. */
function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
