import { OroSyncError } from './oro-sync-error.js';

/**
 * The state store cannot be opened or used (PostgreSQL unreachable, a refused login, a schema
 * newer than this oro-sync). The run cannot go on: it stops with this one line, which names the
 * store (`state.url` with its password replaced, or `state.path`) and never holds a password.
 *
 * @example
 * ```ts
 * openPgStateStore(process.env.STATE_URL ?? '').catch((error: unknown) => {
 *   if (error instanceof StateStoreError) console.error(error.message);   // names the store, password replaced
 * });
 * ```
 */
export class StateStoreError extends OroSyncError {
  readonly errorClass = 'fatal' as const;
}
