import type * as t from 'io-ts';
import { locateIoTsError } from '../errors/describe-io-ts.js';
import { shortJson } from '../errors/short-json.js';
import type { ErrorDetail } from '../types/outcome.js';
import { pointerOf } from '../util/path.js';

export { shortJson };

/** Where one io-ts error is, as a dot path, and which codec the value there failed. */
function locate(error: t.ValidationError): { path: string; expected: string } {
  const { path, expected } = locateIoTsError(error.context);
  return { path: path.join('.'), expected: expected ?? 'a valid value' };
}

/**
 * One io-ts error as a readable line: `attributes.name: expected non-empty string, got ""`.
 * A codec's own message (from `t.failure(u, c, message)`) replaces the `expected ..., got ...`
 * part. Errors about the whole value have no path prefix.
 */
export function describeDecodeError(error: t.ValidationError): string {
  const { path, expected } = locate(error);
  const what = error.message ?? `expected ${expected}, got ${shortJson(error.value)}`;
  return path === '' ? what : `${path}: ${what}`;
}

/**
 * All io-ts errors as readable lines (see {@link describeDecodeError}), without duplicates:
 * a union reports one error per member, which here read the same.
 */
export function describeDecodeErrors(errors: t.Errors): string[] {
  return [...new Set(errors.map(describeDecodeError))];
}

/**
 * io-ts errors as outcome / dead-letter details:
 * `{ title, detail: 'attributes.name: expected non-empty string, got ""', pointer: '/attributes/name' }`.
 * The pointer is an RFC 6901 JSON pointer into the decoded value (`''` for the value itself).
 * Duplicates (one per union member) are dropped.
 *
 * @param title the `title` of every detail; `'invalid record'` for source records.
 */
export function formatDecodeErrors(errors: t.Errors, title = 'invalid record'): ErrorDetail[] {
  const seen = new Set<string>();
  const details: ErrorDetail[] = [];
  for (const error of errors) {
    const detail = describeDecodeError(error);
    if (seen.has(detail)) continue;
    seen.add(detail);
    details.push({ title, detail, pointer: pointerOf(locate(error).path) });
  }
  return details;
}
