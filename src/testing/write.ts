/**
 * Planning and committing writes: one POST / PATCH, one compound document with `included`, or a
 * group of Batch API records. Planning validates everything first and touches nothing, so a group
 * is all-or-nothing; committing assigns ids in request order and stamps `createdAt`/`updatedAt`.
 */
import type { Json } from '../types/index.js';
import type { TypeSpec } from './family.js';
import { apiError, at, isObject, oroDateTime, type ApiError } from './json-api.js';
import { isLinkList, linkId, type Fields, type PendingRef, type RelValue, type StoredLink, type StoredRecord } from './records.js';
import { fieldSectionErrors } from './document.js';
import { afterSave, hookContext, newRecordId } from './mutations.js';
import { attrKey, lowerKey, relKey, type Store } from './store.js';
import { validateFields } from './validate.js';

/** One resource object of a write request, with where it sits in the body. */
export interface WriteItem {
  readonly raw: unknown;
  /** `/data`, `/data/3` or `/included/0`. */
  readonly pointer: string;
  /** Prefix of `meta` pointers: `''` for a single request's primary data (Oro answers `/meta/upsert`). */
  readonly metaBase: string;
  readonly role: 'data' | 'included';
  /** The URL's type, which primary data must have. */
  readonly expectedType?: string;
  /** `PATCH {type}/{id}`: the id the body must carry; the action is an update. */
  readonly urlId?: string;
  /** Direct inserts by the test harness (`seed`): read-only types are writable. */
  readonly internal?: boolean;
  /** A Batch API item: a wrong or missing `type` is an "entity type constraint" at the item. */
  readonly batch?: boolean;
}

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

type Action =
  | { readonly kind: 'create' }
  | { readonly kind: 'update'; readonly id: string }
  | { readonly kind: 'upsert-id'; readonly id: string }
  | { readonly kind: 'upsert-fields'; readonly fields: readonly string[] };

interface Parsed {
  readonly item: WriteItem;
  readonly spec: TypeSpec;
  readonly id: string | undefined;
  readonly attributes: unknown;
  readonly relationships: unknown;
  readonly action: Action;
  readonly validateOnly: boolean;
}

const tempKey = (type: string, id: string): string => `${type}\u0000${id}`;
const requestData = (detail: string, pointer: string): ApiError => apiError(400, 'request data constraint', detail, at(pointer));
const valueError = (detail: string, pointer: string): ApiError => apiError(400, 'value constraint', detail, at(pointer));

/** The type of a resource object, or its errors: a Batch API item names the operation's type (Oro's batch texts). */
function typeOf(store: Store, item: WriteItem, raw: Record<string, unknown>, errors: ApiError[]): TypeSpec | undefined {
  const p = item.pointer;
  const type = raw['type'];
  if (item.batch && item.expectedType !== undefined && type !== item.expectedType) {
    const detail = typeof type === 'string' ? `The entity type "${type}" is not supported by this batch operation.` : 'The entity class must be set in the context.';
    errors.push(apiError(400, 'entity type constraint', detail, at(p)));
    return undefined;
  }
  const invalid = stringFieldErrors(raw, 'type', p);
  if (invalid.length > 0 || typeof type !== 'string') {
    errors.push(...invalid);
    return undefined;
  }
  const spec = store.spec(type);
  if (!spec) errors.push(apiError(400, 'entity type constraint', `Unknown entity type: ${type}.`, at(`${p}/type`)));
  else if (spec.readOnly && !item.internal) errors.push(apiError(400, 'action not allowed exception', `The "${type}" resource cannot be changed through this API.`, at(`${p}/type`)));
  else return spec;
  return undefined;
}

/** `type` (or `id`) of a resource object: a required, non-blank string. */
function stringFieldErrors(raw: Record<string, unknown>, name: string, pointer: string): ApiError[] {
  const value = raw[name];
  const p = `${pointer}/${name}`;
  if (value === undefined) return [requestData(`The '${name}' property is required`, p)];
  if (value === null) return [requestData(`The '${name}' property should not be null`, p)];
  if (typeof value !== 'string') return [requestData(`The '${name}' property should be a string`, p)];
  if (value.trim() === '') return [requestData(`The '${name}' property should not be blank`, p)];
  return [];
}

/** A `meta` flag that must be a boolean (`update`, `validate`): its value, or undefined after an error. */
function booleanFlag(meta: Record<string, unknown>, name: string, pointer: string, errors: ApiError[]): boolean | undefined {
  const value = meta[name];
  if (value === undefined || typeof value === 'boolean') return value;
  errors.push(valueError('This value should be a boolean.', `${pointer}/${name}`));
  return undefined;
}

/** `meta.upsert`: true, or a non-empty list of non-blank field names (`["id"]` is `true`). */
function upsertFlag(meta: Record<string, unknown>, pointer: string, errors: ApiError[]): boolean | readonly string[] | undefined {
  const value = meta['upsert'];
  if (value === undefined || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.length > 0 && value.every((f) => typeof f === 'string' && f.trim() !== '')) return value.length === 1 && value[0] === 'id' ? true : (value as string[]);
  errors.push(valueError('This value should be a boolean or an array of strings.', `${pointer}/upsert`));
  return undefined;
}

/** The action `meta` asks for (Oro's `MetaOperationParser` and its upsert processors), or undefined after an error. */
function metaAction(spec: TypeSpec, item: WriteItem, id: string | undefined, meta: Record<string, unknown>, errors: ApiError[]): { action: Action; validateOnly: boolean } | undefined {
  const pointer = `${item.metaBase}/meta`;
  const before = errors.length;
  const update = booleanFlag(meta, 'update', pointer, errors);
  const upsert = upsertFlag(meta, pointer, errors);
  const validate = booleanFlag(meta, 'validate', pointer, errors);
  if (errors.length > before) return undefined;
  // Only flags that are set count: `update: false` beside `validate: true` is fine.
  if ([update, upsert, validate].filter((flag) => flag !== undefined && flag !== false).length > 1) {
    errors.push(requestData('Only one meta option can be used.', pointer));
    return undefined;
  }
  const validateOnly = validate === true;
  if (update === true) {
    if (id !== undefined) return { action: { kind: 'update', id }, validateOnly };
    errors.push(item.batch ? apiError(400, 'entity identifier constraint', 'The identifier of an entity must be set in the context.', at(item.pointer)) : requestData("The 'id' property is required", `${item.pointer}/id`));
    return undefined;
  }
  if (upsert === undefined || upsert === false) return { action: { kind: 'create' }, validateOnly };
  return upsertAction(spec, item, id, upsert, `${pointer}/upsert`, errors);
}

/** What `meta.upsert` does for this type (Oro derives it from the schema, docs/oro-api.md §5). */
function upsertAction(spec: TypeSpec, item: WriteItem, id: string | undefined, upsert: true | readonly string[], pointer: string, errors: ApiError[]): { action: Action; validateOnly: boolean } | undefined {
  const refuse = (detail: string): undefined => void errors.push(valueError(detail, pointer));
  if (item.urlId !== undefined) {
    // PATCH {type}/{id}: the id is the URL's; a generated one cannot be chosen by the client.
    if (spec.generatedIds) return refuse('The upsert operation is not supported for resources with auto-generated identifier value.');
    if (!spec.upsert) return refuse('The upsert operation is not allowed.');
    if (upsert !== true) return refuse('Only the entity identifier can be used by the upsert operation to find an entity.');
    if (!spec.upsert.byId) return refuse('The upsert operation cannot use the entity identifier to find an entity.');
    return { action: { kind: 'upsert-id', id: item.urlId }, validateOnly: false };
  }
  if (!spec.upsert) return refuse('The upsert operation is not allowed.');
  if (upsert === true) {
    if (!spec.upsert.byId) return refuse('The upsert operation cannot use the entity identifier to find an entity.');
    if (id === undefined) return refuse('The upsert operation requires the entity identifier.');
    return { action: { kind: 'upsert-id', id }, validateOnly: false };
  }
  const wanted = [...new Set(upsert)].sort().join(',');
  const key = spec.upsert.keys.find((k) => [...k].sort().join(',') === wanted);
  if (!key) return refuse(`The upsert operation cannot use ${upsert.length > 1 ? 'these fields' : 'this field'} to find an entity.`);
  return { action: { kind: 'upsert-fields', fields: key }, validateOnly: false };
}

/** Checks the envelope of one resource object and decides create / update / upsert. */
function parseItem(store: Store, item: WriteItem, errors: ApiError[]): Parsed | undefined {
  const p = item.pointer;
  const raw = item.raw;
  if (!isObject(raw)) {
    errors.push(requestData(item.role === 'included' ? 'The related resource should be an object' : 'The primary resource object should be an object', p));
    return undefined;
  }
  const before = errors.length;
  const spec = typeOf(store, item, raw, errors);
  if (!spec) return undefined;
  const rawId = raw['id'];
  if (rawId !== undefined) errors.push(...stringFieldErrors(raw, 'id', p));
  else if (item.role === 'included') errors.push(requestData("The 'id' property is required", `${p}/id`));
  const id = typeof rawId === 'string' && rawId.trim() !== '' ? rawId : undefined;
  // The harness's own inserts (`seed`) may send empty sections.
  if (!item.internal) errors.push(...fieldSectionErrors(raw, p));
  const meta = raw['meta'] ?? {};
  if (!isObject(meta)) errors.push(requestData("The 'meta' property should be an array", `${p}/meta`));
  if (errors.length > before || !isObject(meta)) return undefined;
  const decided = metaAction(spec, item, id, meta, errors);
  if (!decided) return undefined;
  let { action } = decided;
  // PATCH {type}/{id} updates the URL's record (the document check made its id the URL's).
  if (item.urlId !== undefined && action.kind === 'create') action = { kind: 'update', id: item.urlId };
  return { item, spec, id, attributes: raw['attributes'], relationships: raw['relationships'], action, validateOnly: decided.validateOnly };
}

/** The key value of an upsert field as sent (attribute value, or related id / default id). */
function upsertValue(parsed: Parsed, field: string): Json | undefined {
  const attrs = isObject(parsed.attributes) ? parsed.attributes : {};
  if (field in parsed.spec.attributes) return field in attrs ? (attrs[field] as Json) : undefined;
  const rels = isObject(parsed.relationships) ? parsed.relationships : {};
  const value = rels[field];
  if (value === undefined) return parsed.spec.relationships[field]?.defaultId;
  if (isObject(value) && isObject(value['data']) && typeof value['data']['id'] === 'string') return value['data']['id'];
  return null;
}

/** Finds the records an upsert by fields matches, through the indexes where there is one. */
function upsertMatches(store: Store, parsed: Parsed, fields: readonly string[], errors: ApiError[]): string[] | undefined {
  const table = store.table(parsed.spec.name);
  if (!table) return [];
  const wanted: [string, Json][] = [];
  for (const field of fields) {
    const value = upsertValue(parsed, field);
    if (value === undefined) {
      errors.push(valueError(`The upsert operation requires the "${field}" field.`, `${parsed.item.metaBase}/meta/upsert`));
      return undefined;
    }
    wanted.push([field, value]);
  }
  const indexed = wanted.find(([f]) => table.isIndexed(attrKey(f)) || table.isIndexed(relKey(f)));
  const candidates: Iterable<StoredRecord> = indexed
    ? [...table.lookup(table.isIndexed(attrKey(indexed[0])) ? attrKey(indexed[0]) : relKey(indexed[0]), indexed[1])].flatMap((id) => table.get(id) ?? [])
    : table.values();
  const out: string[] = [];
  for (const rec of candidates)
    if (wanted.every(([f, v]) => (f in parsed.spec.attributes ? rec.attributes[f] : rec.relationships[f]) === v)) out.push(rec.id);
  return out;
}

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
        errors.push(apiError(404, 'not found http exception', 'The entity does not exist.', at(`${parsed.item.pointer}/id`)));
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
    const result = validateFields(parsed.spec, parsed.attributes, parsed.relationships, existing, base, { resolve, idKind: (t) => store.spec(t)?.idKind, onReference }, own);
    errors.push(...result.errors);
    // The family's own rules see a record whose fields are valid.
    const check = parsed.spec.hooks.validate;
    if (check && result.errors.length === 0) {
      const sent = { attributes: isObject(parsed.attributes) ? parsed.attributes : {}, relationships: isObject(parsed.relationships) ? parsed.relationships : {} };
      errors.push(...check({ spec: parsed.spec, existing, fields: result.fields, sent, pointer: base }, hookContext(store, now)));
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

/** A committed write: the stored record and how it got there. */
export interface Committed {
  readonly write: PlannedWrite;
  readonly record: StoredRecord;
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
  for (const { write, record } of out) if (!write.validateOnly) afterSave(store, write.spec, record, write.existing, now);
  return out;
}
