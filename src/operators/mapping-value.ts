import type { Json } from '../types/jsonapi.js';
import { getPath, pointerOf } from '../util/path.js';

/**
 * A declarative value: the dot path of a field of the source record, or a constant
 * `{ "value": <json> }` written as is into every record (`"status": { "value": "enabled" }`).
 */
export type ValueSource = string | { readonly value: Json };

/**
 * The value a record has for `source`: the field at its path (`undefined` when absent), or the
 * constant.
 *
 * @example
 * ```ts
 * valueAt({ sku: 'P-1' }, 'sku');                  // 'P-1'
 * valueAt({ sku: 'P-1' }, { value: 'enabled' });   // 'enabled'
 * ```
 */
export function valueAt(record: unknown, source: ValueSource): unknown {
  return typeof source === 'string' ? getPath(record, source) : source.value;
}

/** How an error names where a value came from: `"sku"`, or `the constant "enabled"`. */
export function sourceName(source: ValueSource): string {
  return typeof source === 'string' ? JSON.stringify(source) : `the constant ${JSON.stringify(source.value)}`;
}

/** The JSON pointer into the source record an error about `source` points at (none for a constant). */
export function sourcePointer(source: ValueSource): { readonly pointer?: string } {
  return typeof source === 'string' ? { pointer: pointerOf(source) } : {};
}

