import type { OutcomeStatus } from '../types/outcome.js';

/**
 * What a run reports its progress to (the CLI's progress bar, or nothing). The run only counts;
 * drawing is the caller's business, so the assembly of a run never writes to a terminal.
 */
export interface Progress {
  /** The number of records expected, once known (a paginated source may learn it late). */
  setTotal(total: number): void;
  /** One more record has an outcome. */
  increment(outcome: OutcomeStatus): void;
  /** Draw the final state and release the terminal line. */
  stop(): void;
}

/** Reports to nobody. */
export const NO_PROGRESS: Progress = { setTotal: () => undefined, increment: () => undefined, stop: () => undefined };
