import type { Logger } from 'pino';
import type { Config } from '../config/config-types.js';
import type { OroClient } from '../oro/types.js';
import type { IdSpace, StateStore } from '../state/state-store.js';
import { retryAsync } from '../util/retry-async.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import { keysHeldBy } from './read-back.js';
import { stateOroOf } from './state-oro.js';

/** Stored ids checked at the start of a run: one request's worth. */
export const SAMPLE_SIZE = 100;

export interface StoredIdsCheckInput {
  readonly config: Config;
  readonly store: StateStore;
  readonly client: OroClient;
  readonly logger: Logger;
  /** The run's retry budget for the one request. */
  readonly retry: RetryPolicy;
  /** A dry run reads and reports; it forgets nothing. */
  readonly dryRun: boolean;
}

/** What the check found. */
export interface StoredIdsCheck {
  /** Stored ids checked. */
  readonly sampled: number;
  /** Of those, the ids Oro no longer holds with their key (gone, or another record's now). */
  readonly mismatched: number;
}

/**
 * At the start of a run: do the ids this pipeline stored still name its records? Up to 100 keys
 * with a stored id (the most recently stored, which a restored backup would have lost, and some
 * at random) are read back in one request (`filter[id]=...` with the key field in `fields[...]`).
 * When any id is gone, or holds another key (an Oro restored from a backup reuses ids), stored
 * ids and digests say nothing any more: they are dropped (the pipeline's key states keep their
 * outcomes; the id maps of the target and of its related types in this Oro are emptied), so the
 * run looks every key up again; the one log line says so. A dry run only reports.
 *
 * Nothing is checked when the key is Oro's `id` itself, or nothing is stored yet.
 *
 * @example
 * ```ts
 * const { mismatched } = await checkStoredIds({ config, store, client, logger, retry: retryBudgetOf(config.pipeline), dryRun: false });
 * const readWhole = mismatched > 0;
 * ```
 */
export async function checkStoredIds({ config, store, client, logger, retry, dryRun }: StoredIdsCheckInput): Promise<StoredIdsCheck> {
  const { type, key } = config.target;
  if (key.oro === 'id') return { sampled: 0, mismatched: 0 };
  const sample = await store.sampleKnownIds(config.name, SAMPLE_SIZE);
  if (sample.length === 0) return { sampled: 0, mismatched: 0 };
  const held = await retryAsync(() => keysHeldBy(client, type, key.oro, sample.map((s) => s.oroId)), retry);
  const mismatched = sample.filter(({ key: stored, oroId }) => held.get(oroId) !== stored).length;
  if (mismatched === 0) return { sampled: sample.length, mismatched };

  const oro = stateOroOf(config.oro);
  logger.warn({ pipeline: config.name, oro, type, sampled: sample.length, mismatched },
    `Oro at ${oro} no longer holds ${mismatched} of ${sample.length} stored ${type} ids with their ${key.oro} (restored from a backup?): ` +
      `${dryRun ? 'this dry run trusts no stored id or digest' : 'stored ids and digests are dropped'}; every key is looked up again and the source is read whole`);
  if (!dryRun) await store.distrustIds(config.name, oro, idSpacesOf(config));
  return { sampled: sample.length, mismatched };
}

/** The id maps a config's run reads: its target's, and those of the related types it matches by key. */
export function idSpacesOf(config: Config): IdSpace[] {
  const { target } = config;
  const spaces: IdSpace[] = [{ type: target.type, keyField: target.key.oro }];
  for (const rel of Object.values(target.relationships)) {
    if ('match' in rel && rel.match !== undefined) spaces.push({ type: rel.type, keyField: rel.match });
  }
  return spaces;
}
