/**
 * Planning and committing writes: one POST / PATCH, one compound document with `included`, or a
 * group of Batch API records. Planning validates everything first and touches nothing, so a group
 * is all-or-nothing; committing assigns ids in request order and stamps `createdAt`/`updatedAt`.
 */
import type { RelationshipSpec, TypeSpec } from './family.js';
import { apiError, at, isObject, oroDateTime, type ApiError } from './json-api.js';
import { isLinkList, linkId, type Fields, type PendingRef, type RelValue, type StoredLink, type StoredRecord } from './records.js';
import { afterSave, hookContext, newRecordId } from './mutations.js';
import { attrKey, lowerKey, type Store } from './store.js';
import { validateFields } from './validate.js';

import { parseItem, upsertMatches, type Parsed, type WriteItem } from './write-items.js';

export type { WriteItem } from './write-items.js';

/** A validated write, ready to commit. */
export interface PlannedWrite {
  readonly item: WriteItem;
  readonly spec: TypeSpec;
  /** Set for updates; for creates filled in by `commit`. */
  readonly ref: PendingRef;
  readonly isNew: boolean;
  /** The stored record an update changes. */
  readonly existing: StoredRecord | undefined;
  /** The id the request used (a temporary id for creates), echoed as `meta.includeId`/`dataId`. */
  readonly requestId: string | undefined;
  readonly validateOnly: boolean;
  readonly fields: Fields;
}

/** The outcome of planning a group: every error, or every write. */
export type Plan = { readonly ok: false; readonly errors: ApiError[] } | { readonly ok: true; readonly writes: PlannedWrite[] };

const tempKey = (type: string, id: string): string => `${type}\u0000${id}`;
const requestData = (detail: string, pointer: string): ApiError => apiError(400, 'request data constraint', detail, at(pointer));

/**
 * Validates a group of resource objects that must succeed or fail together, at `now` (ms, what
 * hooks see). `resolved` maps `type\0tempId` of records created by earlier groups of the same
 * request (async batch chunks).
 */
export function planWrites(store: Store, items: readonly WriteItem[], now: number, resolved: ReadonlyMap<string, string> = new Map()): Plan {
  const errors: ApiError[] = [];
  const parsedItems: Parsed[] = [];
  for (const item of items) {
    const parsed = parseItem(store, item, errors);
    if (parsed) parsedItems.push(parsed);
  }

  // Decide create vs update, then give every create a pending reference others can point at.
  const decided: { parsed: Parsed; existing: StoredRecord | undefined; ref: PendingRef }[] = [];
  const temps = new Map<string, PendingRef>();
  const tempOwners = new Map<string, WriteItem>();
  errors.push(...duplicateIncludedErrors(items));
  for (const parsed of parsedItems) {
    const table = store.table(parsed.spec.name);
    let existing: StoredRecord | undefined;
    const { action } = parsed;
    if (action.kind === 'update') {
      existing = table?.get(action.id);
      if (!existing) {
        // A Batch API record: Oro's 404 at the record; an included one: its NormalizeIncludedData error.
        errors.push(
          parsed.item.role === 'data'
            ? apiError(404, 'not found http exception', 'An entity with the requested identifier does not exist.', at(parsed.item.pointer))
            : apiError(400, 'entity constraint', 'The entity does not exist.', at(parsed.item.pointer)),
        );
        continue;
      }
    } else if (action.kind === 'upsert-id') existing = table?.get(action.id);
    else if (action.kind === 'upsert-fields') {
      const matches = upsertMatches(store, parsed, action.fields, errors);
      if (!matches) continue;
      if (matches.length > 1) {
        errors.push(apiError(409, 'conflict constraint', 'The upsert operation founds more than one entity.', at(`${parsed.item.metaBase}/meta/upsert`)));
        continue;
      }
      existing = matches[0] === undefined ? undefined : table?.get(matches[0]);
    }
    const verb = existing ? 'update' : 'create';
    if (!parsed.spec.actions[verb] && !parsed.item.internal) {
      // A batch item or an included record; a request's own primary record gets a 405 with Allow before it is planned.
      errors.push(apiError(405, 'action not allowed exception', `The "${verb}" action is not allowed.`, at(parsed.item.pointer)));
      continue;
    }
    const ref: PendingRef = { id: existing?.id };
    if (!existing && parsed.id !== undefined) {
      temps.set(tempKey(parsed.spec.name, parsed.id), ref);
      tempOwners.set(tempKey(parsed.spec.name, parsed.id), parsed.item);
    }
    decided.push({ parsed, existing, ref });
  }
  errors.push(...newIncludedErrors(decided.map((d) => d.parsed), tempOwners));

  const implied = impliedByInverse(decided, temps);
  const referenced = new Set<string>();
  const resolve = (type: string, id: string): RelValue | undefined => {
    const key = tempKey(type, id);
    const pending = temps.get(key);
    if (pending) return pending;
    const earlier = resolved.get(key);
    if (earlier !== undefined) return earlier;
    return store.exists(type, id) ? id : undefined;
  };
  // Unique values claimed by earlier items of the group, with the scope each was claimed in.
  const uniques = new Map<string, (RelValue | undefined)[]>();
  const writes: PlannedWrite[] = [];
  for (const { parsed, existing, ref } of decided) {
    const base = parsed.item.pointer;
    const own = parsed.id === undefined ? undefined : implied.get(tempKey(parsed.spec.name, parsed.id));
    const onReference = (t: string, i: string): void => {
      const key = tempKey(t, i);
      referenced.add(key);
      // An included record that points at a primary record is connected to it too.
      if (parsed.item.role === 'included' && parsed.id !== undefined && tempOwners.get(key)?.role === 'data') referenced.add(tempKey(parsed.spec.name, parsed.id));
    };
    // The harness's own writes (`seed`, `touch`) set what Oro sets itself.
    const ignores = (rel: RelationshipSpec): boolean =>
      !parsed.item.internal && (rel.readOnly === true || (rel.writableWhen !== undefined && store.config.get(rel.writableWhen) !== true));
    const result = validateFields(parsed.spec, parsed.attributes, parsed.relationships, existing, base, { resolve, idKind: (t) => store.spec(t)?.idKind, onReference, ignores }, own);
    errors.push(...result.errors);
    // The family's own rules see a record whose fields are valid.
    const check = parsed.spec.hooks.validate;
    if (check && result.errors.length === 0) {
      const sent = sentOf(parsed.item.raw);
      errors.push(...check({ spec: parsed.spec, existing, fields: result.fields, sent, pointer: base, request: items }, hookContext(store, now)));
    }
    const table = store.table(parsed.spec.name);
    for (const [name, attr] of Object.entries(parsed.spec.attributes)) {
      const value = result.fields.attributes[name];
      if (!attr.unique || typeof value !== 'string' || !table || (attr.uniqueByValidator && parsed.item.internal)) continue;
      // A scope that is itself being created (a PendingRef) cannot clash with stored records.
      const scope = attr.uniqueScope === undefined ? undefined : result.fields.relationships[attr.uniqueScope];
      const scopeId = scope === undefined || isLinkList(scope) ? undefined : scope;
      const compared = attr.caseInsensitive ? value.toLowerCase() : value;
      const key = `${parsed.spec.name}\u0000${name}\u0000${compared}`;
      const sameScope = (id: string): boolean => attr.uniqueScope === undefined || table.get(id)?.relationships[attr.uniqueScope] === scopeId;
      const pendingClash = uniques.get(key)?.some((other) => other === scopeId) ?? false;
      const stored = table.lookup(attr.caseInsensitive ? lowerKey(name) : attrKey(name), compared);
      const clash = [...stored].some((id) => id !== existing?.id && sameScope(id)) || pendingClash;
      const unique = attr.uniqueError ?? { title: 'unique entity constraint', detail: 'This value is already used.' };
      if (clash) errors.push(apiError(400, unique.title, unique.detail, at(`${base}/attributes/${name}`)));
      else uniques.set(key, [...(uniques.get(key) ?? []), scopeId]);
    }
    writes.push({ item: parsed.item, spec: parsed.spec, ref, isNew: !existing, existing, requestId: parsed.id, validateOnly: parsed.validateOnly, fields: result.fields });
  }

  // Oro refuses included records that nothing in the request points at.
  for (const { parsed } of decided)
    if (parsed.item.role === 'included' && parsed.id !== undefined && !referenced.has(tempKey(parsed.spec.name, parsed.id)))
      errors.push(
        requestData(
          'The entity should have a relationship with the primary entity and this should be explicitly specified in the request.',
          parsed.item.pointer,
        ),
      );
  return errors.length > 0 ? { ok: false, errors } : { ok: true, writes };
}

/**
 * To-one relationships set from the inverse side: a record that lists records created by the same
 * request in a to-many relationship (a customer's `addresses`) becomes their `customer`. Keyed by
 * `type\0tempId` of the member; the first record that claims a member wins.
 */
function impliedByInverse(
  decided: readonly { readonly parsed: Parsed; readonly ref: PendingRef }[],
  temps: ReadonlyMap<string, PendingRef>,
): Map<string, Record<string, RelValue>> {
  const implied = new Map<string, Record<string, RelValue>>();
  for (const { parsed, ref } of decided) {
    if (!isObject(parsed.relationships)) continue;
    for (const [name, rel] of Object.entries(parsed.spec.relationships)) {
      const inverse = rel.toMany && 'inverseOf' in rel.toMany ? rel.toMany.inverseOf : undefined;
      const data = inverse !== undefined && isObject(parsed.relationships[name]) ? parsed.relationships[name]['data'] : undefined;
      if (inverse === undefined || !Array.isArray(data)) continue;
      for (const member of data) {
        if (!isObject(member) || member['type'] !== rel.target || typeof member['id'] !== 'string') continue;
        const key = tempKey(rel.target, member['id']);
        if (!temps.has(key)) continue;
        const fields = implied.get(key) ?? {};
        if (!(inverse in fields)) fields[inverse] = ref;
        implied.set(key, fields);
      }
    }
  }
  return implied;
}

/**
 * Oro refuses a record created inside `included` that is linked through a relationship which
 * could close a cycle (a new parent or child customer): "new included entity existence constraint"
 * at the included item.
 */
function newIncludedErrors(parsed: readonly Parsed[], tempOwners: ReadonlyMap<string, WriteItem>): ApiError[] {
  const errors: ApiError[] = [];
  const reported = new Set<string>();
  for (const item of parsed) {
    if (!isObject(item.relationships)) continue;
    for (const [name, rel] of Object.entries(item.spec.relationships)) {
      const sent = item.relationships[name];
      if (!rel.noNewIncluded || !isObject(sent)) continue;
      const data = sent['data'];
      for (const member of Array.isArray(data) ? data : [data]) {
        if (!isObject(member) || typeof member['id'] !== 'string') continue;
        const key = tempKey(rel.target, member['id']);
        const owner = tempOwners.get(key);
        if (owner?.role !== 'included' || reported.has(key)) continue;
        reported.add(key);
        errors.push(apiError(400, 'new included entity existence constraint', 'Creation a new include entity that can lead to a circular dependency is forbidden.', at(owner.pointer)));
      }
    }
  }
  return errors;
}

/** An `included` item with the same type and id as an earlier one: "The item duplicates the item with the index N". */
function duplicateIncludedErrors(items: readonly WriteItem[]): ApiError[] {
  const errors: ApiError[] = [];
  const seen = new Map<string, string>();
  for (const item of items) {
    if (item.role !== 'included' || !isObject(item.raw) || typeof item.raw['type'] !== 'string' || typeof item.raw['id'] !== 'string') continue;
    const key = tempKey(item.raw['type'], item.raw['id']);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, item.pointer.slice('/included/'.length));
    else errors.push(requestData(`The item duplicates the item with the index ${first}`, item.pointer));
  }
  return errors;
}

/** `attributes` and `relationships` as a resource object sent them (`{}` when absent), for the hooks. */
function sentOf(raw: unknown): { attributes: Record<string, unknown>; relationships: Record<string, unknown> } {
  const object = isObject(raw) ? raw : {};
  return { attributes: isObject(object['attributes']) ? object['attributes'] : {}, relationships: isObject(object['relationships']) ? object['relationships'] : {} };
}

/** A committed write: the stored record and how it got there. */
export interface Committed {
  readonly write: PlannedWrite;
  readonly record: StoredRecord;
}

/**
 * A committed record as it is stored now, after the `afterSave` hooks (Oro answers what its
 * listeners computed: an order's totals); a validate-only write as it was planned.
 */
export function savedRecord(store: Store, committed: Committed): StoredRecord {
  if (committed.write.validateOnly) return committed.record;
  return store.get(committed.write.spec.name, committed.record.id) ?? committed.record;
}

/** Relationship values as stored: pending records of the request by the ids they have so far. */
function storedLinks(fields: Fields): Record<string, StoredLink> {
  const relationships: Record<string, StoredLink> = {};
  for (const [name, value] of Object.entries(fields.relationships)) relationships[name] = isLinkList(value) ? value.flatMap((v) => linkId(v) ?? []) : linkId(value);
  return relationships;
}

/**
 * Applies planned writes: ids for creates in plan order (a `newId` hook sees the ids of records
 * planned before it), then the records with fresh timestamps, then the `afterSave` hooks.
 */
export function commitWrites(store: Store, writes: readonly PlannedWrite[], now: number): Committed[] {
  for (const w of writes)
    if (w.ref.id === undefined && !w.validateOnly) w.ref.id = newRecordId(store, w.spec, { attributes: w.fields.attributes, relationships: storedLinks(w.fields) }, now);
  const stamp = oroDateTime(now);
  const out: Committed[] = [];
  for (const w of writes) {
    const attributes = { ...w.fields.attributes };
    if (w.spec.timestamps) {
      if (w.isNew) attributes['createdAt'] = stamp;
      attributes['updatedAt'] = stamp;
    }
    const record: StoredRecord = { id: w.ref.id ?? '', attributes, relationships: storedLinks(w.fields) };
    if (!w.validateOnly) store.table(w.spec.name)?.put(record);
    out.push({ write: w, record });
  }
  // What each record sent, its members named by the ids the records created here got.
  const created = new Map<string, string>();
  for (const w of writes) if (w.isNew && w.requestId !== undefined && w.ref.id !== undefined) created.set(tempKey(w.spec.name, w.requestId), w.ref.id);
  for (const { write, record } of out) if (!write.validateOnly) afterSave(store, write.spec, record, write.existing, now, withCreatedIds(sentOf(write.item.raw), created));
  return out;
}

/** Sent relationships with the temporary ids of records created by the same request replaced by their ids. */
function withCreatedIds(sent: ReturnType<typeof sentOf>, created: ReadonlyMap<string, string>): ReturnType<typeof sentOf> {
  if (created.size === 0) return sent;
  const rename = (member: unknown): unknown => {
    if (!isObject(member) || typeof member['type'] !== 'string' || typeof member['id'] !== 'string') return member;
    const id = created.get(tempKey(member['type'], member['id']));
    return id === undefined ? member : { ...member, id };
  };
  const relationships: Record<string, unknown> = {};
  for (const [name, rel] of Object.entries(sent.relationships)) {
    const data = isObject(rel) ? rel['data'] : undefined;
    relationships[name] = isObject(rel) && data !== undefined ? { ...rel, data: Array.isArray(data) ? data.map(rename) : rename(data) } : rel;
  }
  return { ...sent, relationships };
}
