import type { Config } from '../config/config-types.js';
import { HttpError } from '../errors/http-error.js';
import type { OroClient } from '../oro/types.js';
import { externalIdMissing, oroSaid } from '../sink/target-refused.js';

/** Names of fields that may hold another system's number: what an integration before us added. */
const LOOKS_EXTERNAL = /erp|extern/i;
/** Oro's own fields that match it and hold something else (`orders.external`: a flag). */
const ORO_OWN = new Set(['external', 'externalId']);

/**
 * For a target that sets `externalId` (the ERP's number written back into orders) without keying
 * by it: does this Oro have it? It has from 6.1.10 and 7.0.2 on; before, `filter[externalId]` is
 * a 400 "filter constraint". Then the problem says which field to use instead: a field of one of
 * the type's records whose name suggests another system's number, else a custom field to add.
 * `undefined` when the target does not set it, or Oro has it.
 *
 * @example
 * ```ts
 * const problem = await checkExternalId(config, client, ({ check, text }) => console.log(`${check}: ${text}`));
 * if (problem) console.log(`not usable: ${problem}`);
 * ```
 */
export async function checkExternalId(
  config: Config,
  client: OroClient,
  onFinding: (finding: { readonly check: 'target'; readonly text: string }) => void,
): Promise<string | undefined> {
  const { type, attributes, key } = config.target;
  // Keyed by it, the lookup probe has told already.
  if (!('externalId' in attributes) || key.oro === 'externalId') return undefined;
  try {
    await client.list(type, { filter: { externalId: ['oro-sync-check'] }, page: { size: 1 } });
    onFinding({ check: 'target', text: `${type} have externalId (set from target.attributes.externalId)` });
    return undefined;
  } catch (error) {
    const refused = error instanceof HttpError ? error.errors.find((e) => e.parameter === 'filter[externalId]') : undefined;
    if (refused === undefined) throw error;
    const sample = await client.list(type, { page: { size: 1 } });
    const candidates = Object.keys(sample.data[0]?.attributes ?? {}).filter((name) => LOOKS_EXTERNAL.test(name) && !ORO_OWN.has(name));
    return externalIdMissing(type, oroSaid(refused), candidates);
  }
}
