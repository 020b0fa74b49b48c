import type { ErrorDetail } from '../types/outcome.js';
import { OroSyncError } from './oro-sync-error.js';

/**
 * No complete answer within the request's timeout (an Oro request, a token request, a source
 * page), or an async operation that did not finish within its poll budget. Transient: worth a
 * retry with backoff. The message names the method, the URL and the limit.
 *
 * @example
 * ```ts
 * if (error instanceof TimeoutError) console.log(`${error.method} ${error.url}: no answer in ${error.timeoutMs} ms`);
 * ```
 */
export class TimeoutError extends OroSyncError {
  readonly errorClass = 'transient' as const;

  constructor(readonly method: string, readonly url: string, readonly timeoutMs: number) {
    super(`${method} ${url} timed out after ${timeoutMs} ms`);
  }

  override toDetails(): ErrorDetail[] {
    return [{ title: 'timeout', detail: this.message }];
  }
}
