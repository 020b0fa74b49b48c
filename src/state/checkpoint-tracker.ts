import type { Json, Position } from '../types/index.js';

/**
 * The position up to which every record has a final outcome (invariant 4): the last record of the
 * longest contiguous completed prefix. Shaped so it can be handed to `StateStore.saveCheckpoint`.
 */
export interface Checkpoint {
  /** `seq` of the last record of the completed prefix. */
  readonly seq: number;
  /** That record's `position.resume`, or `null` when the source cannot resume (stdin). */
  readonly resume: Json | null;
  /**
   * The greatest watermark among all records of the prefix (and `initialWatermark`), or `null`
   * when none had one. Records *above* the prefix never contribute: a crash replays them.
   */
  readonly watermark: string | null;
}

/**
 * Follows records as they enter and complete, and says how far the checkpoint may move.
 *
 * @example
 * ```ts
 * const tracker = createCheckpointTracker();
 * outcomes$.subscribe((outcome) => {
 *   if (tracker.complete(outcome.record.position)) store.saveCheckpoint('customers', tracker.checkpoint!);
 * });
 * ```
 */
export interface CheckpointTracker {
  /**
   * A record entered the pipeline. Optional: seqs are contiguous, so completing seq `n` implies
   * every seq below `n` has entered. Calling it only makes `pending` count records still in flight
   * that are above every completion.
   */
  track(position: Position): void;
  /**
   * The record at `position` has its final outcome. `watermark` is its change time (ISO 8601), if any.
   * Returns `true` when the checkpoint moved, so callers persist only when there is news.
   *
   * @throws RangeError when the seq is below `startSeq` or was already completed: each record has
   *   exactly one outcome (invariant 1), so a second completion is a bug upstream.
   */
  complete(position: Position, watermark?: string): boolean;
  /** The current checkpoint, `undefined` until the record at `startSeq` has completed. */
  readonly checkpoint: Checkpoint | undefined;
  /** Records seen (tracked, or implied by a higher completion) that have no outcome yet. */
  readonly pending: number;
  /** Completions held above the frontier, waiting for a gap to fill: the out-of-order window. */
  readonly buffered: number;
}

export interface CheckpointTrackerOptions {
  /** Seq of the first record of this run (default 0). */
  readonly startSeq?: number;
  /**
   * Watermark the previous run reached. Carried into every checkpoint so that a run whose records
   * carry no (or older) watermarks never moves the stored watermark backwards.
   */
  readonly initialWatermark?: string;
  /**
   * Orders watermarks (negative: `a` is older). Default: by instant when both parse as dates
   * (ISO 8601 with different offsets do not sort as text), otherwise as text.
   */
  readonly compareWatermarks?: (a: string, b: string) => number;
}

interface Completion {
  readonly resume: Json | null;
  readonly watermark: string | undefined;
}

/** Default watermark order: by instant when both are dates, else by text. */
export function compareWatermarks(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return ta < tb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Creates a tracker that moves a checkpoint only over finished work (invariant 4).
 *
 * Completions arrive out of order (concurrent requests). The tracker keeps a frontier (the next
 * seq without an outcome) and only the completions above it; as the frontier passes them they
 * are folded in and dropped. Memory is O(out-of-order window), never O(records seen).
 *
 * @example
 * ```ts
 * const tracker = createCheckpointTracker({ startSeq: 0 });
 * tracker.complete(pos1);            // seq 1 done first: checkpoint stays undefined
 * tracker.complete(pos0, '2024-…');  // seq 0 done: checkpoint jumps to seq 1
 * if (tracker.checkpoint) store.saveCheckpoint('customers', tracker.checkpoint);
 * ```
 */
export function createCheckpointTracker(options: CheckpointTrackerOptions = {}): CheckpointTracker {
  const startSeq = options.startSeq ?? 0;
  if (!Number.isSafeInteger(startSeq) || startSeq < 0) {
    throw new RangeError(`checkpoint tracker: startSeq must be a non-negative integer, got ${startSeq}`);
  }
  const compare = options.compareWatermarks ?? compareWatermarks;
  const above = new Map<number, Completion>();
  let frontier = startSeq;
  /** One past the highest seq seen, tracked or completed. */
  let seen = startSeq;
  let checkpoint: Checkpoint | undefined;
  let watermark: string | null = options.initialWatermark ?? null;

  const maxWatermark = (current: string | null, next: string | undefined): string | null =>
    next === undefined ? current : current === null || compare(next, current) > 0 ? next : current;

  return {
    track(position) {
      if (position.seq + 1 > seen) seen = position.seq + 1;
    },

    complete(position, recordWatermark) {
      const { seq } = position;
      if (!Number.isSafeInteger(seq) || seq < startSeq) {
        throw new RangeError(`checkpoint tracker: ${position.where}: seq ${seq} is below the start seq ${startSeq}`);
      }
      if (seq < frontier || above.has(seq)) {
        throw new RangeError(`checkpoint tracker: ${position.where}: seq ${seq} already has an outcome`);
      }
      if (seq + 1 > seen) seen = seq + 1;
      const completion: Completion = { resume: position.resume ?? null, watermark: recordWatermark };
      if (seq !== frontier) {
        above.set(seq, completion);
        return false;
      }
      let last = completion;
      watermark = maxWatermark(watermark, last.watermark);
      frontier += 1;
      for (let next = above.get(frontier); next !== undefined; next = above.get(frontier)) {
        above.delete(frontier);
        last = next;
        watermark = maxWatermark(watermark, next.watermark);
        frontier += 1;
      }
      checkpoint = { seq: frontier - 1, resume: last.resume, watermark };
      return true;
    },

    get checkpoint() {
      return checkpoint;
    },
    get pending() {
      return seen - frontier - above.size;
    },
    get buffered() {
      return above.size;
    },
  };
}
