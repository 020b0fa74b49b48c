/**
 * Saving and deleting records the way every write path does it: ids from the type's `newId`
 * hook (else the table's next integer), server timestamps, and the families' `afterSave` /
 * `afterDelete` hooks, which may write records Oro keeps itself (through `MutationContext`).
 */
import type { Json } from '../types/index.js';
import type { HookContext, MutationContext, TypeSpec, WriteCheck } from './family.js';
import { oroDateTime } from './json-api.js';
import type { StoredLink, StoredRecord } from './records.js';
import type { Store } from './store.js';

/** What hooks read at `now`. */
export const hookContext = (store: Store, now: number): HookContext => ({ store, version: store.version, now, config: (name) => store.config.get(name) });

/** The id of a new record of `spec`: its `newId` hook's, else the table's next integer. */
export function newRecordId(store: Store, spec: TypeSpec, record: Pick<StoredRecord, 'attributes' | 'relationships'>, now: number): string {
  const hook = spec.hooks.newId;
  if (hook) return hook(record, hookContext(store, now));
  const table = store.table(spec.name);
  if (!table) throw new Error(`fake Oro: no table for "${spec.name}"`);
  return table.allocateId();
}

/** Runs the `afterSave` hook of a saved record; `sent`: what the request sent for it. */
export function afterSave(store: Store, spec: TypeSpec, record: StoredRecord, before: StoredRecord | undefined, now: number, sent?: WriteCheck['sent']): void {
  spec.hooks.afterSave?.(sent ? { record, before, sent } : { record, before }, mutationContext(store, now));
}

/** Deletes a record and runs its type's `afterDelete` hook; `false` when there was none. */
export function removeRecord(store: Store, type: string, id: string, now: number): boolean {
  const table = store.table(type);
  const record = table?.get(id);
  if (!table || !record) return false;
  table.delete(id);
  table.spec.hooks.afterDelete?.(record, mutationContext(store, now));
  return true;
}

/** The writes hooks may make: as Oro's own listeners would, without validation. */
export function mutationContext(store: Store, now: number): MutationContext {
  const stamp = oroDateTime(now);
  const specOf = (type: string): TypeSpec => {
    const spec = store.spec(type);
    if (!spec) throw new Error(`fake Oro: a hook wrote the unknown type "${type}"`);
    return spec;
  };
  return {
    ...hookContext(store, now),
    insert(type: string, attributes: Record<string, Json>, relationships: Record<string, StoredLink> = {}): StoredRecord {
      const spec = specOf(type);
      const values: Record<string, Json> = {};
      for (const [name, attr] of Object.entries(spec.attributes)) if (attr.defaultValue !== undefined) values[name] = structuredClone(attr.defaultValue);
      Object.assign(values, attributes);
      if (spec.timestamps) Object.assign(values, { createdAt: stamp, updatedAt: stamp });
      const links: Record<string, StoredLink> = {};
      for (const [name, rel] of Object.entries(spec.relationships))
        if (!rel.toMany) links[name] = rel.defaultId ?? null;
        else if ('owned' in rel.toMany) links[name] = rel.defaultIds ?? [];
      Object.assign(links, relationships);
      const record: StoredRecord = { id: newRecordId(store, spec, { attributes: values, relationships: links }, now), attributes: values, relationships: links };
      store.table(type)?.put(record);
      afterSave(store, spec, record, undefined, now);
      return record;
    },
    replace(type: string, record: StoredRecord): void {
      const spec = specOf(type);
      const before = store.get(type, record.id);
      const saved = spec.timestamps ? { ...record, attributes: { ...record.attributes, updatedAt: stamp } } : record;
      store.table(type)?.put(saved);
      afterSave(store, spec, saved, before, now);
    },
    remove(type: string, id: string): void {
      removeRecord(store, type, id, now);
    },
  };
}
