import type { ListPage, OroClient } from '../oro/types.js';
import { isPageSizeRefusal, LOOKUP_CHUNK } from '../sink/lookup.js';
import type { Json } from '../types/jsonapi.js';

/**
 * What Oro holds now under each of `ids` of `type`: the value of `keyField` of the record with
 * that id (`undefined` when it has none); ids Oro has no record for are absent. One request
 * (`filter[id]=5,7,...` with `fields[type]=keyField`) for up to 100 ids, so a stored id can be
 * checked before it is trusted: after a restore from a backup, an id may name another record.
 *
 * @example
 * ```ts
 * const held = await keysHeldBy(client, 'customers', 'externalId', ['17', '18']);
 * const stillOurs = held.get('17') === 'C-1';
 * ```
 * @throws RangeError when more than 100 ids are given (one request reads at most 100 records).
 */
export async function keysHeldBy(client: OroClient, type: string, keyField: string, ids: readonly string[]): Promise<Map<string, string | undefined>> {
  const unique = [...new Set(ids)];
  if (unique.length > LOOKUP_CHUNK) throw new RangeError(`keysHeldBy: at most ${LOOKUP_CHUNK} ids per request, got ${unique.length}`);
  const held = new Map<string, string | undefined>();
  if (unique.length === 0) return held;
  const query = { filter: { id: unique }, fields: { [type]: [keyField] } };
  let page: ListPage;
  try {
    page = await client.list(type, { ...query, page: { size: unique.length } });
  } catch (error) {
    if (!isPageSizeRefusal(error)) throw error;
    page = await client.list(type, query);
  }
  for (;;) {
    for (const resource of page.data) held.set(resource.id, asKey(resource.attributes?.[keyField]));
    if (!page.next) return held;
    page = await client.listNext(page.next);
  }
}

function asKey(value: Json | undefined): string | undefined {
  if (typeof value === 'string') return value;
  return typeof value === 'number' ? String(value) : undefined;
}
