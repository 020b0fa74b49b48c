/**
 * The value at a dot path (`meta.next_cursor`, `data.items.0`) inside parsed JSON, or `undefined`
 * when any step is missing. An empty path is the value itself.
 */
export function atPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** `array`, `null` or the `typeof` of a JSON value, for error messages. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
