import { OroSyncError } from './oro-sync-error.js';

/**
 * A run refused before it wrote anything: what `oro-sync check` refuses (an unknown type, the
 * Batch API off for the mode, a key field or filter Oro lacks, upsert where Oro allows none), or
 * a CSV header without a column the mapping reads. No record could be written this way, so the
 * run stops (exit 2) instead of rejecting every record. The message holds the lines `check`
 * would print, one per problem: `not usable: <problem>`.
 *
 * @example
 * ```ts
 * try {
 *   await runConfig(config, runtime);
 * } catch (error) {
 *   if (error instanceof PreflightError) for (const problem of error.problems) console.error(problem);
 * }
 * ```
 */
export class PreflightError extends OroSyncError {
  readonly errorClass = 'fatal' as const;

  constructor(readonly problems: readonly string[]) {
    super(problems.map((problem) => `not usable: ${problem}`).join('\n'));
  }
}
