import type { OperatorFunction } from 'rxjs';
import { batchRecords } from '../operators/batch.js';
import { recordWithKey } from '../operators/codecs.js';
import { decodeWith } from '../operators/decode.js';
import { createLimiter } from '../oro/limiter.js';
import { mapRecords, type Mapping } from '../operators/map.js';
import { toOro } from '../sink/to-oro.js';
import { createMemoryIdCache, STORED, type IdCache } from '../sink/id-cache.js';
import { storeIdCache } from './store-id-cache.js';
import { storeDigests } from './store-digests.js';
import { mappingFingerprint } from './mapping-fingerprint.js';
import type { DigestStore, DigestUpdate, KeyDigest } from '../sink/digest-store.js';
import { pullThrough } from '../sources/pull-through.js';
import { createCheckpointTracker } from '../state/checkpoint-tracker.js';
import { createDeadLetterWriter } from '../state/dead-letters.js';
import type { StateStore } from '../state/state-store.js';
import type { Json } from '../types/jsonapi.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import type { Outcome, Step } from '../types/outcome.js';
import { buildSource, numbered, sinceWatermark, watermarkOf } from './build-source.js';
import { concurrencyBound, type Config } from '../config/config-types.js';
import { countLines } from './count-lines.js';
import { planStart } from './start-position.js';
import { deadLetteredByInterruptedRuns } from './interrupted-dead-letters.js';
import { inFlightBounds } from './in-flight.js';
import { reportPauses } from './pauses.js';
import { reportLimit } from './limit-report.js';
import { NO_PROGRESS, type Progress } from './progress.js';
import { retryBudgetOf, type Runtime } from './runtime.js';
import { countOutcomes, type OutcomeCounts } from './summary.js';
import { loadTransform } from './transform.js';
import { sweepMissing } from './on-missing.js';
import { trackSeen } from './seen-keys.js';

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
  const saved = options.fromStart || options.full || options.source ? undefined : await store.getCheckpoint(config.name);
  const watermarkField = schedule.watermark;
  const savedWatermark = saved?.watermark ?? undefined;
  const lastRun = (await store.lastRuns(config.name, 1))[0];
  const plan = options.source
    ? { whole: false }
    : await planStart({ config, saved, lastRunComplete: lastRun?.status === 'ok' || lastRun?.status === 'partial' });
  if (plan.reason !== undefined) {
    logger.info({ pipeline: config.name, resume: plan.resume ?? null, watermark: saved?.watermark ?? null }, plan.reason);
  }

  const progress = options.progress ?? NO_PROGRESS;
  const { source: sourceConfig } = config;
  if (options.progress && !options.source && plan.resume === undefined && (sourceConfig.kind === 'ndjson' || sourceConfig.kind === 'csv')) {
    // The file's records, counted alongside the run, give the bar its ETA.
    void countLines(sourceConfig.path).then((lines) => {
      if (lines !== undefined) progress.setTotal(sourceConfig.kind === 'csv' ? Math.max(0, lines - 1) : lines);
    });
  }
  let source =
    options.source ??
    buildSource(config, {
      ...(plan.resume !== undefined ? { resume: plan.resume } : {}),
      onTotal: (total) => progress.setTotal(total),
      onRetry: () => metrics?.retries.inc({ target: target.type }),
    });
  if (watermarkField && savedWatermark) source = sinceWatermark(source, watermarkField, savedWatermark);
  const steps = numbered(source, options.signal);

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
  const digests = await digestsFor(config, store, options, logger);
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

  const tracker = createCheckpointTracker(savedWatermark ? { initialWatermark: savedWatermark } : {});
  const deadLetters = dryRun || options.deadLetters === false ? undefined : createDeadLetterWriter(config.deadLetter.path);
  // After an interrupted run, this one replays records it had finished after its last checkpoint
  // (or all of them, when it was killed before its first checkpoint).
  const alreadyDead = deadLetters && !options.source ? await deadLetteredByInterruptedRuns(store, config.name, config.deadLetter.path) : new Set<string>();
  const counts = countOutcomes();
  const runId = dryRun ? undefined : await store.startRun(config.name, { dryRun } as Json);
  // target.onMissing: a run that reads the snapshot whole marks every key it reads (in the store,
  // in bulk), so that the known keys it did not read can be found after it. A dry run marks under
  // a token of its own (negative: never a run id) and clears the marks at its end.
  const onMissing = options.source || !plan.whole || plan.resume !== undefined ? undefined : target.onMissing;
  const seenRun = onMissing === undefined ? undefined : (runId ?? -1 - Math.floor(Math.random() * 2 ** 40));
  if (runId !== undefined && seenRun !== undefined) await store.clearSeen(config.name, { below: runId });
  const seen = seenRun === undefined ? undefined : trackSeen(store, config.name, seenRun, target.key.source);
  const sample = options.sample ?? 20;
  let printed = 0;
  // Documents there were to print: rejected records have none, so they do not count as hidden.
  let documents = 0;
  let saveTimer: NodeJS.Timeout | undefined;
  // Checkpoint saves run one after the other, so a late mid-run save never overwrites the final
  // one; a save that failed stops the run once it ends (the checkpoint did not move).
  const checkpoints = inOrder();
  const saveCheckpoint = () => {
    saveTimer = undefined;
    const checkpoint = tracker.checkpoint;
    if (dryRun || !checkpoint || options.source) return;
    // Mid-run, the watermark stays where the last complete run left it: records in this run
    // need not come in watermark order, so only a finished run may move it.
    checkpoints.run(() => store.saveCheckpoint(config.name, { seq: checkpoint.seq, resume: checkpoint.resume, watermark: savedWatermark ?? null }));
  };

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
      seen?.see(outcome);
      if (dryRun && outcome.document) {
        documents++;
        if (printed < sample && options.print) {
          printed++;
          const action = outcome.status === 'created' ? 'create' : 'update';
          options.print(JSON.stringify({ action, where: outcome.record.position.where, document: outcome.document }));
        }
      }
      if (tracker.complete(outcome.record.position, watermarkField ? watermarkOf(outcome.record, watermarkField) : undefined) && !saveTimer) {
        saveTimer = setTimeout(saveCheckpoint, 200);
      }
    });
    if (seen && onMissing && seenRun !== undefined && !stopped) {
      await seen.flush();
      if (seen.unkeyed > 0) {
        // A record whose key could not be read may be one of the known keys: none is provably gone.
        logger.warn({ pipeline: config.name, records: seen.unkeyed, first: seen.firstUnkeyed ?? null },
          `target.onMissing: nothing was deleted or updated: ${seen.unkeyed} record(s) without a readable key (first at ${seen.firstUnkeyed ?? '?'}) may be among the known keys`);
      } else {
        const sweep = await sweepMissing({
          store, pipeline: config.name, runId: seenRun, type: target.type, keyField: target.key.oro, onMissing,
          client, limiter, retry: retryPolicy, concurrency: concurrencyBound(pipeline), dryRun, retryDone: options.full ?? false, signal: options.signal,
          onOutcome: handle, print: options.print,
        });
        if (sweep.stopped) stopped = true;
        refused = sweep.refused;
      }
    }
  } catch (error) {
    // The run's own error says more than one the store may add (it may be the store's).
    if (runId !== undefined) await store.finishRun(runId, { counts: counts.counts, status: 'failed', error: errorText(error) }).catch(() => undefined);
    throw error;
  } finally {
    if (saveTimer) clearTimeout(saveTimer);
    progress.stop();
    await Promise.all([...stored.map((cache) => cache.flush()), digests?.flush(), deadLetters?.close()]);
    await digests?.release();
    if (seenRun !== undefined) {
      // Flushed first: a flush still scheduled would otherwise store marks after they are cleared.
      await seen?.flush();
      await store.clearSeen(config.name, { run: seenRun });
    }
  }
  if (dryRun && options.print && documents > printed) {
    options.print(`(showing ${printed} of ${documents} documents)`);
  }

  saveCheckpoint();
  await checkpoints.done();
  const exhausted = !stopped;
  if (!dryRun && !options.source && exhausted) {
    // A complete run: the next one starts by what the source is then (see planStart), so the
    // checkpoint says so and keeps the file's fingerprint as this run found it.
    const complete = { complete: true, sourceMark: (plan.mark ?? null) as Json | null };
    if (watermarkField) {
      // Incremental: next time, ask only for what changed since the newest record seen.
      const newest = tracker.checkpoint?.watermark ?? savedWatermark ?? null;
      await store.saveCheckpoint(config.name, { seq: -1, resume: null, watermark: newest, ...complete });
    } else {
      // A run that read nothing new keeps the position it started from.
      const resume = tracker.checkpoint?.resume ?? plan.resume ?? null;
      await store.saveCheckpoint(config.name, { seq: tracker.checkpoint?.seq ?? -1, resume, watermark: null, ...complete });
    }
  }
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

/**
 * The digests the sink checks and stores. A changed mapping drops the stored ones (the next run
 * sends everything once); `--full`, replay and queue workers send every record but still store
 * what Oro confirms; a dry run reads them and stores nothing.
 */
async function digestsFor(config: Config, store: StateStore, options: RunOptions, logger: Runtime['logger']): Promise<(DigestStore & { flush(): Promise<void>; release(): Promise<void> }) | undefined> {
  const fingerprint = await mappingFingerprint(config.target);
  const before = await store.mappingFingerprint(config.name);
  const changed = before !== fingerprint;
  if (options.dryRun) {
    if (changed) return undefined;
    const digests = storeDigests(store, config.name);
    return { get: (keys) => digests.get(keys), put: () => STORED, flush: () => STORED, release: () => STORED };
  }
  if (changed) {
    if (before !== undefined) {
      logger.info({ pipeline: config.name }, 'the mapping changed (target or transform): every record is sent once again');
    }
    await store.changeMapping(config.name, fingerprint);
  }
  const digests = storeDigests(store, config.name);
  // A rejection is stored only once its dead letter is on disk (`release`, after the file is
  // closed): stored sooner, a crash could lose the letter while the next run, seeing "rejected
  // before", would not write it again.
  const held: DigestUpdate[] = [];
  const put = (updates: Iterable<DigestUpdate>): Promise<void> => {
    const now: DigestUpdate[] = [];
    for (const update of updates) (update.lastOutcome === 'rejected' ? held : now).push(update);
    // A held rejection is not stored before the run ends: nothing for the sink to wait for.
    return now.length > 0 ? digests.put(now) : STORED;
  };
  const release = async () => {
    void digests.put(held.splice(0));
    await digests.flush();
  };
  const get = options.full || options.source ? () => Promise.resolve(new Map<string, KeyDigest>()) : (keys: readonly string[]) => digests.get(keys);
  return { get, put, flush: digests.flush, release };
}

/**
 * Store calls run one after the other; the first failure is kept for `done()`, so an
 * un-awaited call (a checkpoint saved on a timer) cannot be lost nor crash the process.
 */
function inOrder(): { run(call: () => Promise<void>): void; done(): Promise<void> } {
  let tail: Promise<void> = Promise.resolve();
  let failure: { readonly error: unknown } | undefined;
  return {
    run(call) {
      tail = tail.then(call).catch((error: unknown) => void (failure ??= { error }));
    },
    async done() {
      await tail;
      if (failure) throw failure.error;
    },
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
