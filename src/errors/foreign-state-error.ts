import { OroSyncError } from './oro-sync-error.js';

/**
 * The state store holds a pipeline's ids and digests from another Oro than the config points at
 * (a project copied to another Oro, a staging refresh). Used against this Oro, the stored ids
 * name other records: a write or `target.onMissing` through them would change records this
 * pipeline never wrote. The run stops before it writes anything, with the one line the contract
 * gives; `--forget-state` starts the pipeline over against the new Oro.
 *
 * @example
 * ```ts
 * try {
 *   await runConfig(config, runtime);
 * } catch (error) {
 *   if (error instanceof ForeignStateError) console.error(`${error.message} (stored for ${error.storedOro})`);
 * }
 * ```
 */
export class ForeignStateError extends OroSyncError {
  readonly errorClass = 'fatal' as const;

  /**
   * @param where the state store: `state.path`, or `state.url` with its password replaced
   * @param storedOro the base URL the pipeline's state came from
   * @param configOro the base URL the config points at now
   */
  constructor(readonly where: string, readonly storedOro: string, readonly configOro: string) {
    super(`state ${where} holds ids from ${storedOro}; this config points at ${configOro}: use another state.path, or run with --forget-state to start over`);
  }
}
