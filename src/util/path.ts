/**
 * Reads the value at a dot path (`customer.address.city`, `items.0.sku`) from a parsed record.
 *
 * Only own properties are followed, so a path can never reach `constructor` or `__proto__` of
 * a plain object. An empty path returns `value` itself.
 *
 * @returns the value found, or `undefined` when any segment is absent (or the path runs into a
 *   primitive or `null` before its end). A present `null` is returned as `null`, which is how
 *   callers tell "absent" from "explicitly empty".
 *
 * @example
 * getPath({ a: { b: [10, 20] } }, 'a.b.1'); // 20
 * getPath({ a: null }, 'a');                // null
 * getPath({ a: null }, 'a.b');              // undefined
 */
export function getPath(value: unknown, dotPath: string): unknown {
  if (dotPath === '') return value;
  if (!dotPath.includes('.')) {
    // One segment, the common case (a mapping's `name`, `id`): no split per record and field.
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, dotPath)) return undefined;
    return (value as Record<string, unknown>)[dotPath];
  }
  let current: unknown = value;
  for (const segment of dotPath.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * The RFC 6901 JSON pointer for a dot path: `attributes.name` -> `/attributes/name`.
 * Used so that errors about a source record point into it the way Oro's errors point into a body.
 */
export function pointerOf(dotPath: string): string {
  if (dotPath === '') return '';
  return dotPath
    .split('.')
    .map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
}

/** `array`, `null` or the `typeof` of a JSON value, for error messages. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
