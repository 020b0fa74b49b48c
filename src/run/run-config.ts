import type { OperatorFunction } from 'rxjs';
import { batchRecords } from '../operators/batch.js';
import { recordWithKey } from '../operators/codecs.js';
import { decodeWith } from '../operators/decode.js';
import { createLimiter } from '../oro/limiter.js';
import { mapRecords, type Mapping } from '../operators/map.js';
import { toOro } from '../sink/to-oro.js';
import { createMemoryIdCache, type IdCache } from '../sink/id-cache.js';
import { storeIdCache } from './store-id-cache.js';
import { digestsFor } from './run-digests.js';
import { pullThrough } from '../sources/pull-through.js';
import { createDeadLetterWriter } from '../state/dead-letters.js';
import type { StateStore } from '../state/state-store.js';
import type { Json } from '../types/jsonapi.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import type { Outcome, Step } from '../types/outcome.js';
import { runCheckpoints } from './checkpoints.js';
import { dryRunSample } from './dry-run-sample.js';
import type { Config } from '../config/config-types.js';
import { deadLetteredByInterruptedRuns } from './interrupted-dead-letters.js';
import { inFlightBounds } from './in-flight.js';
import { reportPauses } from './pauses.js';
import { NO_PROGRESS, type Progress } from './progress.js';
import { retryBudgetOf, type Runtime } from './runtime.js';
import { countOutcomes, type OutcomeCounts } from './summary.js';
import { loadTransform } from './transform.js';
import { onMissingOfRun } from './run-on-missing.js';
import { runSource } from './run-source.js';

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
 * written, metrics and progress updated.
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
export async function runConfig(config: Config, runtime: Runtime, options: RunOptions = {}): Promise<RunResult> {
  const { logger, metrics } = runtime;
  const { target, pipeline, schedule } = config;
  const dryRun = options.dryRun ?? false;
  const started = performance.now();
  const { client, tokens } = runtime.credential(config.oro, retryBudgetOf(pipeline));
  // Credentials are checked before anything is read: a bad secret stops the run here, cleanly.
  await tokens.current();

  const store: StateStore = await runtime.stateStore(config.state);
  const progress = options.progress ?? NO_PROGRESS;
  const { plan, savedWatermark, steps } = await runSource({
    config, store, logger, metrics, source: options.source, fromStart: Boolean(options.fromStart || options.full), progress: options.progress, signal: options.signal,
  });
  const watermarkField = schedule.watermark;

  const mapping: Mapping = {
    type: target.type,
    key: target.key,
    attributes: target.attributes,
    relationships: target.relationships,
    ...(watermarkField ? { watermark: watermarkField } : {}),
    ...(target.transform ? { transform: await loadTransform(target.transform) } : {}),
  };
  const maxPauseMs = pipeline.maxPauseSeconds * 1000;
  const limiter = createLimiter({
    concurrency: pipeline.concurrency,
    ratePerSecond: pipeline.ratePerSecond,
    // A timer firing a few ms late would otherwise be lost for good, leaving the run below the
    // rate it was given; a second token lets the next start catch up (never above the rate).
    burst: 2,
    maxPauseMs,
    onPause: reportPauses(logger.child({ pipeline: config.name }), metrics),
  });
  const retryPolicy: RetryPolicy = {
    ...retryBudgetOf(pipeline),
    // The refused request waits no longer than the pause it imposed on the others.
    maxRetryAfterMs: maxPauseMs,
    onRetry: (info) => {
      metrics?.retries.inc({ target: target.type });
      logger.debug({ attempt: info.attempt, delayMs: Math.round(info.delayMs), error: errorText(info.error) }, 'retrying');
    },
  };
  const bounds = inFlightBounds(pipeline);
  const stored: { flush(): Promise<void> }[] = [];
  const remember = (type: string, field: string): IdCache => {
    if (dryRun) return createMemoryIdCache();
    const cache = storeIdCache(store, type, field);
    stored.push(cache);
    return cache;
  };
  const ids = remember(target.type, target.key.oro);
  const digests = await digestsFor(config, store, { dryRun, sendAll: Boolean(options.full || options.source) }, logger);
  // Workers sharing a PostgreSQL store also share its per-key locks: a key redelivered to one
  // while another still writes it waits, then finds the stored id and digest. One namespace per
  // Oro type and key field (the record the key names), whatever the config's name. A batch can
  // hold a claim and wait on another for its busy keys: two connections more than batches.
  const claims = config.state.url !== undefined && !dryRun ? runtime.keyClaims(config.state.url, `${target.type}:${target.key.oro}`, bounds.batches + 2) : undefined;
  const write: OperatorFunction<Step<unknown>, Outcome> = (steps$) =>
    steps$.pipe(
      decodeWith(recordWithKey(target.key.source)),
      mapRecords(mapping),
      batchRecords({ size: pipeline.batchSize, ms: pipeline.batchMs }),
      toOro({
        client,
        target: { type: target.type, mode: target.mode, strategy: target.strategy, key: { oro: target.key.oro }, conflict: target.conflict },
        concurrency: bounds.batches,
        limiter,
        retry: retryPolicy,
        ids,
        ...(digests ? { digests } : {}),
        ...(claims ? { claims } : {}),
        // Ids learnt by earlier configs of the run (customer groups before customers) come from here.
        relatedIds: remember,
        dryRun,
        onBatch: (ms) => {
          metrics?.batchDuration.observe(ms / 1000);
          metrics?.inFlightRequests.set(limiter.inFlight);
        },
        // Oro's consumer takes a moment per chunk: poll soon, then back off (2 s at most).
        poll: { intervalMs: 100, maxIntervalMs: 2_000 },
      }),
    );

  const checkpoints = runCheckpoints({ store, pipeline: config.name, watermarkField, savedWatermark, save: !dryRun && !options.source });
  const deadLetters = dryRun || options.deadLetters === false ? undefined : createDeadLetterWriter(config.deadLetter.path);
  // After an interrupted run, this one replays records it had finished after its last checkpoint
  // (or all of them, when it was killed before its first checkpoint).
  const alreadyDead = deadLetters && !options.source ? await deadLetteredByInterruptedRuns(store, config.name, config.deadLetter.path) : new Set<string>();
  const counts = countOutcomes();
  const runId = dryRun ? undefined : await store.startRun(config.name, { dryRun } as Json);
  const missing = await onMissingOfRun({
    config, store, logger, runId, whole: !options.source && plan.whole && plan.resume === undefined,
    dryRun, retryDone: options.full ?? false, signal: options.signal, print: options.print,
  });
  const sample = dryRun ? dryRunSample(options.print, options.sample) : undefined;

  let stopped = false;
  let refused: string | undefined;
  try {
    const outcomes = pullThrough(steps, write, {
      maxInFlight: bounds.records,
      gauge: (gauge) => metrics?.queueDepth.set(gauge.inFlight),
      onPull: (gauge) => metrics?.queueDepth.set(gauge.inFlight),
    });
    options.signal?.addEventListener('abort', () => void (stopped = true), { once: true });
    const handle = (outcome: Outcome) => {
      counts.add(outcome);
      metrics?.recordOutcome(target.type, outcome.status);
      metrics?.inFlightRequests.set(limiter.inFlight);
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
      checkpoints.complete(outcome.record);
    });
    if (missing && !stopped) {
      const sweep = await missing.sweep({ client, limiter, retry: retryPolicy, onOutcome: handle });
      if (sweep.stopped) stopped = true;
      refused = sweep.refused;
    }
  } catch (error) {
    // The run's own error says more than one the store may add (it may be the store's).
    if (runId !== undefined) await store.finishRun(runId, { counts: counts.counts, status: 'failed', error: errorText(error) }).catch(() => undefined);
    throw error;
  } finally {
    checkpoints.cancel();
    progress.stop();
    await Promise.all([...stored.map((cache) => cache.flush()), digests?.flush(), deadLetters?.close()]);
    await digests?.release();
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
  if (!dryRun && result.rejected + result.failed === 0 && refused === undefined) metrics?.lastSuccess.set({ target: target.type }, Date.now() / 1000);
  return {
    name: config.name,
    counts: result,
    elapsedMs: performance.now() - started,
    stopped,
    ...(deadLetters && deadLetters.count > 0 ? { deadLetterPath: config.deadLetter.path } : {}),
    ...(refused !== undefined ? { onMissingRefused: refused } : {}),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
