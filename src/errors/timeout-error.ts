import type { ErrorDetail } from '../types/outcome.js';
import { OroSyncError } from './oro-sync-error.js';

/** No answer within the request timeout. Transient. */
export class TimeoutError extends OroSyncError {
  readonly errorClass = 'transient' as const;

  constructor(readonly method: string, readonly url: string, readonly timeoutMs: number) {
    super(`${method} ${url} timed out after ${timeoutMs} ms`);
  }

  override toDetails(): ErrorDetail[] {
    return [{ title: 'timeout', detail: this.message }];
  }
}
