import type { Logger } from 'pino';
import type { LimitEvent, LimitReason } from '../oro/limiter.js';
import type { Metrics } from './metrics.js';

/** A move by this factor or more (up or down) from the limit last logged is news. */
const NEWS = 1.5;

const WHY: Readonly<Record<LimitReason, string>> = {
  headroom: 'Oro answered as fast as unloaded with every slot taken',
  queueing: 'requests queued in Oro',
  overload: 'Oro answered 503',
  timeout: 'a request to Oro timed out',
  recovered: 'requests succeeded again',
  relearned: "Oro's unloaded latency changed and was learnt again",
  settled: 'it settled',
};

/**
 * The limiter's `onLimit` for a run: the limit in force as the `oro_sync_concurrency_limit` gauge,
 * and, for `concurrency: "auto"`, one log line when it settles and one when it moves a lot (by
 * half or more from the value last logged) after that: the search at the start of a run and the
 * steps of one or two in steady state are not news. A fixed limit's halving on a 429/503 is logged
 * as a pause already (`reportPauses`).
 *
 * @example
 * createLimiter({ concurrency: 'auto', onLimit: reportLimit(logger, metrics) });
 * // "concurrency limit settled at 10 requests in flight (latency 1.2x Oro's unloaded)"
 * // "concurrency limit 10 -> 5: requests queued in Oro (latency 2.5x Oro's unloaded)"
 */
export function reportLimit(logger: Pick<Logger, 'info'>, metrics?: Pick<Metrics, 'concurrencyLimit'>): (event: LimitEvent) => void {
  let logged: number | undefined;
  return (event) => {
    metrics?.concurrencyLimit.set(event.limit);
    if (!event.adaptive) return;
    const { limit, previous, reason, latencyRatio } = event;
    const latency = latencyRatio === undefined ? '' : ` (latency ${latencyRatio.toFixed(1)}x Oro's unloaded)`;
    const fields = { limit, previous, reason, ...(latencyRatio !== undefined ? { latencyRatio: Math.round(latencyRatio * 100) / 100 } : {}) };
    if (reason === 'settled') {
      if (logged !== undefined && Math.max(limit / logged, logged / limit) < NEWS) return;
      logged = limit;
      logger.info(fields, `concurrency limit settled at ${limit} requests in flight${latency}`);
      return;
    }
    if (logged === undefined || Math.max(limit / logged, logged / limit) < NEWS) return;
    logged = limit;
    logger.info(fields, `concurrency limit ${previous} -> ${limit}: ${WHY[reason]}${latency}`);
  };
}
