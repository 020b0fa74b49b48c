import type { ErrorDetail } from '../types/outcome.js';
import { OroSyncError, type ErrorClass } from './oro-sync-error.js';

/** Statuses that will not succeed on retry (`docs/oro-api.md` §4). */
export const PERMANENT_STATUSES: ReadonlySet<number> = new Set([400, 403, 404, 405, 406, 409, 410, 413, 415, 422]);
/** Statuses worth retrying with backoff (`docs/oro-api.md` §4). */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Classify an HTTP status the way `docs/oro-api.md` §4 prescribes. */
export function classifyStatus(status: number): ErrorClass {
  if (status === 401) return 'auth';
  if (TRANSIENT_STATUSES.has(status)) return 'transient';
  if (status >= 500) return 'transient';
  return 'permanent';
}

/**
 * A non-2xx answer from Oro (or from a proxy in front of it). Keeps Oro's own
 * title / detail / pointer for every error in the body.
 *
 * @example
 * ```ts
 * try {
 *   await client.create({ data: { type: 'customers', attributes: { name: '' } } });
 * } catch (error) {
 *   if (error instanceof HttpError && error.status === 400) console.log(error.errors[0]?.pointer);   // /data/attributes/name
 * }
 * ```
 */
export class HttpError extends OroSyncError {
  readonly errorClass: ErrorClass;

  constructor(
    readonly method: string,
    /** The request URL without credentials. */
    readonly url: string,
    readonly status: number,
    /** Oro's errors from the body; empty when the body was empty or not JSON:API. */
    readonly errors: readonly ErrorDetail[],
    retryAfterMs?: number,
  ) {
    const first = errors[0];
    const what = first
      ? `: ${first.title}${first.detail ? ` (${first.detail})` : ''}${first.pointer ? ` at ${first.pointer}` : ''}` +
        (errors.length > 1 ? ` and ${errors.length - 1} more` : '')
      : '';
    super(`${method} ${url} answered ${status}${what}`);
    this.errorClass = classifyStatus(status);
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }

  override toDetails(): ErrorDetail[] {
    if (this.errors.length > 0) return [...this.errors];
    return [{ status: String(this.status), title: `http ${this.status}`, detail: this.message }];
  }
}
