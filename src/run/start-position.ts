import { basename } from 'node:path';
import type { AnyConfig } from '../config/config-types.js';
import { asFileMark, compareFileMark, fileMark, type FileMark } from '../sources/file-mark.js';
import type { StoredCheckpoint } from '../state/state-store.js';
import type { Json } from '../types/jsonapi.js';

/** Where a run starts reading its source, and why. */
export interface StartPlan {
  /** Resume token to start after; absent: from the first record. */
  readonly resume?: Json;
  /** The run reads the source from its first record: a snapshot run that sees every record. */
  readonly whole: boolean;
  /** One line for the log saying where the run starts and why; absent on a first run. */
  readonly reason?: string;
  /** The file's mark as the run starts, kept in the checkpoint when the run completes. */
  readonly mark?: FileMark;
}

export interface StartInput {
  readonly config: AnyConfig;
  /** The stored checkpoint, if any (none with `--from-start`). */
  readonly saved: StoredCheckpoint | undefined;
  /**
   * For a checkpoint saved before oro-sync knew "complete" (`complete: null`): whether the last
   * run in the history read its source to the end (status ok or partial).
   */
  readonly lastRunComplete: boolean;
}

/**
 * Decides where a run starts. A checkpoint of an interrupted run (crash, SIGTERM, systemic error)
 * is resumed, whatever the source. After a complete run, an `oro` source goes on after the newest
 * change it delivered (its keyset); for the others it depends on `source.changes`:
 * - `append`: continue after the last record;
 * - `snapshot`: read whole;
 * - `auto`: a file that is the same file grown (same device and inode, the bytes of its first
 *   4 KiB and of the 4 KiB before the offset read unchanged) continues after the last record; a
 *   replaced, truncated or rewritten one is read whole; an http export is read whole unless
 *   `schedule.watermark` makes it incremental (then the watermark filters what was read).
 *
 * @example
 * ```ts
 * const plan = await planStart({ config, saved: store.getCheckpoint(config.name), lastRunComplete });
 * if (plan.reason) logger.info(plan.reason);
 * const source = buildSource(config, plan.resume === undefined ? {} : { resume: plan.resume });
 * ```
 */
export async function planStart({ config, saved, lastRunComplete }: StartInput): Promise<StartPlan> {
  const { source } = config;
  const file = source.kind === 'ndjson' || source.kind === 'json' || source.kind === 'csv' ? source.path : undefined;
  const mark = file === undefined ? undefined : await fileMark(file).catch(() => undefined);
  const withMark = mark === undefined ? {} : { mark };
  if (saved === undefined || source.kind === 'stdin' || source.kind === 'amqp') return { whole: true, ...withMark };

  const resumeAt = (reason: string): StartPlan =>
    saved.resume === null ? { whole: true, reason, ...withMark } : { resume: saved.resume, whole: false, reason, ...withMark };
  const whole = (reason: string): StartPlan => ({ whole: true, reason, ...withMark });

  if (!(saved.complete ?? lastRunComplete)) return resumeAt('resuming from checkpoint: the last run was interrupted');
  if (source.kind === 'oro') {
    // Its resume token is the keyset of the newest change delivered: what changed since comes after it.
    return resumeAt(`${source.type}: reading what changed after ${describeKeyset(saved.resume)}`);
  }
  const changes = source.changes;
  const name = file === undefined ? 'the export' : basename(file);
  if (changes === 'append') return resumeAt(`${name}: source.changes "append": continuing after the last record`);
  if (changes === 'snapshot') return whole(`${name}: source.changes "snapshot": reading it whole`);
  if (file === undefined) {
    return config.schedule.watermark === undefined
      ? whole('the export lists every record (http source): reading it whole')
      : resumeAt(`the export is read for records changed since ${saved.watermark ?? 'the start'} (schedule.watermark)`);
  }
  const before = asFileMark(saved.sourceMark);
  if (before === undefined) return whole(`${name} has no fingerprint from the last run: reading it whole`);
  const change = await compareFileMark(file, before);
  if (!change.grown) return whole(`${name} ${change.reason}: reading it whole`);
  return resumeAt(change.appended === 0
    ? `${name} is unchanged since the last run: nothing new to read`
    : `${name} grew by ${change.appended} bytes: reading what was appended`);
}

/** An oro source's resume token (`{updatedAt, id}`) in words. */
function describeKeyset(resume: Json | null): string {
  if (resume === null || typeof resume !== 'object' || Array.isArray(resume)) return 'the start';
  return `updatedAt ${String(resume['updatedAt'])}, id ${String(resume['id'])}`;
}

/**
 * A checkpoint's stored `sourceMark` in words, for `oro-sync status`; `undefined` when it is not
 * a file's mark (then the caller shows it as it is).
 *
 * @example
 * ```ts
 * describeFileMark(checkpoint.sourceMark); // 'file device 2049 inode 131, 512 bytes, head a1b2c3d4e5f6…'
 * ```
 */
export function describeFileMark(mark: Json | null | undefined): string | undefined {
  const file = asFileMark(mark);
  return file === undefined ? undefined : `file device ${file.dev} inode ${file.ino}, ${file.size} bytes, head ${file.head.slice(0, 12)}…`;
}
