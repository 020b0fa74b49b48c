import { OroSyncError } from './oro-sync-error.js';

/**
 * The first records of a run were all rejected for one and the same reason (Oro's title and
 * pointer, or the same mapping error): the mapping, the source or the target is wrong, not the
 * records, and going on would only dead-letter the whole source. The run stops (exit 2) saying
 * why; what it read is not passed by its checkpoint, so the next run reads it again.
 *
 * @example
 * ```ts
 * try {
 *   await runConfig(config, runtime);
 * } catch (error) {
 *   if (error instanceof AllRejectedError) console.error(`${error.records} records: ${error.reason}`);
 * }
 * ```
 */
export class AllRejectedError extends OroSyncError {
  readonly errorClass = 'fatal' as const;

  /**
   * @param records how many records were rejected in a row
   * @param reason the reason they share, as a person reads it (`"not blank constraint" at /data/attributes/name: ...`)
   */
  constructor(readonly records: number, readonly reason: string) {
    super(`stopped: the first ${records} records of this run were all rejected for the same reason (${reason}); ` +
      'nothing more is read or sent: fix the mapping, the source or the target, then run again');
  }
}
