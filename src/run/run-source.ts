import type { Logger } from 'pino';
import type { AnyConfig } from '../config/config-types.js';
import type { StateStore } from '../state/state-store.js';
import type { Step } from '../types/outcome.js';
import { buildSource, numbered, sinceWatermark, type SourceContext } from './build-source.js';
import { countLines } from './count-lines.js';
import type { Metrics } from './metrics.js';
import { NO_PROGRESS, type Progress } from './progress.js';
import { runLabel } from './run-label.js';
import { planStart, type StartPlan } from './start-position.js';

export interface RunSourceInput {
  readonly config: AnyConfig;
  readonly store: StateStore;
  readonly logger: Logger;
  readonly metrics?: Metrics | undefined;
  /** A source given instead of the config's (replay, queue workers): read as it is, no plan. */
  readonly source?: AsyncIterable<Step<unknown>> | undefined;
  /** Read from the beginning whatever the checkpoint says (`--from-start`, `--full`). */
  readonly fromStart: boolean;
  /** A bar to give a total to (a file's line count, a paginated export's total). */
  readonly progress?: Progress | undefined;
  /** Aborting stops pulling new records. */
  readonly signal?: AbortSignal | undefined;
  /** The config's Oro client (and a limiter to share), for an `oro` source. */
  readonly oro?: SourceContext['oro'];
}

/** Where a run reads from, and the records it reads. */
export interface RunSource {
  readonly plan: StartPlan;
  /** The watermark the last complete run left; only newer records are read. */
  readonly savedWatermark: string | undefined;
  /** The records, numbered for the checkpoint tracker. */
  readonly steps: AsyncIterable<Step<unknown>>;
}

/**
 * Where a run starts (the stored checkpoint, the last run, the file as it is now: see
 * `planStart`) and its source from there, with records older than the saved watermark left out.
 * The start is logged with its reason.
 *
 * @example
 * ```ts
 * const { plan, steps } = await runSource({ config, store, logger, fromStart: false });
 * ```
 */
export async function runSource(input: RunSourceInput): Promise<RunSource> {
  const { config, store, logger, metrics } = input;
  const saved = input.fromStart || input.source ? undefined : await store.getCheckpoint(config.name);
  const watermarkField = config.schedule.watermark;
  const savedWatermark = saved?.watermark ?? undefined;
  const lastRun = (await store.lastRuns(config.name, 1))[0];
  const plan: StartPlan = input.source
    ? { whole: false }
    : await planStart({ config, saved, lastRunComplete: lastRun?.status === 'ok' || lastRun?.status === 'partial' });
  if (plan.reason !== undefined) {
    logger.info({ pipeline: config.name, resume: plan.resume ?? null, watermark: saved?.watermark ?? null }, plan.reason);
  }

  const progress = input.progress ?? NO_PROGRESS;
  const { source: sourceConfig } = config;
  if (input.progress && !input.source && plan.resume === undefined && (sourceConfig.kind === 'ndjson' || sourceConfig.kind === 'csv')) {
    // The file's records, counted alongside the run, give the bar its ETA.
    void countLines(sourceConfig.path).then((lines) => {
      if (lines !== undefined) progress.setTotal(sourceConfig.kind === 'csv' ? Math.max(0, lines - 1) : lines);
    });
  }
  let source =
    input.source ??
    buildSource(config, {
      ...(plan.resume !== undefined ? { resume: plan.resume } : {}),
      onTotal: (total) => progress.setTotal(total),
      onRetry: () => metrics?.retries.inc({ target: runLabel(config) }),
      ...(input.oro ? { oro: input.oro } : {}),
    });
  if (watermarkField && savedWatermark) source = sinceWatermark(source, watermarkField, savedWatermark);
  return { plan, savedWatermark, steps: numbered(source, input.signal) };
}
