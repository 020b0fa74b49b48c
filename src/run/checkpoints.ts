import { createCheckpointTracker } from '../state/checkpoint-tracker.js';
import type { StateStore } from '../state/state-store.js';
import type { Json } from '../types/jsonapi.js';
import type { SourceRecord } from '../types/record.js';
import { watermarkOf } from './build-source.js';
import type { StartPlan } from './start-position.js';

/** How long a moved checkpoint waits before it is saved: one save for many completions. */
const SAVE_AFTER_MS = 200;

export interface RunCheckpointsInput {
  /** Only its checkpoints are written. */
  readonly store: Pick<StateStore, 'saveCheckpoint'>;
  readonly pipeline: string;
  /** `schedule.watermark`: the field whose greatest value a complete run keeps. */
  readonly watermarkField: string | undefined;
  /** The watermark the last complete run left (kept as it is mid-run). */
  readonly savedWatermark: string | undefined;
  /** Whether checkpoints are saved at all: not in a dry run, nor for a given source (replay, queue). */
  readonly save: boolean;
}

/** A run's checkpoint (invariant 4): followed as records finish, saved on a timer and at the end. */
export interface RunCheckpoints {
  /** `record` has its final outcome; a checkpoint that moved is saved shortly after. */
  complete(record: SourceRecord): void;
  /** Drops a save still waiting on its timer (the run ends). */
  cancel(): void;
  /** Saves the checkpoint as it stands, after every earlier save; rejects if any save failed. */
  finish(): Promise<void>;
  /**
   * A run that read its source to the end: the next one starts by what the source is then (see
   * `planStart`), so the checkpoint says so and keeps the file's mark as `plan` found it.
   */
  saveComplete(plan: StartPlan): Promise<void>;
}

/**
 * The checkpoints of one run of `pipeline`. Mid-run saves run one after the other, so a late save
 * never overwrites the final one; a save that failed makes `finish` reject (the checkpoint did not
 * move), which stops the run once it ends.
 *
 * @example
 * ```ts
 * const checkpoints = runCheckpoints({ store, pipeline: 'customers', watermarkField: undefined, savedWatermark: undefined, save: true });
 * try {
 *   await outcomes.forEach((outcome) => checkpoints.complete(outcome.record));
 * } finally {
 *   checkpoints.cancel();
 * }
 * await checkpoints.finish();
 * await checkpoints.saveComplete(plan);
 * ```
 */
export function runCheckpoints({ store, pipeline, watermarkField, savedWatermark, save }: RunCheckpointsInput): RunCheckpoints {
  const tracker = createCheckpointTracker(savedWatermark ? { initialWatermark: savedWatermark } : {});
  const saves = inOrder();
  let timer: NodeJS.Timeout | undefined;
  const saveNow = () => {
    timer = undefined;
    const checkpoint = tracker.checkpoint;
    if (!save || !checkpoint) return;
    // Mid-run, the watermark stays where the last complete run left it: records in this run
    // need not come in watermark order, so only a finished run may move it.
    saves.run(() => store.saveCheckpoint(pipeline, { seq: checkpoint.seq, resume: checkpoint.resume, watermark: savedWatermark ?? null }));
  };
  return {
    complete(record) {
      if (tracker.complete(record.position, watermarkField ? watermarkOf(record, watermarkField) : undefined) && !timer) {
        timer = setTimeout(saveNow, SAVE_AFTER_MS);
      }
    },
    cancel() {
      if (timer) clearTimeout(timer);
    },
    async finish() {
      saveNow();
      await saves.done();
    },
    async saveComplete(plan) {
      if (!save) return;
      const complete = { complete: true, sourceMark: (plan.mark ?? null) as Json | null };
      if (watermarkField) {
        // Incremental: next time, ask only for what changed since the newest record seen.
        const newest = tracker.checkpoint?.watermark ?? savedWatermark ?? null;
        await store.saveCheckpoint(pipeline, { seq: -1, resume: null, watermark: newest, ...complete });
      } else {
        // A run that read nothing new keeps the position it started from.
        const resume = tracker.checkpoint?.resume ?? plan.resume ?? null;
        await store.saveCheckpoint(pipeline, { seq: tracker.checkpoint?.seq ?? -1, resume, watermark: null, ...complete });
      }
    },
  };
}

/**
 * Store calls run one after the other; the first failure is kept for `done()`, so an
 * un-awaited call (a checkpoint saved on a timer) cannot be lost nor crash the process.
 */
function inOrder(): { run(call: () => Promise<void>): void; done(): Promise<void> } {
  let tail: Promise<void> = Promise.resolve();
  let failure: { readonly error: unknown } | undefined;
  return {
    run(call) {
      tail = tail.then(call).catch((error: unknown) => void (failure ??= { error }));
    },
    async done() {
      await tail;
      if (failure) throw failure.error;
    },
  };
}
