/**
 * The shape of a request document, checked as Oro 7.0 checks it before it reads any field
 * (ApiBundle `Request/JsonApi/TypedRequestDataValidator` and its base classes): every error at
 * once, as "request data constraint" (or "conflict constraint" for a type or id that is not the
 * URL's), with Oro's texts, which end without a period.
 */
import { apiError, at, isObject, type ApiError } from './json-api.js';

const RESOURCE_PROPERTIES = new Set(['type', 'id', 'meta', 'attributes', 'relationships', 'links']);

const requestData = (pointer: string, detail: string): ApiError => apiError(400, 'request data constraint', detail, at(pointer));
const conflict = (pointer: string, detail: string): ApiError => apiError(409, 'conflict constraint', detail, at(pointer));

/** PHP's `empty()` of a decoded JSON value, which Oro uses for "should not be empty". */
const isEmpty = (value: unknown): boolean =>
  value === null || value === false || value === 0 || value === '' || value === '0' || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);

/** A JSON object or array: what PHP decodes to an array. */
const isArrayLike = (value: unknown): value is Record<string, unknown> | unknown[] => Array.isArray(value) || isObject(value);

/** Oro's `validateArray`: an array (object or list), not empty when asked, associative when asked. */
function arrayErrors(value: unknown, name: string, pointer: string, notEmpty: boolean, associative: boolean): ApiError[] {
  if (!isArrayLike(value)) return [requestData(pointer, `The '${name}' property should be an array`)];
  if (notEmpty && isEmpty(value)) return [requestData(pointer, `The '${name}' property should not be empty`)];
  if (associative && Array.isArray(value) && value.length > 0) return [requestData(pointer, `The '${name}' property should be an associative array`)];
  return [];
}

/** `jsonapi`, `meta` and `links` of an object, each an associative array when present. */
function sectionErrors(doc: Record<string, unknown>, base: string, names: readonly string[]): ApiError[] {
  return names.flatMap((name) => (name in doc ? arrayErrors(doc[name], name, `${base}/${name}`, false, true) : []));
}

/** Oro's `validateNotBlankString` (and `validateRequired` first when `required`). */
function stringErrors(object: Record<string, unknown>, name: string, pointer: string, required: boolean): ApiError[] {
  const p = `${pointer}/${name}`;
  if (!(name in object)) return required ? [requestData(p, `The '${name}' property is required`)] : [];
  const value = object[name];
  if (value === null) return [requestData(p, `The '${name}' property should not be null`)];
  if (typeof value !== 'string') return [requestData(p, `The '${name}' property should be a string`)];
  if (value.trim() === '') return [requestData(p, `The '${name}' property should not be blank`)];
  return [];
}

/** `type` and `id` of a resource identifier, both required non-blank strings. */
const identifierErrors = (value: unknown, pointer: string): ApiError[] => {
  const object = isObject(value) ? value : {};
  return [...stringErrors(object, 'type', pointer, true), ...stringErrors(object, 'id', pointer, true)];
};

/** Each relationship of `relationships`: an object with `data`, itself null, an identifier, or a list of them. */
function relationshipErrors(relationships: Record<string, unknown>, pointer: string): ApiError[] {
  const errors: ApiError[] = [];
  for (const [name, relationship] of Object.entries(relationships)) {
    const p = `${pointer}/${name}`;
    if (!isObject(relationship) || !('data' in relationship)) {
      errors.push(requestData(p, "The relationship should have 'data' property"));
      continue;
    }
    const data = relationship['data'];
    if (data === null) continue;
    const invalid = arrayErrors(data, 'data', `${p}/data`, false, false);
    if (invalid.length > 0) errors.push(...invalid);
    else if (Array.isArray(data)) data.forEach((member, k) => errors.push(...identifierErrors(member, `${p}/data/${k}`)));
    else errors.push(...identifierErrors(data, `${p}/data`));
  }
  return errors;
}

/** `attributes` and `relationships` of a resource object: non-empty associative arrays when present. */
export function fieldSectionErrors(object: Record<string, unknown>, pointer: string): ApiError[] {
  const errors = 'attributes' in object ? arrayErrors(object['attributes'], 'attributes', `${pointer}/attributes`, true, true) : [];
  if (!('relationships' in object)) return errors;
  const invalid = arrayErrors(object['relationships'], 'relationships', `${pointer}/relationships`, true, true);
  const relationships = object['relationships'];
  return [...errors, ...invalid, ...(invalid.length === 0 && isObject(relationships) ? relationshipErrors(relationships, `${pointer}/relationships`) : [])];
}

/** Properties a resource object may not have, then its `meta` and `links`. */
function structureErrors(object: Record<string, unknown>, pointer: string): ApiError[] {
  const extra = Object.keys(object).filter((key) => !RESOURCE_PROPERTIES.has(key));
  return [...extra.map((key) => requestData(pointer, `The '${key}' property is not allowed for a resource object`)), ...sectionErrors(object, pointer, ['meta', 'links'])];
}

/** `included`: a non-empty array of resource objects, each with a `type` and an `id`. */
function includedErrors(doc: Record<string, unknown>): ApiError[] {
  if (!('included' in doc)) return [];
  const invalid = arrayErrors(doc['included'], 'included', '/included', true, false);
  if (invalid.length > 0) return invalid;
  return Object.entries(doc['included'] as Record<string, unknown>).flatMap(([k, item]) => {
    const pointer = `/included/${k}`;
    if (!isArrayLike(item)) return [requestData(pointer, 'The related resource should be an object')];
    const object = isObject(item) ? item : {};
    return [...structureErrors(object, pointer), ...identifierErrors(object, pointer), ...fieldSectionErrors(object, pointer)];
  });
}

/**
 * Errors of a single-resource document sent to `POST {type}` (`urlId` undefined) or
 * `PATCH {type}/{urlId}`: the primary data must exist, carry the URL's type (and id), and its
 * sections be well formed; `included` is checked too.
 */
export function resourceDocumentErrors(doc: unknown, type: string, urlId: string | undefined): ApiError[] {
  const body = isObject(doc) ? doc : {};
  const errors = sectionErrors(body, '', ['jsonapi', 'meta', 'links']);
  if (!('data' in body)) return [...errors, requestData('/data', 'The primary data object should exist')];
  const data = body['data'];
  if (isEmpty(data)) return [...errors, requestData('/data', 'The primary data object should not be empty')];
  if (!isArrayLike(data)) return [...errors, requestData('/data', 'The primary data object should be an object')];
  const object = isObject(data) ? data : {};
  if (isObject(data)) errors.push(...structureErrors(object, '/data'));
  if (urlId === undefined) {
    const typeErrors = stringErrors(object, 'type', '/data', true);
    errors.push(...typeErrors);
    if (typeErrors.length === 0 && object['type'] !== type) errors.push(conflict('/data/type', "The 'type' property of the primary data object should match the requested resource"));
    errors.push(...stringErrors(object, 'id', '/data', false));
  } else {
    const identifier = identifierErrors(object, '/data');
    errors.push(...identifier);
    if (identifier.length === 0) {
      if (object['type'] !== type) errors.push(conflict('/data/type', "The 'type' property of the primary data object should match the requested resource"));
      if (object['id'] !== urlId) errors.push(conflict('/data/id', "The 'id' property of the primary data object should match 'id' parameter of the query string"));
    }
  }
  return [...errors, ...fieldSectionErrors(object, '/data'), ...includedErrors(body)];
}
