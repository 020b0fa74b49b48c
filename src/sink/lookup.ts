import { HttpError } from '../errors/http-error.js';
import type { ListPage, OroClient } from '../oro/types.js';
import type { Json, Resource } from '../types/jsonapi.js';
import type { ExistingRead, ExistingRecord } from '../types/existing.js';

/** Keys read with one filtered request (`filter[externalId]=a,b,...`): keeps the URL short. */
export const LOOKUP_CHUNK = 100;

/** What Oro holds for a key: the record's id and its `updatedAt`. */
export interface Existing {
  readonly id: string;
  readonly updatedAt?: string;
  /** The record as read, with what it includes: only when the read asked for it (`read`). */
  readonly record?: ExistingRecord;
}

/**
 * Reads which of `keys` exist in Oro with one filtered list request per 100 keys
 * (`filter[externalId]=a,b,c`, OR), asking only for the fields it needs.
 * Returns every match per key (more than one means the key is ambiguous in Oro).
 */
export async function lookupByKeys(
  client: OroClient,
  type: string,
  keyField: string,
  keys: readonly string[],
  options: { readonly withUpdatedAt?: boolean; readonly read?: ExistingRead } = {},
): Promise<Map<string, Existing[]>> {
  const found = new Map<string, Existing[]>();
  const unique = [...new Set(keys)];
  const { read } = options;
  for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) {
    const chunk = unique.slice(i, i + LOOKUP_CHUNK);
    // Only the fields needed: not every type has updatedAt, and smaller answers are faster.
    const fields = [...(keyField === 'id' ? [] : [keyField]), ...(options.withUpdatedAt ? ['updatedAt'] : [])];
    const query = { filter: { [keyField]: chunk }, ...(read ? wholeRead(type, fields, read) : fields.length > 0 ? { fields: { [type]: fields } } : {}) };
    let page: ListPage;
    try {
      page = await client.list(type, { ...query, page: { size: chunk.length } });
    } catch (error) {
      // A resource may cap page[size] (400 naming that parameter): Oro's default size always works.
      if (!isPageSizeRefusal(error)) throw error;
      page = await client.list(type, query);
    }
    for (;;) {
      for (const resource of page.data) {
        const key = keyField === 'id' ? resource.id : asKey(resource.attributes?.[keyField]);
        if (key === undefined) continue;
        const updatedAt = resource.attributes?.['updatedAt'];
        const list = found.get(key) ?? [];
        list.push({
          id: resource.id,
          ...(typeof updatedAt === 'string' ? { updatedAt } : {}),
          ...(read ? { record: { data: resource, included: includedOf(resource, page.included ?? []) } } : {}),
        });
        found.set(key, list);
      }
      if (!page.next) break;
      page = await client.listNext(page.next);
    }
  }
  return found;
}

/**
 * The query of a read that returns records as a build needs them (`include`, and the read's own
 * sparse fields, to which the key and `updatedAt` are added).
 */
function wholeRead(type: string, keyFields: readonly string[], read: ExistingRead): { include?: readonly string[]; fields?: Record<string, readonly string[]> } {
  const own = read.fields?.[type];
  const fields = read.fields ? { ...read.fields, ...(own ? { [type]: [...new Set([...keyFields, ...own])] } : {}) } : undefined;
  return { ...(read.include.length > 0 ? { include: read.include } : {}), ...(fields ? { fields } : {}) };
}

/** The included resources a record's relationships point at (one page's `included` serves 100 records). */
function includedOf(resource: Resource, included: readonly Resource[]): Resource[] {
  if (included.length === 0 || !resource.relationships) return [];
  const wanted = new Set<string>();
  for (const rel of Object.values(resource.relationships)) {
    const data = rel.data;
    if (data === null) continue;
    for (const ref of Array.isArray(data) ? data : [data]) wanted.add(`${ref.type}\u0000${ref.id}`);
  }
  return included.filter((item) => wanted.has(`${item.type}\u0000${item.id}`));
}

/** A 400 about `page[size]`: the resource caps the page size (Oro's default size always works). */
export function isPageSizeRefusal(error: unknown): boolean {
  return error instanceof HttpError && error.status === 400 && error.errors.some((e) => e.parameter === 'page[size]');
}

function asKey(value: Json | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
