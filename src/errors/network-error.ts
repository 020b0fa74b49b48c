import type { ErrorDetail } from '../types/outcome.js';
import { OroSyncError } from './oro-sync-error.js';

/**
 * The request never got an HTTP answer (connection refused or reset, DNS, TLS). Transient.
 *
 * @example
 * ```ts
 * if (error instanceof NetworkError) console.log(`no answer from ${error.method} ${error.url}`);
 * ```
 */
export class NetworkError extends OroSyncError {
  readonly errorClass = 'transient' as const;

  constructor(readonly method: string, readonly url: string, cause: unknown) {
    const reason = cause instanceof Error ? ((cause as { code?: string }).code ?? cause.message) : String(cause);
    super(`${method} ${url} failed: ${reason}`, { cause });
  }

  override toDetails(): ErrorDetail[] {
    return [{ title: 'network error', detail: this.message }];
  }
}
