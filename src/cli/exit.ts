
/** Exit codes of the contract: 0 all synced or skipped; 1 some rejected or failed; 2 could not proceed. */
export const EXIT_OK = 0;
export const EXIT_RECORDS = 1;
export const EXIT_SYSTEMIC = 2;

/** A systemic failure as the one line (or, for config errors, one line per problem) the user reads. */
export function describeFailure(error: unknown): string {
  // OroSyncError messages (config problems included) are written to be read as they are.
  return `oro-sync: ${error instanceof Error ? error.message : String(error)}`;
}
