/**
 * io-ts validation errors as one line per problem: `path: expected X, got Y`.
 *
 * The path is the dot path into the config (`pipeline.concurrency`), "expected" is the name of the
 * codec that failed (`positive integer`, `one of "ndjson" | "json"`), "got" is a short rendering
 * of the value. Values that may be secrets (the client secret, HTTP header values, passwords in
 * URLs) are never rendered: error messages end up in logs and terminals.
 */
import type * as t from 'io-ts';
import { locateIoTsError } from '../errors/describe-io-ts.js';
import { redactUrl } from '../util/redact.js';

/** Shown instead of a path for a problem with the whole file. */
export const ROOT_PATH = '(top level)';

const MAX_SHOWN = 60;

/** The dot path of keys into the config (`pipeline.batchSize`); empty keys are not shown. */
function dotPath(keys: readonly string[]): string {
  const shown = keys.filter((key) => key !== '');
  return shown.length > 0 ? shown.join('.') : ROOT_PATH;
}

/** True when a value at `path` may be a secret and must not be shown. */
export function isSecretPath(path: string): boolean {
  const last = path.split('.').pop() ?? '';
  return (
    /secret|password/i.test(last) ||
    /^(token|access_token|authorization|cookie|x-api-key|api[-_]?key)$/i.test(last) ||
    /(^|\.)headers\./.test(path)
  );
}

/**
 * A short, safe rendering of a config value for "got ...": strings quoted (and cut), numbers and
 * booleans as they are, compound values by their kind, absent values as `nothing`.
 */
export function describeValue(value: unknown, path: string): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    if (isSecretPath(path) && value !== '') return '"***"';
    const shown = redactUrl(value);
    return JSON.stringify(shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN)}…` : shown);
  }
  if (isSecretPath(path)) return `a ${typeof value}`;
  return String(value);
}

/** One problem line for one io-ts error. */
export function formatValidationError(error: t.ValidationError): string {
  const { path: keys, expected } = locateIoTsError(error.context);
  const path = dotPath(keys);
  if (error.message !== undefined) return `${path}: ${error.message}`;
  return `${path}: expected ${expected ?? 'a value'}, got ${describeValue(error.value, path)}`;
}

/** Every io-ts error as a problem line, duplicates removed, in the order found. */
export function formatValidationErrors(errors: t.Errors): string[] {
  return [...new Set(errors.map(formatValidationError))];
}
