/**
 * One resource object of a write request, read as Oro reads it: its type (a Batch API item's
 * must be the operation's), its id, well-formed `attributes` and `relationships`, and the action
 * its `meta` asks for (create, update, upsert by id or by fields, validate only).
 */
import type { Json } from '../types/index.js';
import { fieldSectionErrors } from './document.js';
import type { TypeSpec } from './family.js';
import { apiError, at, isObject, type ApiError } from './json-api.js';
import { attrKey, relKey, type Store, type StoredRecord } from './store.js';

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

/** What a resource object asks for. */
export type Action =
  | { readonly kind: 'create' }
  | { readonly kind: 'update'; readonly id: string }
  | { readonly kind: 'upsert-id'; readonly id: string }
  | { readonly kind: 'upsert-fields'; readonly fields: readonly string[] };

/** A resource object whose envelope is valid, with the action it asks for. */
export interface Parsed {
  readonly item: WriteItem;
  readonly spec: TypeSpec;
  readonly id: string | undefined;
  readonly attributes: unknown;
  readonly relationships: unknown;
  readonly action: Action;
  readonly validateOnly: boolean;
}

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
export function parseItem(store: Store, item: WriteItem, errors: ApiError[]): Parsed | undefined {
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
export function upsertMatches(store: Store, parsed: Parsed, fields: readonly string[], errors: ApiError[]): string[] | undefined {
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
