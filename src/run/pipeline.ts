import type { OperatorFunction } from 'rxjs';
import type { Config } from '../config/config-types.js';
import { batchRecords } from '../operators/batch.js';
import { recordWithKey } from '../operators/codecs.js';
import { decodeWith } from '../operators/decode.js';
import { mapRecords, type Mapping } from '../operators/map.js';
import type { Limiter } from '../oro/limiter.js';
import type { OroClient } from '../oro/types.js';
import { createMemoryIdCache, type IdCache } from '../sink/id-cache.js';
import { toOro } from '../sink/to-oro.js';
import type { StateStore } from '../state/state-store.js';
import type { Outcome, Step } from '../types/outcome.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import { inFlightBounds } from './in-flight.js';
import { digestsFor } from './run-digests.js';
import type { MappingState } from './mapping-fingerprint.js';
import { runLimits } from './run-limits.js';
import type { Runtime } from './runtime.js';
import { stateOroOf } from './state-oro.js';
import { readOnlyStoreIdCache, storeIdCache } from './store-id-cache.js';
import { loadTransform } from './transform.js';
import { rememberUpstreamRejections } from './upstream-rejections.js';

/** What a run sends its records through, and what it must flush before its store may close. */
export interface RunPipeline {
  /** steps -> decode -> map -> batch -> toOro (throttled, retried): one outcome per step. */
  readonly write: OperatorFunction<Step<unknown>, Outcome>;
  /** The run's limiter and retry policy, shared with the onMissing sweep. */
  readonly limiter: Limiter;
  readonly retry: RetryPolicy;
  /** Records read and without an outcome yet (`pullThrough`'s `maxInFlight`). */
  readonly maxInFlight: number;
  /** Stores the ids and digests gathered now. */
  flush(): Promise<void>;
  /** Stores the rejections' digests held back: after the dead-letter file is closed. */
  release(): Promise<void>;
}

export interface PipelineInput {
  readonly config: Config;
  readonly runtime: Runtime;
  readonly client: OroClient;
  readonly store: StateStore;
  /** Decide and report only: stored ids and digests are read, nothing is stored. */
  readonly dryRun: boolean;
  /** Send every record whatever its stored digest (`--full`, replay, queue workers). */
  readonly sendAll: boolean;
  /** Trust no stored id or digest (a dry run after `--forget-state`, or against a restored Oro). */
  readonly ignoreStored?: boolean;
  /** The mapping as the run's start read it. */
  readonly mapping?: MappingState;
}

/**
 * Assembles a config's road into Oro: its mapping (records it refuses remembered, so that each
 * is dead-lettered once: `rememberUpstreamRejections`), the limiter (`concurrency`, `ratePerSecond`,
 * pauses on 429/503), the retry policy, the id caches and digests in the state store, the
 * PostgreSQL key claims shared by workers, and the `toOro` sink.
 *
 * @example
 * ```ts
 * const pipeline = await buildPipeline({ config, runtime, client, store, dryRun: false, sendAll: false });
 * await pullThrough(steps, pipeline.write, { maxInFlight: pipeline.maxInFlight }).forEach(handle);
 * await pipeline.flush();
 * await pipeline.release();
 * ```
 */
export async function buildPipeline({ config, runtime, client, store, dryRun, sendAll, ignoreStored = false, mapping: read }: PipelineInput): Promise<RunPipeline> {
  const { logger, metrics } = runtime;
  const { target, pipeline } = config;
  const watermarkField = config.schedule.watermark;
  const mapping: Mapping = {
    type: target.type,
    key: target.key,
    attributes: target.attributes,
    relationships: target.relationships,
    ...(target.names ? { names: target.names } : {}),
    ...(target.unitPrecisions ? { unitPrecisions: target.unitPrecisions } : {}),
    ...(watermarkField ? { watermark: watermarkField } : {}),
    ...(target.transform ? { transform: await loadTransform(target.transform) } : {}),
  };
  const { limiter, retry } = runLimits(config, runtime);
  const bounds = inFlightBounds(pipeline);
  const stored: { flush(): Promise<void> }[] = [];
  const oro = stateOroOf(config.oro);
  const remember = (type: string, field: string): IdCache => {
    // A dry run reads the stored ids (it decides as the run would) and keeps what it learns to itself.
    if (dryRun) return ignoreStored ? createMemoryIdCache() : readOnlyStoreIdCache(store, oro, type, field);
    const cache = storeIdCache(store, oro, type, field);
    stored.push(cache);
    return cache;
  };
  const ids = remember(target.type, target.key.oro);
  const digests = await digestsFor(config, store, { dryRun, sendAll: sendAll || ignoreStored, ...(read ? { mapping: read } : {}) }, logger);
  // Workers sharing a PostgreSQL store also share its per-key locks: a key redelivered to one
  // while another still writes it waits, then finds the stored id and digest. One namespace per
  // Oro type and key field (the record the key names), whatever the config's name. A batch can
  // hold a claim and wait on another for its busy keys: two connections more than batches.
  const claims = config.state.url !== undefined && !dryRun ? runtime.keyClaims(config.state.url, `${target.type}:${target.key.oro}`, bounds.batches + 2) : undefined;
  const write: OperatorFunction<Step<unknown>, Outcome> = (steps$) =>
    steps$.pipe(
      decodeWith(recordWithKey(target.key.source)),
      mapRecords(mapping),
      // A record refused before the sink is dead-lettered once, not on every whole read.
      (mapped$) => (digests ? mapped$.pipe(rememberUpstreamRejections(digests, target.key.source)) : mapped$),
      batchRecords({ size: pipeline.batchSize, ms: pipeline.batchMs }),
      toOro({
        client,
        target: { type: target.type, mode: target.mode, strategy: target.strategy, key: { oro: target.key.oro }, conflict: target.conflict },
        concurrency: bounds.batches,
        limiter,
        retry,
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
  return {
    write,
    limiter,
    retry,
    maxInFlight: bounds.records,
    flush: async () => {
      await Promise.all([...stored.map((cache) => cache.flush()), digests?.flush()]);
    },
    release: async () => {
      await digests?.release();
    },
  };
}
