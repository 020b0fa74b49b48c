import { access } from 'node:fs/promises';
import { readDeadLetters } from '../state/dead-letters.js';
import type { StateStore } from '../state/state-store.js';

/**
 * Where the records are that interrupted runs of this pipeline already dead-lettered.
 *
 * A dead letter is written when its record's outcome is final; the checkpoint follows a moment
 * later. A crash in between replays the record, which would be dead-lettered twice. The runs that
 * never finished since the last one that did are the ones a resume replays, so their dead letters
 * (by position) are not written again.
 */
export async function deadLetteredByInterruptedRuns(store: StateStore, pipeline: string, path: string): Promise<Set<string>> {
  const where = new Set<string>();
  const interrupted: string[] = [];
  for (const run of await store.lastRuns(pipeline, 100)) {
    if (run.finishedAt !== null) break;
    interrupted.push(run.startedAt);
  }
  if (interrupted.length === 0) return where;
  const since = interrupted.reduce((a, b) => (a < b ? a : b));
  try {
    await access(path);
  } catch {
    return where;
  }
  for await (const { letter } of readDeadLetters(path)) {
    if (letter.where !== undefined && letter.at >= since) where.add(letter.where);
  }
  return where;
}
