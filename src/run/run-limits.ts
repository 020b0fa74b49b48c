import type { AnyConfig } from '../config/config-types.js';
import { createLimiter, type Limiter } from '../oro/limiter.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import { reportLimit } from './limit-report.js';
import { reportPauses } from './pauses.js';
import { runLabel } from './run-label.js';
import { retryBudgetOf, type Runtime } from './runtime.js';

/** How a run's requests are bounded and retried. */
export interface RunLimits {
  /** `pipeline.concurrency` requests at once, `ratePerSecond` starts, pauses on 429/503. */
  readonly limiter: Limiter;
  /** `pipeline.retries`, `retryBaseMs`, `retryMaxMs`; a `Retry-After` up to `maxPauseSeconds`. */
  readonly retry: RetryPolicy;
}

/**
 * The limiter and retry policy of one run, into Oro or out of it: what `pipeline` says (a fixed
 * or an `"auto"` concurrency), pauses and settled limits logged and counted, each retry counted under the run's label and logged at debug level.
 *
 * @example
 * ```ts
 * const { limiter, retry } = runLimits(config, runtime);
 * defer(() => send(request)).pipe(throttleRequests(limiter), retryTransient(retry));
 * ```
 */
export function runLimits(config: AnyConfig, runtime: Pick<Runtime, 'logger' | 'metrics'>): RunLimits {
  const { logger, metrics } = runtime;
  const { pipeline } = config;
  const label = runLabel(config);
  const maxPauseMs = pipeline.maxPauseSeconds * 1000;
  const limiter = createLimiter({
    concurrency: pipeline.concurrency,
    maxConcurrency: pipeline.maxConcurrency,
    ratePerSecond: pipeline.ratePerSecond,
    // A timer firing a few ms late would otherwise be lost for good, leaving the run below the
    // rate it was given; a second token lets the next start catch up (never above the rate).
    burst: 2,
    maxPauseMs,
    onPause: reportPauses(logger.child({ pipeline: config.name }), metrics),
    onLimit: reportLimit(logger.child({ pipeline: config.name }), metrics),
  });
  metrics?.concurrencyLimit.set(limiter.limit);
  const retry: RetryPolicy = {
    ...retryBudgetOf(pipeline),
    // The refused request waits no longer than the pause it imposed on the others.
    maxRetryAfterMs: maxPauseMs,
    onRetry: (info) => {
      metrics?.retries.inc({ target: label });
      const error = info.error instanceof Error ? info.error.message : String(info.error);
      logger.debug({ attempt: info.attempt, delayMs: Math.round(info.delayMs), error }, 'retrying');
    },
  };
  return { limiter, retry };
}
