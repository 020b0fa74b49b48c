import { OroSyncError } from './oro-sync-error.js';

/**
 * The configuration cannot be used. Every problem names its path: `pipeline.concurrency: expected ...`.
 *
 * @example
 * ```ts
 * try {
 *   await loadConfig('customers.json');
 * } catch (error) {
 *   if (error instanceof ConfigError) for (const problem of error.problems) console.error(problem);
 * }
 * ```
 */
export class ConfigError extends OroSyncError {
  readonly errorClass = 'fatal' as const;

  constructor(readonly problems: readonly string[], readonly file?: string) {
    super(`${file ? `${file}: ` : ''}invalid config:\n  ${problems.join('\n  ')}`);
  }
}
