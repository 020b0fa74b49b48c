import { pullThrough } from '../sources/pull-through.js';
import { createDeadLetterWriter } from '../state/dead-letters.js';
import type { StateStore } from '../state/state-store.js';
import type { Json } from '../types/jsonapi.js';
import type { Outcome, Step } from '../types/outcome.js';
import type { AnyConfig } from '../config/config-types.js';
import { runCheckpoints } from './checkpoints.js';
import { dryRunSample } from './dry-run-sample.js';
import { deadLetteredByInterruptedRuns } from './interrupted-dead-letters.js';
import { buildPipeline } from './pipeline.js';
import { NO_PROGRESS, type Progress } from './progress.js';
import { onMissingOfRun } from './run-on-missing.js';
import { runSource } from './run-source.js';
import { watchFirstRejections } from './rejection-streak.js';
import { runLabel } from './run-label.js';
import { startRun } from './run-start.js';
import { buildSinkPipeline } from './sink-pipeline.js';
import { retryBudgetOf, type Runtime } from './runtime.js';
import { countOutcomes, type OutcomeCounts } from './summary.js';

export interface RunOptions {
  /** Read, decide and report; write nothing (no Oro writes, no checkpoint, no dead letters). */
  readonly dryRun?: boolean;
  /** Where progress is reported (the CLI's bar); a file source's line count gives it a total. */
  readonly progress?: Progress;
  /** Ignore the checkpoint and read the source from its beginning. */
  readonly fromStart?: boolean;
  /**
   * Ignore digests and checkpoints for this run: read the source whole and send every record
   * (the digests of what Oro confirms are stored again for the next run).
   */
  readonly full?: boolean;
  /**
   * `--forget-state`: drop the pipeline's ids, digests and checkpoint (its runs stay) and start
   * over against the config's Oro; what a state from another Oro needs (see `ensureStateOro`).
   */
  readonly forgetState?: boolean;
  /** Aborting stops pulling new records; what is in flight finishes (graceful drain). */
  readonly signal?: AbortSignal;
  /** Where dry-run documents are printed. */
  readonly print?: (line: string) => void;
  /** How many dry-run documents to print (default 20). */
  readonly sample?: number;
  /** A source to use instead of the config's (replay, queue workers). */
  readonly source?: AsyncIterable<Step<unknown>>;
  /** Write rejected and failed records to `deadLetter.path` (default true; replay reads that file). */
  readonly deadLetters?: boolean;
  /** Every outcome, as it happens. */
  readonly onOutcome?: (outcome: Outcome) => void;
}

/**
 * What one run of a config did: outcome counts, how long it took, whether a signal stopped it,
 * and where its dead letters are.
 *
 * @example
 * ```ts
 * const result = await runConfig(config, runtime);
 * console.log(`${result.name}: created ${result.counts.created}, rejected ${result.counts.rejected} in ${result.elapsedMs} ms`);
 * ```
 */
export interface RunResult {
  readonly name: string;
  readonly counts: OutcomeCounts;
  readonly elapsedMs: number;
  /** The run was stopped by a signal before the source was exhausted. */
  readonly stopped: boolean;
  /** Rejected and failed records were written here (absent when there were none, or in a dry run). */
  readonly deadLetterPath?: string;
  /**
   * `target.onMissing` did nothing because more than `maxFraction` of the known keys were missing:
   * the one line saying so (the run exits 1).
   */
  readonly onMissingRefused?: string;
}

/**
 * Runs one config once: source -> decode -> map -> batch -> sink (throttled, retried) ->
 * outcomes, with the checkpoint saved as finished work advances (invariant 4), dead letters
 * written, metrics and progress updated. A config with a `sink` instead of a `target` runs out
 * of Oro the same way: source -> `toSink` (a file, an HTTP endpoint, a queue) -> outcomes.
 *
 * Each phase is a part of its own: what must hold before anything is read or written
 * (`startRun`: the state's Oro, preflight, stored ids), where it reads (`runSource`), the road
 * into Oro (`buildPipeline`, with its digests from `digestsFor`) or out of it
 * (`buildSinkPipeline`), the checkpoints (`runCheckpoints`), `target.onMissing`
 * (`onMissingOfRun`) and a dry run's printed sample (`dryRunSample`).
 *
 * @example
 * ```ts
 * const runtime = createRuntime({ logger: pino(), concurrency: 8, timeoutMs: 30_000 });
 * try {
 *   const { config } = await loadConfig('customers.json');
 *   const result = await runConfig(config, runtime, { onOutcome: (o) => console.log(o.status) });
 *   process.exitCode = result.counts.rejected + result.counts.failed > 0 ? 1 : 0;
 * } finally {
 *   await runtime.close();
 * }
 * ```
 */
export async function runConfig(config: AnyConfig, runtime: Runtime, options: RunOptions = {}): Promise<RunResult> {
  const { logger, metrics } = runtime;
  const label = runLabel(config);
  const dryRun = options.dryRun ?? false;
  const started = performance.now();
  const { client, tokens } = runtime.credential(config.oro, retryBudgetOf(config.pipeline));
  // Credentials are checked before anything is read: a bad secret stops the run here, cleanly.
  if (!('sink' in config) || config.source.kind === 'oro') await tokens.current();

  const store: StateStore = await runtime.stateStore(config.state);
  // Nothing is read or written before this says the run may go on (the state's Oro, preflight).
  const start = await startRun({ config, store, client, logger, dryRun, forgetState: options.forgetState ?? false, givenSource: options.source !== undefined });
  const progress = options.progress ?? NO_PROGRESS;
  // The first records all rejected for one reason: the target or the mapping is wrong, and reading stops.
  const reading = new AbortController();
  const streak = options.source ? undefined : watchFirstRejections(() => reading.abort());
  const { plan, savedWatermark, steps } = await runSource({
    config, store, logger, metrics, source: options.source, fromStart: Boolean(options.fromStart || options.full || start.fromStart), progress: options.progress,
    signal: options.signal ? AbortSignal.any([options.signal, reading.signal]) : reading.signal, oro: { client },
  });
  const sendAll = Boolean(options.full || options.source);
  const pipeline = 'sink' in config
    ? await buildSinkPipeline({ config, runtime, store, dryRun, sendAll })
    : await buildPipeline({ config, runtime, client, store, dryRun, sendAll, ignoreStored: start.ignoreStored, mapping: start.mapping });
  const checkpoints = runCheckpoints({ store, pipeline: config.name, watermarkField: config.schedule.watermark, savedWatermark, save: !dryRun && !options.source });
  const deadLetters = dryRun || options.deadLetters === false ? undefined : createDeadLetterWriter(config.deadLetter.path);
  // After an interrupted run, this one replays records it had finished after its last checkpoint
  // (or all of them, when it was killed before its first checkpoint).
  const alreadyDead = deadLetters && !options.source ? await deadLetteredByInterruptedRuns(store, config.name, config.deadLetter.path) : new Set<string>();
  const counts = countOutcomes();
  const runId = dryRun ? undefined : await store.startRun(config.name, { dryRun } as Json);
  const missing = 'sink' in config ? undefined : await onMissingOfRun({
    config, store, logger, runId, whole: !options.source && plan.whole && plan.resume === undefined,
    dryRun, retryDone: options.full ?? false, signal: options.signal, print: options.print,
  });
  const sample = dryRun ? dryRunSample(options.print, options.sample) : undefined;

  let stopped = false;
  let refused: string | undefined;
  try {
    const outcomes = pullThrough(steps, pipeline.write, {
      maxInFlight: pipeline.maxInFlight,
      gauge: (gauge) => metrics?.queueDepth.set(gauge.inFlight),
      onPull: (gauge) => metrics?.queueDepth.set(gauge.inFlight),
    });
    options.signal?.addEventListener('abort', () => void (stopped = true), { once: true });
    const handle = (outcome: Outcome) => {
      counts.add(outcome);
      metrics?.recordOutcome(label, outcome.status);
      metrics?.inFlightRequests.set(pipeline.limiter.inFlight);
      progress.increment(outcome.status);
      // A record rejected before with the same content was not sent: its dead letter is in the file.
      const repeated = outcome.status === 'rejected' && outcome.rejectedBefore !== undefined;
      if (!repeated && !alreadyDead.has(outcome.record.position.where)) deadLetters?.write(outcome);
      options.onOutcome?.(outcome);
    };
    await outcomes.forEach((outcome) => {
      handle(outcome);
      missing?.see(outcome);
      sample?.see(outcome);
      if (streak) {
        streak.see(outcome, checkpoints.complete);
        // Tripped: what is still in flight is abandoned, as in a crash (the checkpoint is not past it).
        if (streak.tripped) throw streak.tripped;
      } else checkpoints.complete(outcome.record);
    });
    streak?.end(checkpoints.complete);
    if (missing && !stopped) {
      const sweep = await missing.sweep({ client, limiter: pipeline.limiter, retry: pipeline.retry, onOutcome: handle });
      if (sweep.stopped) stopped = true;
      refused = sweep.refused;
    }
  } catch (error) {
    // The run's own error says more than one the store may add (it may be the store's).
    const text = error instanceof Error ? error.message : String(error);
    if (runId !== undefined) await store.finishRun(runId, { counts: counts.counts, status: 'failed', error: text }).catch(() => undefined);
    throw error;
  } finally {
    checkpoints.cancel();
    progress.stop();
    await Promise.all([pipeline.flush(), deadLetters?.close()]);
    await pipeline.release();
    await missing?.end();
  }
  sample?.end();

  await checkpoints.finish();
  if (!stopped) await checkpoints.saveComplete(plan);
  const result = counts.counts;
  if (runId !== undefined) {
    await store.finishRun(runId, {
      counts: result,
      status: stopped ? 'stopped' : result.rejected + result.failed > 0 || refused !== undefined ? 'partial' : 'ok',
      ...(refused !== undefined ? { error: refused } : {}),
    });
  }
  if (!dryRun && result.rejected + result.failed === 0 && refused === undefined) metrics?.lastSuccess.set({ target: label }, Date.now() / 1000);
  return {
    name: config.name,
    counts: result,
    elapsedMs: performance.now() - started,
    stopped,
    ...(deadLetters && deadLetters.count > 0 ? { deadLetterPath: config.deadLetter.path } : {}),
    ...(refused !== undefined ? { onMissingRefused: refused } : {}),
  };
}
