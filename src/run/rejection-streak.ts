import { AllRejectedError } from '../errors/all-rejected-error.js';
import type { ErrorDetail, Outcome } from '../types/outcome.js';
import type { SourceRecord } from '../types/record.js';

/** Records a run judges before it may go on when all of them were rejected for one reason. */
export const STREAK_LIMIT = 100;

/** Watches the first outcomes of a run (see {@link watchFirstRejections}). */
export interface RejectionStreak {
  /**
   * One outcome of the source. `complete` is called (now or later) for each record that may count
   * as finished for the checkpoint: the first ones are held until they are judged.
   */
  see(outcome: Outcome, complete: (record: SourceRecord) => void): void;
  /** The source ended: records still held (fewer than the limit) are released. */
  end(complete: (record: SourceRecord) => void): void;
  /** Set once the first `limit` outcomes were all rejected for the same reason: the run must stop. */
  readonly tripped: AllRejectedError | undefined;
}

/**
 * The first `limit` (100) outcomes of a run all `rejected` for the same reason (the first
 * error's title and pointer: Oro's, or the mapping's) mean the mapping, the source or the target
 * is wrong: `onTrip` is called once (the run stops reading) and `tripped` says why. Their records
 * are held from the checkpoint meanwhile, so a run that stops does not move its checkpoint past
 * them; any other outcome among them ends the watch and releases them. Memory: at most `limit`
 * records.
 *
 * ```
 * outcomes:  --r--r--r-- ... --r(100)--|   all "not blank constraint" at /data/attributes/name
 * result:    onTrip(AllRejectedError), nothing completed
 * ```
 *
 * @example
 * ```ts
 * const streak = watchFirstRejections(() => stopReading.abort());
 * outcomes$.subscribe({ next: (o) => streak.see(o, checkpoints.complete), complete: () => streak.end(checkpoints.complete) });
 * if (streak.tripped) throw streak.tripped;
 * ```
 */
export function watchFirstRejections(onTrip: (error: AllRejectedError) => void, limit = STREAK_LIMIT): RejectionStreak {
  let held: SourceRecord[] | undefined = [];
  let reason: string | undefined;
  let first: ErrorDetail | undefined;
  let tripped: AllRejectedError | undefined;
  const release = (complete: (record: SourceRecord) => void) => {
    const records = held ?? [];
    held = undefined;
    for (const record of records) complete(record);
  };
  return {
    see(outcome, complete) {
      if (tripped) return;
      if (held === undefined) {
        complete(outcome.record);
        return;
      }
      held.push(outcome.record);
      const why = outcome.status === 'rejected' ? outcome.errors[0] : undefined;
      const key = why === undefined ? undefined : `${why.title}\u0000${why.pointer ?? why.parameter ?? ''}`;
      if (key === undefined || (reason !== undefined && key !== reason)) {
        release(complete);
        return;
      }
      reason ??= key;
      first ??= why;
      if (held.length >= limit && first !== undefined) {
        tripped = new AllRejectedError(held.length, describe(first));
        onTrip(tripped);
      }
    },
    end(complete) {
      if (!tripped) release(complete);
    },
    get tripped() {
      return tripped;
    },
  };
}

/** The shared reason as a person reads it: `"title" at pointer: detail`. */
function describe(error: ErrorDetail): string {
  const where = error.pointer ?? error.parameter;
  return `"${error.title}"${where ? ` at ${where}` : ''}${error.detail ? `: ${error.detail}` : ''}`;
}
