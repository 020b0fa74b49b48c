/**
 * Field validation of one resource object against its type, producing every error at once with
 * Oro's lower-case constraint titles and JSON pointers into the request body.
 */
import type { Json } from '../types/index.js';
import { apiError, at, isObject, type ApiError } from './json-api.js';
import { attributeValueErrors } from './attribute-rules.js';
import type { TypeSpec } from './family.js';
import type { FieldLink, Fields, RelValue, StoredRecord } from './records.js';

/** Resolves `{type, id}` from a request to a stored id or a record created by the same request. */
export type Resolver = (type: string, id: string) => RelValue | undefined;

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
  const relationships: Record<string, FieldLink> = existing ? { ...existing.relationships } : {};
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
      if (attr.required || !(attr.nullable || attr.password)) errors.push(notBlank(pointer));
      else if (!attr.password) attributes[name] = null;
      continue;
    }
    const problems = attributeValueErrors(attr, value as Json, pointer);
    errors.push(...problems);
    // A password is checked, never stored nor rendered (Oro keeps only its hash).
    if (problems.length === 0 && !attr.password) attributes[name] = value as Json;
  }
  if (!existing)
    for (const [name, attr] of Object.entries(spec.attributes)) {
      if (name in sentAttributes) continue;
      if (attr.required) errors.push(notBlank(`${base}/attributes/${name}`));
      else if (attr.defaultValue !== undefined) attributes[name] = attr.defaultValue;
    }

  for (const [name, value] of Object.entries(sentRelationships)) {
    const rel = spec.relationships[name];
    const pointer = `${base}/relationships/${name}`;
    if (!rel) {
      errors.push(apiError(400, 'extra fields constraint', `This form should not contain extra fields: "${name}".`, at(pointer)));
      continue;
    }
    if (rel.toMany) {
      // Owned: stored on the record. Inverse side: checked here, applied to its members by the caller (see `implied`).
      const checked = checkToMany(name, rel.target, value, pointer, resolve, onReference);
      errors.push(...checked.errors);
      if ('owned' in rel.toMany && checked.errors.length === 0) relationships[name] = checked.members;
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
      if (rel.toMany) {
        const sent = sentRelationships[name];
        const members = isObject(sent) && Array.isArray(sent['data']) ? sent['data'].length : 0;
        if (rel.required && members === 0) errors.push(notBlank(`${base}/relationships/${name}/data`));
        else if ('owned' in rel.toMany && !(name in sentRelationships)) relationships[name] = rel.defaultIds ?? [];
        continue;
      }
      if (name in sentRelationships) continue;
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
): { errors: ApiError[]; members: RelValue[] } {
  if (!isObject(value) || !Array.isArray(value['data']))
    return { errors: [apiError(400, 'request data constraint', "The 'data' property of a to-many relationship should be an array.", at(`${pointer}/data`))], members: [] };
  const errors: ApiError[] = [];
  const members: RelValue[] = [];
  value['data'].forEach((member: unknown, k) => {
    const memberPointer = `${pointer}/data/${k}`;
    if (!isObject(member) || typeof member['type'] !== 'string' || typeof member['id'] !== 'string') {
      errors.push(apiError(400, 'request data constraint', "The 'data' item should be an object with 'type' and 'id' properties.", at(memberPointer)));
      return;
    }
    const { type, id } = member as { type: string; id: string };
    onReference(type, id);
    const resolved = type === target ? resolve(type, id) : undefined;
    if (type !== target) errors.push(apiError(400, 'form constraint', `The "${type}" entity type is not acceptable for the "${name}" relationship; expected "${target}".`, at(memberPointer)));
    else if (resolved === undefined || resolved === null) errors.push(apiError(400, 'form constraint', `The "${type}" entity with id "${id}" does not exist.`, at(memberPointer)));
    else members.push(resolved);
  });
  return { errors, members };
}
