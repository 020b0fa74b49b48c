/**
 * Field validation of one resource object against its type, producing every error at once with
 * Oro's lower-case constraint titles and JSON pointers into the request body.
 */
import type { Json } from '../types/index.js';
import { apiError, at, isObject, type ApiError } from './json-api.js';
import { attributeValueErrors } from './attribute-rules.js';
import type { RelationshipSpec, TypeSpec } from './family.js';
import type { FieldLink, Fields, RelValue, StoredRecord } from './records.js';

/** Resolves `{type, id}` from a request to a stored id or a record created by the same request. */
export type Resolver = (type: string, id: string) => RelValue | undefined;

const notBlank = (pointer: string, message = 'This value should not be blank.'): ApiError => apiError(400, 'not blank constraint', message, at(pointer));

/** A required relationship missing, in its type's words. */
const missing = (rel: RelationshipSpec, pointer: string): ApiError[] =>
  rel.blankErrors ? rel.blankErrors.map((e) => apiError(400, e.title, e.detail, at(pointer))) : [notBlank(pointer)];

/** How a relationship's `{type, id}` is read: records of the request or stored ones, and the types there are. */
export interface Links {
  readonly resolve: Resolver;
  /** The id kind of a type the fake has, or undefined for a type it does not know. */
  readonly idKind: (type: string) => 'integer' | 'string' | undefined;
  /** Sees every `{type, id}` the object points at. */
  readonly onReference: (type: string, id: string) => void;
  /** `true` for a relationship whose sent value is ignored (read-only, or writable under a setting that is off). */
  readonly ignores: (rel: RelationshipSpec) => boolean;
}

/**
 * One `{type, id}` of a relationship, read as Oro reads it: the type must be the target's
 * ("entity type constraint" at `…/type`), an integer id must look like one ("entity identifier
 * constraint" at `…/id`; both stop the request before its fields are read), and the record must
 * exist or be created by the request (else `missing`: Oro's form says "The entity does not exist."
 * at the relationship's `data`).
 */
function linkOf(target: string, member: unknown, pointer: string, links: Links): { value: RelValue } | { early: ApiError } | 'missing' {
  const { type, id } = member as { type: string; id: string };
  links.onReference(type, id);
  const kind = links.idKind(type);
  if (kind === undefined) return { early: apiError(400, 'entity type constraint', `Unknown entity type: ${type}.`, at(`${pointer}/type`)) };
  if (type !== target) return { early: apiError(400, 'entity type constraint', 'Not acceptable entity type.', at(`${pointer}/type`)) };
  const value = links.resolve(type, id);
  if (value !== undefined && value !== null) return { value };
  if (kind === 'integer' && !/^-?\d+$/.test(id)) return { early: apiError(400, 'entity identifier constraint', `Expected integer value. Given "${id}".`, at(`${pointer}/id`)) };
  return 'missing';
}

const doesNotExist = (pointer: string): ApiError => apiError(400, 'form constraint', 'The entity does not exist.', at(`${pointer}/data`));

/** The sent relationships: values to store, form errors, and errors that stop the request before its fields are read. */
function sentRelationshipFields(
  spec: TypeSpec,
  sent: Record<string, unknown>,
  base: string,
  links: Links,
  relationships: Record<string, FieldLink>,
  updating: boolean,
): { errors: ApiError[]; early: ApiError[] } {
  const errors: ApiError[] = [];
  const early: ApiError[] = [];
  for (const [name, value] of Object.entries(sent)) {
    const rel = spec.relationships[name];
    const pointer = `${base}/relationships/${name}`;
    if (!rel) {
      errors.push(apiError(400, 'extra fields constraint', `This form should not contain extra fields: "${name}".`, at(pointer)));
      continue;
    }
    if ((rel.createOnly && updating) || links.ignores(rel)) continue;
    if (!isObject(value) || !('data' in value)) {
      errors.push(apiError(400, 'request data constraint', "The relationship should have 'data' property", at(pointer)));
      continue;
    }
    const data = value['data'];
    if (rel.toMany) {
      // Null is an empty list to Oro. Owned members are stored on the record; inverse ones are applied to the members by the caller (`implied`).
      const members: RelValue[] = [];
      let missing = false;
      (Array.isArray(data) ? data : []).forEach((member: unknown, k) => {
        const link = linkOf(rel.target, member, `${pointer}/data/${k}`, links);
        if (link === 'missing') missing = true;
        else if ('early' in link) early.push(link.early);
        else members.push(link.value);
      });
      if (missing) errors.push(doesNotExist(pointer));
      else if ('owned' in rel.toMany) relationships[name] = members;
      continue;
    }
    if (data === null) {
      if (rel.required) errors.push(...missing(rel, `${pointer}/data`));
      else relationships[name] = null;
      continue;
    }
    const link = linkOf(rel.target, data, `${pointer}/data`, links);
    if (link === 'missing') errors.push(doesNotExist(pointer));
    else if ('early' in link) early.push(link.early);
    else relationships[name] = link.value;
  }
  return { errors, early };
}

/** Sent attributes merged into `attributes`, with every constraint they break. */
function sentAttributeErrors(spec: TypeSpec, sent: Record<string, unknown>, base: string, attributes: Record<string, Json>, updating: boolean): ApiError[] {
  const errors: ApiError[] = [];
  for (const [name, value] of Object.entries(sent)) {
    const attr = spec.attributes[name];
    const pointer = `${base}/attributes/${name}`;
    if (!attr) {
      errors.push(apiError(400, 'extra fields constraint', `This form should not contain extra fields: "${name}".`, at(pointer)));
      continue;
    }
    if (attr.readOnly || (attr.createOnly && updating)) continue;
    if (value === null) {
      if (attr.required || !(attr.nullable || attr.password)) errors.push(notBlank(pointer, attr.blankMessage));
      else if (!attr.password) attributes[name] = null;
      continue;
    }
    const problems = attributeValueErrors(attr, value as Json, pointer);
    errors.push(...problems);
    // A password is checked, never stored nor rendered (Oro keeps only its hash).
    if (problems.length === 0 && !attr.password) attributes[name] = value as Json;
  }
  return errors;
}

/**
 * Validates `attributes` and `relationships` of a resource object; on update, `existing` supplies
 * the values that were not sent. `implied` holds to-one relationships that another object of the
 * request set from the inverse, to-many side (an included address listed in its customer's
 * `addresses`); they count as sent unless the object sends the relationship itself. A related
 * `{type, id}` that Oro refuses before it reads fields (a wrong type, an id that is not an
 * integer) is the only error answered for the object.
 */
export function validateFields(
  spec: TypeSpec,
  rawAttributes: unknown,
  rawRelationships: unknown,
  existing: StoredRecord | undefined,
  base: string,
  links: Links,
  implied: Readonly<Record<string, RelValue>> = {},
): { errors: ApiError[]; fields: Fields } {
  const attributes: Record<string, Json> = existing ? { ...existing.attributes } : {};
  const relationships: Record<string, FieldLink> = existing ? { ...existing.relationships } : {};
  const sentAttributes = isObject(rawAttributes) ? rawAttributes : {};
  const sentRelationships = isObject(rawRelationships) ? rawRelationships : {};
  const sent = sentRelationshipFields(spec, sentRelationships, base, links, relationships, existing !== undefined);
  if (sent.early.length > 0) return { errors: sent.early, fields: { attributes, relationships } };
  const errors = sentAttributeErrors(spec, sentAttributes, base, attributes, existing !== undefined);
  if (!existing)
    for (const [name, attr] of Object.entries(spec.attributes)) {
      if (name in sentAttributes) continue;
      if (attr.required) errors.push(notBlank(`${base}/attributes/${name}`, attr.blankMessage));
      else if (attr.defaultValue !== undefined) attributes[name] = structuredClone(attr.defaultValue);
    }
  errors.push(...sent.errors);
  if (!existing)
    for (const [name, rel] of Object.entries(spec.relationships)) {
      if (rel.toMany) {
        const value = sentRelationships[name];
        const members = isObject(value) && Array.isArray(value['data']) ? value['data'].length : 0;
        if (rel.required && members === 0) errors.push(...missing(rel, `${base}/relationships/${name}/data`));
        else if ('owned' in rel.toMany && !(name in sentRelationships)) relationships[name] = rel.defaultIds ?? [];
        continue;
      }
      if (name in sentRelationships && !links.ignores(rel)) continue;
      const inverse = implied[name];
      if (inverse !== undefined) relationships[name] = inverse;
      else if (rel.required) errors.push(...missing(rel, `${base}/relationships/${name}/data`));
      else relationships[name] = rel.defaultId ?? null;
    }
  return { errors, fields: { attributes, relationships } };
}
