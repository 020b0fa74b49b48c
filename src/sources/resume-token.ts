import { ConfigError } from '../errors/config-error.js';
import type { Json } from '../types/jsonapi.js';

/** What one field of a resume token holds: a non-negative integer, a string, or a string or null. */
export type ResumeField = 'count' | 'string' | 'cursor';
type FieldValue<K extends ResumeField> = K extends 'count' ? number : K extends 'string' ? string : string | null;

/**
 * Checks a checkpoint's resume token against the shape a source writes (`{line: 'count'}`), so that
 * a token from another source kind stops the run with a clear message instead of misreading it.
 *
 * @param expected how the shape reads in the message, e.g. `{page, skip}`.
 * @throws ConfigError naming what was expected and what was found.
 */
export function readResume<S extends Record<string, ResumeField>>(
  resume: Json,
  shape: S,
  expected: string,
): { [K in keyof S]: FieldValue<S[K]> } {
  const fits =
    resume !== null &&
    typeof resume === 'object' &&
    !Array.isArray(resume) &&
    Object.entries(shape).every(([name, kind]) => {
      const value = resume[name];
      if (kind === 'count') return typeof value === 'number' && Number.isInteger(value) && value >= 0;
      if (kind === 'string') return typeof value === 'string';
      return typeof value === 'string' || value === null;
    });
  if (!fits) {
    throw new ConfigError([`source resume token: expected ${expected}, got ${JSON.stringify(resume)}`]);
  }
  return resume as { [K in keyof S]: FieldValue<S[K]> };
}
