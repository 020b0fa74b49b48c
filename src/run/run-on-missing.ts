import type { Logger } from 'pino';
import { concurrencyBound, type Config } from '../config/config-types.js';
import type { Limiter } from '../oro/limiter.js';
import type { OroClient } from '../oro/types.js';
import type { StateStore } from '../state/state-store.js';
import type { Outcome } from '../types/outcome.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import { sweepMissing, type SweepResult } from './on-missing.js';
import { trackSeen } from './seen-keys.js';
import { stateOroOf } from './state-oro.js';

export interface OnMissingRunInput {
  readonly config: Config;
  readonly store: StateStore;
  readonly logger: Logger;
  /** The run's id in the store; absent in a dry run, which marks under a token of its own. */
  readonly runId: number | undefined;
  /** The run reads the snapshot whole, from its first record (not resumed, no given source). */
  readonly whole: boolean;
  readonly dryRun: boolean;
  /** `--full`: deal again with keys an earlier run updated or Oro refused. */
  readonly retryDone: boolean;
  readonly signal?: AbortSignal | undefined;
  /** Where a dry run lists what it would do. */
  readonly print?: ((line: string) => void) | undefined;
}

/** What the sweep writes with: the run's own client, limiter and retry policy. */
export interface SweepSink {
  readonly client: OroClient;
  readonly limiter: Limiter;
  readonly retry: RetryPolicy;
  /** Every outcome of the sweep, handled as the run handles a record's. */
  readonly onOutcome: (outcome: Outcome) => void;
}

/** `target.onMissing` within one run: marks while it reads, the sweep after, the marks cleared. */
export interface OnMissingRun {
  /** Marks the key of one outcome of the source as read. */
  see(outcome: Outcome): void;
  /**
   * Once the source is read to its end: the known keys the run did not read are deleted or
   * updated, unless a record without a readable key leaves none provably gone.
   */
  sweep(sink: SweepSink): Promise<SweepResult>;
  /** Stores the marks still gathered, then clears the run's marks; called however the run ends. */
  end(): Promise<void>;
}

/**
 * A run that reads the snapshot whole marks every key it reads (in the store, in bulk), so that
 * the known keys it did not read can be found after it. A dry run marks under a token of its own
 * (negative: never a run id) and clears the marks at its end. `undefined`: the config has no
 * `target.onMissing`, or this run does not read the snapshot whole.
 *
 * @example
 * ```ts
 * const missing = await onMissingOfRun({ config, store, logger, runId, whole: true, dryRun: false, retryDone: false });
 * try {
 *   await outcomes.forEach((outcome) => missing?.see(outcome));
 *   const sweep = await missing?.sweep({ client, limiter, retry, onOutcome });
 * } finally {
 *   await missing?.end();
 * }
 * ```
 */
export async function onMissingOfRun(input: OnMissingRunInput): Promise<OnMissingRun | undefined> {
  const { config, store, logger, runId, dryRun } = input;
  const { target } = config;
  const onMissing = input.whole ? target.onMissing : undefined;
  if (onMissing === undefined) return undefined;
  const seenRun = runId ?? -1 - Math.floor(Math.random() * 2 ** 40);
  if (runId !== undefined) await store.clearSeen(config.name, { below: runId });
  const seen = trackSeen(store, config.name, seenRun, target.key.source);
  return {
    see: (outcome) => seen.see(outcome),
    async sweep({ client, limiter, retry, onOutcome }) {
      await seen.flush();
      if (seen.unkeyed > 0) {
        // A record whose key could not be read may be one of the known keys: none is provably gone.
        logger.warn({ pipeline: config.name, records: seen.unkeyed, first: seen.firstUnkeyed ?? null },
          `target.onMissing: nothing was deleted or updated: ${seen.unkeyed} record(s) without a readable key (first at ${seen.firstUnkeyed ?? '?'}) may be among the known keys`);
        return { stopped: false, forgotten: 0 };
      }
      const result = await sweepMissing({
        store, pipeline: config.name, runId: seenRun, type: target.type, keyField: target.key.oro, oro: stateOroOf(config.oro), onMissing,
        client, limiter, retry, concurrency: concurrencyBound(config.pipeline), dryRun, retryDone: input.retryDone, signal: input.signal,
        onOutcome, print: input.print,
      });
      if (result.forgotten > 0) {
        logger.warn({ pipeline: config.name, forgotten: result.forgotten },
          `target.onMissing: ${result.forgotten} stored ${target.type} id(s) no longer hold their ${target.key.oro} in Oro (gone, or another record's now): ` +
            `${dryRun ? 'they would be forgotten' : 'forgotten'}, neither ${onMissing.action === 'delete' ? 'deleted' : 'updated'}`);
      }
      return result;
    },
    async end() {
      // Flushed first: a flush still scheduled would otherwise store marks after they are cleared.
      await seen.flush();
      await store.clearSeen(config.name, { run: seenRun });
    },
  };
}
