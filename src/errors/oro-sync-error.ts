import type { ErrorDetail } from '../types/outcome.js';

/**
 * How an error should be treated:
 * - `transient`: worth retrying with backoff (network, timeout, 408/425/429/5xx);
 * - `permanent`: this record / request will not succeed as is (4xx): a `rejected` outcome;
 * - `auth`: the token is no longer valid (401): get a new one once, then replay;
 * - `fatal`: the run cannot go on (bad config, bad credentials): stop with a clear message.
 */
export type ErrorClass = 'transient' | 'permanent' | 'auth' | 'fatal';

/**
 * Base of every error oro-sync throws. Messages never contain secrets or tokens.
 *
 * @example
 * ```ts
 * try {
 *   await client.get('customers', '1');
 * } catch (error) {
 *   if (error instanceof OroSyncError && error.errorClass === 'fatal') process.exitCode = 2;
 * }
 * ```
 */
export abstract class OroSyncError extends Error {
  abstract readonly errorClass: ErrorClass;
  /** Server-requested delay before a retry, in ms (from `Retry-After`), if any. */
  retryAfterMs?: number;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** The error as dead-letter / outcome details. */
  toDetails(): ErrorDetail[] {
    return [{ title: this.name, detail: this.message }];
  }
}
