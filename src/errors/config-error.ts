import { OroSyncError } from './oro-sync-error.js';

/** The configuration cannot be used. Every problem names its path: `pipeline.concurrency: expected ...`. */
export class ConfigError extends OroSyncError {
  readonly errorClass = 'fatal' as const;

  constructor(readonly problems: readonly string[], readonly file?: string) {
    super(`${file ? `${file}: ` : ''}invalid config:\n  ${problems.join('\n  ')}`);
  }
}
