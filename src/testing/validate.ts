/**
 * Field validation of one resource object against its type, producing every error at once with
 * Oro's lower-case constraint titles and JSON pointers into the request body.
 */
import type { Json } from '../types/index.js';
import { apiError, at, isObject, type ApiError } from './json-api.js';
import type { TypeSpec } from './resources.js';
import type { StoredRecord } from './store.js';

/** A reference to a record created in the same request, whose id is assigned at commit. */
export interface PendingRef {
  id: string | undefined;
}

/** A to-one relationship value after resolution. */
export type RelValue = string | PendingRef | null;

/** Resolves `{type, id}` from a request to a stored id or a record created by the same request. */
export type Resolver = (type: string, id: string) => RelValue | undefined;

/** The validated, merged field values of one record to write. */
export interface Fields {
  readonly attributes: Record<string, Json>;
  readonly relationships: Record<string, RelValue>;
}

// A pragmatic address check, close to Symfony's "loose" Email constraint.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const notBlank = (pointer: string): ApiError => apiError(400, 'not blank constraint', 'This value should not be blank.', at(pointer));

/**
 * Validates `attributes` and `relationships` of a resource object; on update, `existing` supplies
 * the values that were not sent. `onReference` sees every `{type, id}` the object points at.
 * `implied` holds to-one relationships that another object of the request set from the inverse,
 * to-many side (an included address listed in its customer's `addresses`); they count as sent
 * unless the object sends the relationship itself.
 */
export function validateFields(
  spec: TypeSpec,
  rawAttributes: unknown,
  rawRelationships: unknown,
  existing: StoredRecord | undefined,
  base: string,
  resolve: Resolver,
  onReference: (type: string, id: string) => void,
  implied: Readonly<Record<string, RelValue>> = {},
): { errors: ApiError[]; fields: Fields } {
  const errors: ApiError[] = [];
  const attributes: Record<string, Json> = existing ? { ...existing.attributes } : {};
  const relationships: Record<string, RelValue> = existing ? { ...existing.relationships } : {};
  const sentAttributes = isObject(rawAttributes) ? rawAttributes : {};
  const sentRelationships = isObject(rawRelationships) ? rawRelationships : {};

  for (const [name, value] of Object.entries(sentAttributes)) {
    const attr = spec.attributes[name];
    const pointer = `${base}/attributes/${name}`;
    if (!attr) {
      errors.push(apiError(400, 'extra fields constraint', `This form should not contain extra fields: "${name}".`, at(pointer)));
      continue;
    }
    if (attr.readOnly) continue;
    if (value === null) {
      if (attr.required || !attr.nullable) errors.push(notBlank(pointer));
      else attributes[name] = null;
      continue;
    }
    if (typeof value !== 'string') {
      errors.push(apiError(400, 'form constraint', 'This value should be of type string.', at(pointer)));
      continue;
    }
    if (attr.required && value.trim() === '') errors.push(notBlank(pointer));
    else if (attr.maxLength !== undefined && [...value].length > attr.maxLength)
      errors.push(apiError(400, 'length constraint', `This value is too long. It should have ${attr.maxLength} characters or less.`, at(pointer)));
    else if (attr.email && !EMAIL.test(value)) errors.push(apiError(400, 'email constraint', 'This value is not a valid email address.', at(pointer)));
    attributes[name] = value;
  }
  if (!existing)
    for (const [name, attr] of Object.entries(spec.attributes))
      if (attr.required && !(name in sentAttributes)) errors.push(notBlank(`${base}/attributes/${name}`));

  for (const [name, value] of Object.entries(sentRelationships)) {
    const rel = spec.relationships[name];
    const pointer = `${base}/relationships/${name}`;
    if (!rel) {
      errors.push(apiError(400, 'extra fields constraint', `This form should not contain extra fields: "${name}".`, at(pointer)));
      continue;
    }
    if (rel.toMany) {
      // The inverse side: checked here, applied to its members by the caller (see `implied`).
      errors.push(...checkToMany(name, rel.target, value, pointer, resolve, onReference));
      continue;
    }
    if (!isObject(value) || !('data' in value)) {
      errors.push(apiError(400, 'request data constraint', "The 'data' property is required.", at(pointer)));
      continue;
    }
    const data = value['data'];
    if (data === null) {
      if (rel.required) errors.push(notBlank(`${pointer}/data`));
      else relationships[name] = null;
      continue;
    }
    if (!isObject(data) || typeof data['type'] !== 'string' || typeof data['id'] !== 'string') {
      errors.push(apiError(400, 'request data constraint', "The 'data' property should be null or an object with 'type' and 'id' properties.", at(`${pointer}/data`)));
      continue;
    }
    const { type, id } = data as { type: string; id: string };
    onReference(type, id);
    if (type !== rel.target) {
      errors.push(apiError(400, 'form constraint', `The "${type}" entity type is not acceptable for the "${name}" relationship; expected "${rel.target}".`, at(`${pointer}/data`)));
      continue;
    }
    const target = resolve(type, id);
    if (target === undefined || target === null) {
      errors.push(apiError(400, 'form constraint', `The "${type}" entity with id "${id}" does not exist.`, at(`${pointer}/data`)));
      continue;
    }
    relationships[name] = target;
  }
  if (!existing)
    for (const [name, rel] of Object.entries(spec.relationships)) {
      if (rel.toMany || name in sentRelationships) continue;
      const inverse = implied[name];
      if (inverse !== undefined) relationships[name] = inverse;
      else if (rel.required) errors.push(notBlank(`${base}/relationships/${name}/data`));
      else relationships[name] = rel.defaultId ?? null;
    }
  return { errors, fields: { attributes, relationships } };
}

/** Checks a to-many relationship's `data`: an array of existing (or same-request) records of `target`. */
function checkToMany(
  name: string,
  target: string,
  value: unknown,
  pointer: string,
  resolve: Resolver,
  onReference: (type: string, id: string) => void,
): ApiError[] {
  if (!isObject(value) || !Array.isArray(value['data']))
    return [apiError(400, 'request data constraint', "The 'data' property of a to-many relationship should be an array.", at(`${pointer}/data`))];
  const errors: ApiError[] = [];
  value['data'].forEach((member: unknown, k) => {
    const memberPointer = `${pointer}/data/${k}`;
    if (!isObject(member) || typeof member['type'] !== 'string' || typeof member['id'] !== 'string') {
      errors.push(apiError(400, 'request data constraint', "The 'data' item should be an object with 'type' and 'id' properties.", at(memberPointer)));
      return;
    }
    const { type, id } = member as { type: string; id: string };
    onReference(type, id);
    if (type !== target) errors.push(apiError(400, 'form constraint', `The "${type}" entity type is not acceptable for the "${name}" relationship; expected "${target}".`, at(memberPointer)));
    else if (resolve(type, id) === undefined) errors.push(apiError(400, 'form constraint', `The "${type}" entity with id "${id}" does not exist.`, at(memberPointer)));
  });
  return errors;
}
