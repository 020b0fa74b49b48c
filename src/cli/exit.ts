import { ConfigError } from '../errors/config-error.js';
import { OroSyncError } from '../errors/oro-sync-error.js';

/** Exit codes of the contract: 0 all synced or skipped; 1 some rejected or failed; 2 could not proceed. */
export const EXIT_OK = 0;
export const EXIT_RECORDS = 1;
export const EXIT_SYSTEMIC = 2;

/** A systemic failure as the one line (or, for config errors, one line per problem) the user reads. */
export function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return `oro-sync: ${error.message}`;
  if (error instanceof OroSyncError) return `oro-sync: ${error.message}`;
  if (error instanceof Error) return `oro-sync: ${error.message}`;
  return `oro-sync: ${String(error)}`;
}
