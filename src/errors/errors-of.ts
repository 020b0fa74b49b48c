/**
 * Oro's error document (`docs/oro-api.md` §4), read from the body of a non-2xx answer. It sits
 * here, beside `HttpError`, because two callers on different floors need it: the Oro transport
 * and the HTTP source (a JSON:API export answers errors in the same shape).
 */
import * as t from 'io-ts';
import type { ErrorDetail } from '../types/outcome.js';

/**
 * `meta` and `links` of an error object: a JSON object, or `[]` where PHP wrote an empty one (an
 * empty PHP array encodes as a list). Accepts what `oro/codecs.ts`'s `JsonObject` accepts.
 */
const isJsonObject = (u: unknown): u is Readonly<Record<string, unknown>> => t.UnknownRecord.is(u) || (Array.isArray(u) && u.length === 0);
const JsonObject = new t.Type<Readonly<Record<string, unknown>>, Readonly<Record<string, unknown>>, unknown>(
  'JsonObject',
  isJsonObject,
  (u, c) => (isJsonObject(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/** One JSON:API error object as Oro sends it: `status` is a string here. */
const ErrorObject = t.intersection(
  [
    t.type({ status: t.string }),
    t.partial({
      title: t.string,
      detail: t.string,
      source: t.partial({ pointer: t.string, parameter: t.string }),
      code: t.string,
      id: t.string,
      meta: JsonObject,
      links: JsonObject,
    }),
  ],
  'ErrorObject',
);

/** `{ errors: [...] }`: the body of a non-2xx answer from Oro. */
export const ErrorDocument = t.type({ errors: t.readonlyArray(ErrorObject) }, 'ErrorDocument');
export type ErrorDocument = t.TypeOf<typeof ErrorDocument>;

/**
 * Oro's errors from a non-2xx body; `[]` when it is empty or not a JSON:API error document
 * (a proxy's HTML page, an error object without a string `status`).
 *
 * @example
 * ```ts
 * errorsOf('{"errors":[{"status":"400","title":"not blank constraint","source":{"pointer":"/data/attributes/name"}}]}');
 * // [{ status: '400', title: 'not blank constraint', pointer: '/data/attributes/name' }]
 * ```
 */
export function errorsOf(body: string): ErrorDetail[] {
  if (body.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return [];
  }
  const decoded = ErrorDocument.decode(value);
  if (decoded._tag === 'Left') return [];
  return decoded.right.errors.map((e) => ({
    status: e.status,
    title: e.title ?? e.code ?? `http ${e.status}`,
    ...(e.detail !== undefined ? { detail: e.detail } : {}),
    ...(e.source?.pointer !== undefined ? { pointer: e.source.pointer } : {}),
    ...(e.source?.parameter !== undefined ? { parameter: e.source.parameter } : {}),
  }));
}
