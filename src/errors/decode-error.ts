import type { ErrorDetail } from '../types/outcome.js';
import { OroSyncError } from './oro-sync-error.js';

/**
 * A response (or input) did not have the shape we expected. Each problem names the path that was
 * wrong: `data.0.id: expected string, got 5`. Permanent.
 *
 * @example
 * ```ts
 * if (error instanceof DecodeError) console.log(error.what, error.problems);   // ['data.0.id: expected string, got 5']
 * ```
 */
export class DecodeError extends OroSyncError {
  readonly errorClass = 'permanent' as const;

  constructor(readonly what: string, readonly problems: readonly string[]) {
    super(`${what}: ${problems.join('; ')}`);
  }

  override toDetails(): ErrorDetail[] {
    return this.problems.map((p) => ({ title: 'invalid', detail: p }));
  }
}
