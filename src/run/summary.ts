/**
 * Outcome counts and the one-line summary every run ends with (README, "Check, dry-run, run"):
 * `dry-run: create N, update M, skip K, reject R, unchanged U, delete D` for dry runs,
 * `done: created N, updated M, unchanged U, skipped K, rejected R, failed F in 12.3 s` otherwise
 * (with `, deleted D` after `failed F` when keys missing from a snapshot were deleted).
 */
import type { Outcome, OutcomeStatus } from '../types/outcome.js';

/** Records per outcome status. */
export type OutcomeCounts = Record<OutcomeStatus, number>;

/** The statuses in the order summaries list them. */
export const OUTCOME_STATUSES: readonly OutcomeStatus[] = ['created', 'updated', 'sent', 'unchanged', 'skipped', 'rejected', 'failed', 'deleted'];

/** All zero. */
export function emptyCounts(): OutcomeCounts {
  return { created: 0, updated: 0, sent: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0, deleted: 0 };
}

/** A running count of outcomes. */
export interface OutcomeCounter {
  /** Count one outcome (or one outcome status). */
  add(outcome: Outcome | OutcomeStatus): void;
  /** The counts so far (a live object: read it, do not keep it across runs). */
  readonly counts: Readonly<OutcomeCounts>;
  /** Records counted so far. */
  readonly total: number;
}

/**
 * Start counting outcomes.
 *
 * @example
 * const counter = countOutcomes();
 * outcomes$.subscribe((o) => counter.add(o));
 * // at the end: formatSummary(counter.counts, { dryRun: false, elapsedMs })
 */
export function countOutcomes(): OutcomeCounter {
  const counts = emptyCounts();
  let total = 0;
  return {
    add(outcome) {
      counts[typeof outcome === 'string' ? outcome : outcome.status] += 1;
      total += 1;
    },
    counts,
    get total() {
      return total;
    },
  };
}

/** Records in `counts`. */
export function totalOf(counts: Readonly<OutcomeCounts>): number {
  return OUTCOME_STATUSES.reduce((sum, status) => sum + counts[status], 0);
}

/** `812`, `3.5`: one decimal below 10 records/s (slow daemons), whole numbers above. */
export function formatRate(records: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (records * 1000) / elapsedMs : 0;
  return rate < 10 ? rate.toFixed(1) : String(Math.round(rate));
}

export interface SummaryOptions {
  readonly dryRun: boolean;
  readonly elapsedMs: number;
  /** Named when records were rejected or failed (they were written there). */
  readonly deadLetterPath?: string;
}

/**
 * The end-of-run summary. Dry runs: exactly `dry-run: create N, update M, skip K, reject R,
 * unchanged U, delete D` where R counts rejected and failed records. Real runs: exactly
 * `done: created N, updated M, unchanged U, skipped K, rejected R, failed F in T s`, with
 * `, deleted D` after `failed F` when something was deleted; then a second line
 * `dead letters: <path>` when some records were rejected or failed.
 */
export function formatSummary(counts: Readonly<OutcomeCounts>, options: SummaryOptions): string {
  const { created, updated, unchanged, skipped, rejected, failed, deleted } = counts;
  if (options.dryRun) {
    return `dry-run: create ${created}, update ${updated}, skip ${skipped}, reject ${rejected + failed}, unchanged ${unchanged}, delete ${deleted}`;
  }
  const seconds = (options.elapsedMs / 1000).toFixed(1);
  const line =
    `done: created ${created}, updated ${updated}, unchanged ${unchanged}, skipped ${skipped}, rejected ${rejected}, ` +
    `failed ${failed}${deleted > 0 ? `, deleted ${deleted}` : ''} in ${seconds} s`;
  return rejected + failed > 0 && options.deadLetterPath !== undefined
    ? `${line}\ndead letters: ${options.deadLetterPath}`
    : line;
}

/**
 * The process exit code for a finished run: 0 when every record was synced or skipped, 1 when
 * some were rejected or failed. (2, "the run could not proceed", is the caller's to decide.)
 */
export function exitCodeFor(counts: Readonly<OutcomeCounts>): 0 | 1 {
  return counts.rejected + counts.failed > 0 ? 1 : 0;
}
