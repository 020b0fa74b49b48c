import * as t from 'io-ts';
import { getPath } from '../util/path.js';

/**
 * A string with at least one non-whitespace character. Whitespace-only strings are refused too:
 * as a name or a key they are as empty as `""` (and Oro's not-blank constraint agrees).
 *
 * @example
 * const Customer = t.type({ id: t.number, name: NonEmptyString });
 */
export const NonEmptyString: t.Type<string, string, unknown> = new t.Type<string, string, unknown>(
  'non-empty string',
  (u): u is string => typeof u === 'string' && u.trim().length > 0,
  (u, c) => (typeof u === 'string' && u.trim().length > 0 ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/** What a record key may be: a non-empty string or a finite number (JSON has no NaN). */
export const KeyValue: t.Type<string | number, string | number, unknown> = new t.Type<
  string | number,
  string | number,
  unknown
>(
  'non-empty string or number',
  (u): u is string | number => NonEmptyString.is(u) || (typeof u === 'number' && Number.isFinite(u)),
  (u, c) => (NonEmptyString.is(u) || (typeof u === 'number' && Number.isFinite(u)) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/**
 * An object whose value at `keyPath` (a dot path) is a non-empty string or a number: the least a
 * source record must be for the sink to find its counterpart in Oro. Any other fields pass as is.
 *
 * A bad or missing key is reported at the key's path, e.g. `customer.id: expected non-empty
 * string or number, got ""` with pointer `/customer/id`.
 *
 * @throws RangeError when `keyPath` is empty (a programming error, not a record error).
 *
 * @example
 * source$.pipe(decodeWith(recordWithKey('id')), mapRecords(mapping));
 */
export function recordWithKey(keyPath: string): t.Type<Record<string, unknown>, Record<string, unknown>, unknown> {
  if (keyPath === '') throw new RangeError('recordWithKey: keyPath must name a field, got an empty path');
  const segments = keyPath.split('.');
  const codec: t.Type<Record<string, unknown>, Record<string, unknown>, unknown> = new t.Type<
    Record<string, unknown>,
    Record<string, unknown>,
    unknown
  >(
    `object with key ${JSON.stringify(keyPath)}`,
    (u): u is Record<string, unknown> => t.UnknownRecord.is(u) && KeyValue.is(getPath(u, keyPath)),
    (u, c) => {
      if (!t.UnknownRecord.is(u)) return t.failure(u, c);
      const key = getPath(u, keyPath);
      if (KeyValue.is(key)) return t.success(u);
      // Walk the context down the key path so the error names `customer.id`, not the record.
      let context = c;
      segments.forEach((segment, i) => {
        const at = getPath(u, segments.slice(0, i + 1).join('.'));
        context = t.appendContext(context, segment, i === segments.length - 1 ? KeyValue : t.unknown, at);
      });
      return t.failure(key, context);
    },
    t.identity,
  );
  return codec;
}
