import type { OutcomeCounts, SummaryOptions } from './summary.js';

/**
 * The one-line summary a run out of Oro (a `sink`) ends with. Dry runs: exactly
 * `dry-run: send N, unchanged U, skip K, reject R`, where R counts rejected and failed records.
 * Real runs: exactly `done: sent N, unchanged U, skipped K, rejected R, failed F in T s`; then a
 * second line `dead letters: <path>` when some records were rejected or failed.
 *
 * @example
 * ```ts
 * print(formatSinkSummary(result.counts, { dryRun: false, elapsedMs: result.elapsedMs }));
 * // done: sent 240, unchanged 10, skipped 0, rejected 0, failed 0 in 1.4 s
 * ```
 */
export function formatSinkSummary(counts: Readonly<OutcomeCounts>, options: SummaryOptions): string {
  const { sent, unchanged, skipped, rejected, failed } = counts;
  if (options.dryRun) return `dry-run: send ${sent}, unchanged ${unchanged}, skip ${skipped}, reject ${rejected + failed}`;
  const line = `done: sent ${sent}, unchanged ${unchanged}, skipped ${skipped}, rejected ${rejected}, failed ${failed} in ${(options.elapsedMs / 1000).toFixed(1)} s`;
  return rejected + failed > 0 && options.deadLetterPath !== undefined ? `${line}\ndead letters: ${options.deadLetterPath}` : line;
}
