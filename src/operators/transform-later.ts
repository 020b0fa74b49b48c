import type { Json, ResourceObject } from '../types/jsonapi.js';
import type { BuiltBody, BuiltLater, ExistingRead, ExistingRecord } from '../types/existing.js';
import { shortJson } from './format-decode-errors.js';
import { PRODUCT_READ } from './product-parts.js';

/** What a `transform` may return: a resource object, or one with related resources to include. */
export type TransformResult =
  | ResourceObject
  | { readonly resource: ResourceObject; readonly included?: readonly ResourceObject[] };

/**
 * What a transform is told besides the record: whether it creates or updates, and Oro's copy.
 *
 * @example
 * ```ts
 * // transform.mjs: rename the existing default name in place, or create the product.
 * export default (row, { action, existing }) => {
 *   if (action === 'create') return newProduct(row); // with its names, precisions, family, status
 *   const name = existing.included.find((r) => r.type === 'productnames' && !r.relationships?.localization?.data);
 *   return {
 *     resource: { type: 'products', attributes: { sku: row.sku }, relationships: { names: existing.data.relationships.names } },
 *     included: [{ type: 'productnames', id: name.id, meta: { update: true }, attributes: { string: row.name } }],
 *   };
 * };
 * ```
 */
export interface TransformContext {
  /** `update` when Oro holds a record for the key, else `create`. */
  readonly action: 'create' | 'update';
  /**
   * Oro's record for the key (undefined on create), read with what a transform needs to change it
   * in place: a product's names and unit precisions are in `included`.
   */
  readonly existing: ExistingRecord | undefined;
}

/**
 * A mapping function: one source record in, one JSON:API resource object out. One that declares a
 * second parameter (`(record, { existing }) => ...`) is called once Oro's record for the key has
 * been read; one that does not is called as the record is mapped, before any read.
 */
export type Transform<A = unknown> = (value: A, context: TransformContext) => TransformResult;

/** Whether a transform wants to be told about Oro's record (it declares a second parameter). */
export function wantsExisting(transform: (...args: never[]) => unknown): boolean {
  return transform.length >= 2;
}

/** Oro's record as a transform of `type` reads it: whole, with a product's names and precisions. */
function readFor(type: string): ExistingRead {
  return type === 'products' ? { include: PRODUCT_READ.include } : { include: [] };
}

/**
 * A record mapped by a transform that wants Oro's record: the sink reads it, then calls the
 * transform. Its digest covers the source record itself (with the transform module in the mapping
 * fingerprint, the same record gives the same document).
 */
export function transformLater<A>(transform: Transform<A>, value: A, type: string, which: () => string): BuiltLater {
  return {
    basis: value as unknown as Json,
    read: readFor(type),
    build: (_resource, existing) => {
      const body = transformed(() => transform(value, { action: existing ? 'update' : 'create', existing }), which);
      return typeof body === 'string' ? { problem: { title: 'transform failed', detail: body } } : body;
    },
  };
}

/**
 * Calls a transform (`call`) and checks what it returned: a body, or why it cannot be written (the
 * record and the reason: the transform threw, or returned no resource object with a `type`).
 */
export function transformed(call: () => unknown, which: () => string): BuiltBody | string {
  let out: unknown;
  try {
    out = call();
  } catch (error) {
    const reason = error instanceof Error ? error.message : shortJson(error);
    return `${which()}: transform threw: ${reason}`;
  }
  // `{ resource, included? }` has no `type` of its own; a resource object always has one.
  const wrapper = isObject(out) && !('type' in out) && 'resource' in out ? out : undefined;
  const resource = wrapper ? wrapper.resource : out;
  const included = wrapper?.included;
  if (!isResource(resource)) return `${which()}: transform returned no resource object with a "type" (got ${shortJson(resource)})`;
  if (included !== undefined && !(Array.isArray(included) && included.every(isResource))) {
    return `${which()}: transform returned "included" that is not an array of resource objects with a "type"`;
  }
  return included === undefined ? { resource } : { resource, included: included as ResourceObject[] };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isResource(value: unknown): value is ResourceObject {
  return isObject(value) && typeof value.type === 'string' && value.type.trim() !== '';
}
