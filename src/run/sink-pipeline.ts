import type { OperatorFunction } from 'rxjs';
import type { SinkRunConfig } from '../config/config-types.js';
import type { SinkTransform } from '../sink/delivery.js';
import { toSink } from '../sink/to-sink.js';
import type { StateStore } from '../state/state-store.js';
import type { Outcome, Step } from '../types/outcome.js';
import { inFlightBounds } from './in-flight.js';
import { openSink, type OpenSink } from './open-sink.js';
import type { RunPipeline } from './pipeline.js';
import { digestsFor } from './run-digests.js';
import { runLimits } from './run-limits.js';
import type { Runtime } from './runtime.js';
import { loadSinkTransform } from './transform.js';

export interface SinkPipelineInput {
  readonly config: SinkRunConfig;
  readonly runtime: Runtime;
  readonly store: StateStore;
  /** Decide and report only: the sink is not opened, digests are read and not stored. */
  readonly dryRun: boolean;
  /** Deliver every record whatever its stored digest (`--full`, replay). */
  readonly sendAll: boolean;
}

/**
 * Assembles a config's road out of Oro: its `sink.transform`, the digests of what the sink last
 * confirmed per type/id (in the state store, dropped when the sink or its transform changes), the
 * run's limiter and retry policy (`pipeline`), the sink opened (not in a dry run), and `toSink`.
 * Its `release` stores the held digests and closes the sink.
 *
 * @example
 * ```ts
 * const pipeline = await buildSinkPipeline({ config, runtime, store, dryRun: false, sendAll: false });
 * try {
 *   await pullThrough(steps, pipeline.write, { maxInFlight: pipeline.maxInFlight }).forEach(handle);
 *   await pipeline.flush();
 * } finally {
 *   await pipeline.release();
 * }
 * ```
 */
export async function buildSinkPipeline({ config, runtime, store, dryRun, sendAll }: SinkPipelineInput): Promise<RunPipeline> {
  const { logger, metrics } = runtime;
  const { sink, pipeline } = config;
  const transform: SinkTransform | undefined = sink.transform === undefined ? undefined : await loadSinkTransform(sink.transform);
  const { limiter, retry } = runLimits(config, runtime);
  const digests = await digestsFor(config, store, { dryRun, sendAll }, logger);
  // A dry run opens nothing: no file, no socket, no queue declared.
  const opened: OpenSink | undefined = dryRun ? undefined : await openSink({ sink, pipeline, logger, limiter, retry });
  const write: OperatorFunction<Step<unknown>, Outcome> = toSink({
    deliver: opened?.deliver ?? (() => Promise.reject(new Error('a dry run delivers nothing'))),
    ...(transform ? { transform } : {}),
    ...(digests ? { digests } : {}),
    batch: { size: opened?.batchSize ?? pipeline.batchSize, ms: pipeline.batchMs },
    concurrency: opened?.concurrency ?? 1,
    dryRun,
    onBatch: (ms) => {
      metrics?.batchDuration.observe(ms / 1000);
      metrics?.inFlightRequests.set(limiter.inFlight);
    },
  });
  const batchSize = opened?.batchSize ?? pipeline.batchSize;
  return {
    write,
    limiter,
    retry,
    maxInFlight: inFlightBounds({ batchSize, concurrency: opened?.concurrency ?? 1 }).records,
    flush: async () => {
      await digests?.flush();
    },
    release: async () => {
      try {
        await digests?.release();
      } finally {
        await opened?.close();
      }
    },
  };
}
