import type { Logger } from 'pino';
import type { AnyConfig, OroConfig, StateConfig } from '../config/config-types.js';
import { ForeignStateError } from '../errors/foreign-state-error.js';
import type { StateStore } from '../state/state-store.js';
import { redactUrl as passwordReplaced } from '../util/redact.js';
import { redactUrl } from '../util/url.js';

/**
 * The Oro a config's state belongs to: its base URL, without any user or password in it (the
 * state store names it, and a changed password is still the same Oro).
 */
export function stateOroOf(oro: Pick<OroConfig, 'baseUrl'>): string {
  return redactUrl(oro.baseUrl);
}

/** How a state store is named to the user: `state.path`, or `state.url` with its password replaced. */
export function stateWhere(state: StateConfig): string {
  return state.url !== undefined ? passwordReplaced(state.url) : state.path;
}

export interface StateOroInput {
  readonly config: AnyConfig;
  readonly store: StateStore;
  readonly logger: Logger;
  /** `--forget-state`: drop the pipeline's ids, digests and checkpoint, and start over with this Oro. */
  readonly forget: boolean;
  /** A dry run writes nothing: it neither records the Oro nor forgets anything. */
  readonly dryRun: boolean;
}

/**
 * Before a run reads or writes anything: the pipeline's ids, digests and checkpoint must come
 * from the Oro the config points at. A pipeline that has none recorded (its first run, or a
 * state an older oro-sync wrote), or that stored nothing yet, records this one. Another one stops
 * the run (exit 2) with {@link ForeignStateError}, unless `forget` (`--forget-state`) drops that
 * state first; runs stay.
 * Resolves with whether the state was forgotten (a dry run only behaves as if: it writes nothing).
 *
 * @example
 * ```ts
 * const { forgotten } = await ensureStateOro({ config, store, logger, forget: options.forgetState ?? false, dryRun: false });
 * ```
 * @throws ForeignStateError (rejects) when the state came from another Oro and `forget` is off.
 */
export async function ensureStateOro({ config, store, logger, forget, dryRun }: StateOroInput): Promise<{ readonly forgotten: boolean }> {
  const oro = stateOroOf(config.oro);
  const recorded = await store.oroOf(config.name);
  if (forget) {
    if (!dryRun) await store.forgetState(config.name, oro);
    logger.info({ pipeline: config.name, oro, before: recorded ?? null },
      `--forget-state: the ids, digests and checkpoint of ${config.name} are ${dryRun ? 'ignored by this dry run' : 'dropped'}; it starts over against ${oro}`);
    return { forgotten: true };
  }
  if (recorded === undefined) {
    if (!dryRun) await store.claimOro(config.name, oro);
    return { forgotten: false };
  }
  if (recorded === oro) return { forgotten: false };
  // A pipeline that stored nothing from the other Oro (its first run was refused, say, by a
  // preflight against a mistyped URL) has nothing to protect: it moves to this one.
  if (await holdsNothing(store, config.name)) {
    if (!dryRun) await store.claimOro(config.name, oro);
    return { forgotten: false };
  }
  throw new ForeignStateError(stateWhere(config.state), recorded, oro);
}

/** The pipeline has no key state and no checkpoint: nothing it stored came from any Oro. */
async function holdsNothing(store: StateStore, pipeline: string): Promise<boolean> {
  const counts = await store.keyStateCounts(pipeline);
  return counts.confirmed + counts.rejected + counts.failed === 0 && (await store.getCheckpoint(pipeline)) === undefined;
}
