import type { ErrorDetail } from '../types/outcome.js';
import { OroSyncError, type ErrorClass } from './oro-sync-error.js';

/** The class of any thrown value; unknown errors are treated as permanent (a bug, not a blip). */
export function classOf(error: unknown): ErrorClass {
  return error instanceof OroSyncError ? error.errorClass : 'permanent';
}

/**
 * True for errors worth retrying: network errors, timeouts, 429 and 5xx answers.
 *
 * @example
 * ```ts
 * request$.pipe(retryTransient({ retries: 3, isRetryable: isTransient }));
 * ```
 */
export const isTransient = (error: unknown): boolean => classOf(error) === 'transient';
export const isFatal = (error: unknown): boolean => classOf(error) === 'fatal';

/** Server-requested delay in ms, if the error carries one. */
export function retryAfterOf(error: unknown): number | undefined {
  return error instanceof OroSyncError ? error.retryAfterMs : undefined;
}

/** Any thrown value as outcome / dead-letter details. */
export function detailsOf(error: unknown): ErrorDetail[] {
  if (error instanceof OroSyncError) return error.toDetails();
  if (error instanceof Error) return [{ title: error.name, detail: error.message }];
  return [{ title: 'error', detail: String(error) }];
}
