import type { AnyConfig } from '../config/config-types.js';
import { readDeadLetters, rewriteDeadLetters } from '../state/dead-letters.js';
import type { Step } from '../types/outcome.js';
import { ON_MISSING_WHERE } from './on-missing.js';
import { runConfig, type RunResult } from './run-config.js';
import type { Runtime } from './runtime.js';

/** What a replay did: the run's result, and what became of the dead-letter file. */
export interface ReplayResult {
  readonly result: RunResult;
  /** Letters removed from the file: their records are now synced (or skipped). */
  readonly removed: number;
  /** Letters left in the file, unchanged, for another try. */
  readonly kept: number;
}

/**
 * Sends the records of the dead-letter file `letters` again through the config's target. The
 * ones that now succeed (or are skipped) leave the file; the others stay, unchanged. Keys
 * `target.onMissing` could not delete or update stay untouched: they are no source records, and
 * the next complete run tries them again.
 *
 * @example
 * ```ts
 * const { result, removed, kept } = await replayDeadLetters(config.deadLetter.path, config, runtime);
 * console.log(`${removed} synced, ${kept} still refused (${result.counts.rejected} rejected)`);
 * ```
 */
export async function replayDeadLetters(letters: string, config: AnyConfig, runtime: Runtime): Promise<ReplayResult> {
  const settled = new Set<number>();
  async function* source(): AsyncIterable<Step<unknown>> {
    let seq = 0;
    for await (const { line, letter } of readDeadLetters(letters)) {
      // A key target.onMissing could not delete or update is no source record: the next complete
      // run tries it again (it is still missing), so it stays in the file untouched.
      if (letter.where?.startsWith(ON_MISSING_WHERE) === true) continue;
      yield { value: letter.record, position: { seq: seq++, where: `${letters}:${line}`, resume: { line } } };
    }
  }
  const result = await runConfig(config, runtime, {
    source: source(),
    deadLetters: false,
    onOutcome: (outcome) => {
      if (outcome.status === 'rejected' || outcome.status === 'failed') return;
      const resume = outcome.record.position.resume;
      if (resume && typeof resume === 'object' && !Array.isArray(resume) && typeof resume['line'] === 'number') settled.add(resume['line']);
    },
  });
  const { kept, removed } = await rewriteDeadLetters(letters, (_letter, line) => !settled.has(line));
  return { result, removed, kept };
}
