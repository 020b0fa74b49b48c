import type { Logger } from 'pino';
import { readDeadLetters, rewriteDeadLetters } from '../../state/dead-letters.js';
import type { Step } from '../../types/outcome.js';
import { runConfig } from '../../run/run-config.js';
import { createRuntime } from '../../run/runtime.js';
import { exitCodeFor, formatSummary } from '../../run/summary.js';
import { concurrencyBound } from '../../config/config-types.js';
import { loadConfigs } from './load-configs.js';
import { ON_MISSING_WHERE } from '../../run/on-missing.js';

/**
 * `oro-sync replay <dead-letters.ndjson> <config.json>`: sends the dead letters' records again
 * through the config's target. The ones that now succeed (or are skipped) leave the file; the
 * others stay, unchanged, for another try.
 */
export async function replayCommand(letters: string, file: string, logger: Logger, print: (line: string) => void): Promise<number> {
  const [config] = await loadConfigs([file], logger);
  if (!config) return 1;
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
  const runtime = createRuntime({ logger, concurrency: concurrencyBound(config.pipeline), timeoutMs: config.pipeline.requestTimeoutMs });
  try {
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
    print(formatSummary(result.counts, { dryRun: false, elapsedMs: result.elapsedMs }));
    print(`replay: ${removed} dead letter(s) now synced and removed, ${kept} left in ${letters}`);
    return exitCodeFor(result.counts);
  } finally {
    await runtime.close();
  }
}
