import type * as t from 'io-ts';
import type { ErrorDetail } from '../types/outcome.js';
import { pointerOf } from './path.js';

/** Longest rendering of an offending value inside an error message. */
const MAX_VALUE_CHARS = 60;

/**
 * A value as short JSON for an error message: `""`, `42`, `{"a":1,"b":…`. Values JSON cannot
 * render (`undefined`, `NaN`, functions, bigints, cycles) fall back to `String(value)`.
 */
export function shortJson(value: unknown, maxChars = MAX_VALUE_CHARS): string {
  // JSON.stringify would print NaN / Infinity as `null`, hiding the very problem being reported.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) text = String(value);
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}

/** Combinators whose context entries are member indexes, not places in the input. */
function isNoise(parent: t.Decoder<unknown, unknown> | undefined): boolean {
  const tag = (parent as { _tag?: unknown } | undefined)?._tag;
  return tag === 'UnionType' || tag === 'IntersectionType';
}

/** Where one io-ts error is, as a dot path, and which codec the value there failed. */
function locate(error: t.ValidationError): { path: string; expected: string } {
  const segments: string[] = [];
  // The outermost codec at the error's final path names what was expected there: for a union at
  // `id` that is the union (`non-empty string or number`), not whichever member was tried last.
  const outermostAt: string[] = [];
  error.context.forEach((entry, i) => {
    if (i > 0 && !isNoise(error.context[i - 1]?.type)) segments.push(entry.key);
    outermostAt[segments.length] ??= entry.type.name;
  });
  return { path: segments.join('.'), expected: outermostAt[segments.length] ?? 'a valid value' };
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
