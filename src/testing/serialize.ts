/**
 * Rendering stored records as JSON:API resource objects: sparse fieldsets, `links.self`,
 * to-many inverse relationships and the top-level `included` of related records.
 */
import type { Json, Resource } from '../types/index.js';
import { apiError, param, ApiFailure } from './json-api.js';
import type { RelationshipSpec } from './family.js';
import { compareIds, relKey, type Store, type StoredRecord } from './store.js';

/** How to render: with or without links, and which fields per type. */
export interface RenderOptions {
  readonly baseUrl: string;
  readonly hateoas: boolean;
  /** `fields[type]=a,b`: only those attributes and relationships of that type. */
  readonly fields?: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Ids on the to-many side of `rel.inverseOf`, ascending. */
function inverseIds(store: Store, type: string, inverseOf: string, id: string): string[] {
  const ids = store.table(type)?.lookup(relKey(inverseOf), id);
  return ids === undefined || ids.size === 0 ? [] : [...ids].sort(compareIds);
}

/** Member ids of a to-many relationship: stored on the record (owned) or read from the inverse side. */
function toManyIds(store: Store, rel: RelationshipSpec, record: StoredRecord, name: string): string[] {
  if (!rel.toMany) return [];
  if ('owned' in rel.toMany) {
    const ids = record.relationships[name];
    return typeof ids === 'object' && ids !== null ? [...ids] : [];
  }
  return inverseIds(store, rel.target, rel.toMany.inverseOf, record.id);
}

/** One stored record as a JSON:API resource object. */
export function renderRecord(store: Store, type: string, record: StoredRecord, options: RenderOptions, meta?: Record<string, Json>): Resource {
  const spec = store.spec(type);
  const wanted = options.fields?.get(type);
  const attributes: Record<string, Json> = {};
  const relationships: Record<string, { data: Json }> = {};
  if (spec) {
    for (const [name, attr] of Object.entries(spec.attributes)) {
      if (attr.password || (wanted && !wanted.has(name))) continue;
      attributes[name] = record.attributes[name] ?? null;
    }
    for (const [name, rel] of Object.entries(spec.relationships)) {
      if (wanted && !wanted.has(name)) continue;
      if (rel.toMany) relationships[name] = { data: toManyIds(store, rel, record, name).map((id) => ({ type: rel.target, id })) };
      else {
        const id = record.relationships[name];
        relationships[name] = { data: typeof id === 'string' ? { type: rel.target, id } : null };
      }
    }
  }
  const resource: Record<string, unknown> = { type, id: record.id };
  if (options.hateoas) resource['links'] = { self: `${options.baseUrl}/${type}/${encodeURIComponent(record.id)}` };
  if (meta) resource['meta'] = meta;
  if (Object.keys(attributes).length > 0) resource['attributes'] = attributes;
  if (Object.keys(relationships).length > 0) resource['relationships'] = relationships;
  return resource as unknown as Resource;
}

/** Parses `include=a,b.c` into relationship paths, checking each step exists. */
export function parseInclude(store: Store, type: string, raw: string | null): string[][] {
  if (raw === null || raw === '') return [];
  return raw.split(',').map((path) => {
    const steps = path.split('.');
    let current = type;
    for (const step of steps) {
      const rel = store.spec(current)?.relationships[step];
      if (!rel) throw new ApiFailure([apiError(400, 'filter constraint', `The relationship "${path}" does not exist.`, param('include'))]);
      current = rel.target;
    }
    return steps;
  });
}

/** `fields[type]=a,b` parameters of a query. */
export function parseFields(query: URLSearchParams): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [key, value] of query) {
    const m = /^fields\[([^\]]+)\]$/.exec(key);
    if (m?.[1]) out.set(m[1], new Set(value.split(',').filter((f) => f !== '')));
  }
  return out;
}

/** Related records reached through `paths` from `primary`, without duplicates or primary records. */
export function renderIncluded(store: Store, type: string, primary: readonly StoredRecord[], paths: readonly string[][], options: RenderOptions): Resource[] {
  const seen = new Set(primary.map((r) => `${type}\u0000${r.id}`));
  const out: Resource[] = [];
  for (const path of paths) {
    let frontier: { type: string; record: StoredRecord }[] = primary.map((record) => ({ type, record }));
    for (const step of path) {
      const next: { type: string; record: StoredRecord }[] = [];
      for (const { type: t, record } of frontier) {
        const rel = store.spec(t)?.relationships[step];
        if (!rel) continue;
        const ids = rel.toMany ? toManyIds(store, rel, record, step) : [record.relationships[step]].filter((x): x is string => typeof x === 'string');
        for (const id of ids) {
          const target = store.table(rel.target)?.get(id);
          if (!target) continue;
          next.push({ type: rel.target, record: target });
          const key = `${rel.target}\u0000${id}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push(renderRecord(store, rel.target, target, options));
        }
      }
      frontier = next;
    }
  }
  return out;
}
