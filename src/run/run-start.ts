import type { Logger } from 'pino';
import type { AnyConfig, Config } from '../config/config-types.js';
import { isTransient } from '../errors/classify.js';
import { PreflightError } from '../errors/preflight-error.js';
import type { OroClient } from '../oro/types.js';
import type { StateStore } from '../state/state-store.js';
import { retryAsync } from '../util/retry-async.js';
import { csvHeaderProblems } from './csv-header.js';
import { mappingChanged, readMapping, type MappingState } from './mapping-fingerprint.js';
import { probeTarget } from './preflight.js';
import { checkStoredIds } from './restored-oro.js';
import { retryBudgetOf } from './runtime.js';
import { ensureStateOro } from './state-oro.js';

export interface RunStartInput {
  /** A config into Oro (all of the below), or out of Oro into a sink (its state's Oro only). */
  readonly config: AnyConfig;
  readonly store: StateStore;
  readonly client: OroClient;
  readonly logger: Logger;
  readonly dryRun: boolean;
  /** `--forget-state`: start the pipeline over against the config's Oro. */
  readonly forgetState: boolean;
  /** A source given instead of the config's (replay, queue workers): its header is not the config's to check. */
  readonly givenSource: boolean;
}

/** What the start of a run decided about the rest of it. */
export interface RunStart {
  /**
   * Read the source from its first record, whatever its checkpoint says: the mapping changed
   * (every record is sent once again), the stored ids no longer hold (an Oro restored from a
   * backup), or the state was forgotten.
   */
  readonly fromStart: boolean;
  /**
   * Trust no stored digest or id: a dry run that cannot drop them (`--forget-state`, a restored
   * Oro) behaves as the run would after dropping them.
   */
  readonly ignoreStored: boolean;
  /** The mapping, as its digests are to be treated. */
  readonly mapping: MappingState;
}

/**
 * The target probed as `check` does. An Oro that does not answer (after the retry budget) refuses
 * nothing: the run goes on, and the sink stops it at its first write if the target is wrong.
 */
async function preflight(config: Config, { client, logger }: RunStartInput): Promise<readonly string[]> {
  const retry = retryBudgetOf(config.pipeline);
  try {
    return (await probeTarget(config, client, undefined, (request) => retryAsync(request, retry))).problems;
  } catch (error) {
    if (!isTransient(error)) throw error;
    logger.warn({ pipeline: config.name, error: error instanceof Error ? error.message : String(error) },
      `preflight: Oro did not answer the probe of ${config.target.type}; the run goes on, and stops at its first write if the target cannot be written`);
    return [];
  }
}

/**
 * Everything a run settles before it reads a record, in order, so that nothing is written when
 * one of them stops it (exit 2). A run out of Oro into a sink settles only the first (and none
 * when its source is no Oro):
 *
 * 1. the state belongs to the config's Oro (`ensureStateOro`; `--forget-state` starts over);
 * 2. preflight, on a pipeline's first run and after its mapping changed: the target as `check`
 *    probes it (`probeTarget`: unknown type, Batch API off, upsert refused, key filter missing),
 *    retried like any request (an Oro that does not answer refuses nothing); and on every run,
 *    a CSV header with every column the mapping reads. Problems throw `PreflightError` with
 *    `check`'s lines;
 * 3. the stored ids still name this pipeline's records (`checkStoredIds`): when not, they are
 *    dropped and the source is read whole;
 * 4. a changed mapping reads the source whole (its digests are dropped by `digestsFor`).
 *
 * @example
 * ```ts
 * const start = await startRun({ config, store, client, logger, dryRun: false, forgetState: false, givenSource: false });
 * const source = await runSource({ config, store, logger, fromStart: start.fromStart });
 * ```
 * @throws ForeignStateError, PreflightError (rejects) when the run must not go on.
 */
export async function startRun(input: RunStartInput): Promise<RunStart> {
  const { config, store, client, logger, dryRun } = input;
  const retry = retryBudgetOf(config.pipeline);
  // A run out of a file into a sink reads and writes no Oro: its state is no Oro's.
  const withOro = !('sink' in config) || config.source.kind === 'oro';
  const { forgotten } = withOro ? await ensureStateOro({ config, store, logger, forget: input.forgetState, dryRun }) : { forgotten: false };
  const read = await readMapping(config, store);
  // A dry run cannot drop what it forgets: its digests count as another mapping's.
  const mapping: MappingState = forgotten && dryRun ? { fingerprint: read.fingerprint, before: undefined } : read;
  // Out of Oro, no target to probe and no Oro id stored: only where the state came from matters.
  if ('sink' in config) return { fromStart: forgotten, ignoreStored: dryRun && forgotten, mapping };

  const problems: string[] = [];
  // Once per mapping and Oro: a later run meets a target Oro changed under it at its first write.
  if (mapping.before !== mapping.fingerprint) problems.push(...await preflight(config, input));
  if (!input.givenSource) problems.push(...await csvHeaderProblems(config));
  if (problems.length > 0) throw new PreflightError(problems);

  const restored = forgotten ? { mismatched: 0 } : await checkStoredIds({ config, store, client, logger, retry, dryRun });
  return {
    fromStart: forgotten || restored.mismatched > 0 || mappingChanged(mapping),
    ignoreStored: dryRun && (forgotten || restored.mismatched > 0),
    mapping,
  };
}
