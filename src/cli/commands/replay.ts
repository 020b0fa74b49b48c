import type { Logger } from 'pino';
import { replayDeadLetters } from '../../run/replay.js';
import { createRuntime } from '../../run/runtime.js';
import { formatSinkSummary } from '../../run/sink-summary.js';
import { exitCodeFor, formatSummary } from '../../run/summary.js';
import { concurrencyBound } from '../../config/config-types.js';
import { loadConfigs } from './load-configs.js';

/**
 * `oro-sync replay <dead-letters.ndjson> <config.json>`: sends the dead letters' records again
 * through the config's target or sink (see `replayDeadLetters`) and prints the run's summary and
 * what became of the file.
 */
export async function replayCommand(letters: string, file: string, logger: Logger, print: (line: string) => void): Promise<number> {
  const [config] = await loadConfigs([file], logger);
  if (!config) return 1;
  const runtime = createRuntime({ logger, concurrency: concurrencyBound(config.pipeline), timeoutMs: config.pipeline.requestTimeoutMs });
  try {
    const { result, removed, kept } = await replayDeadLetters(letters, config, runtime);
    print(('sink' in config ? formatSinkSummary : formatSummary)(result.counts, { dryRun: false, elapsedMs: result.elapsedMs }));
    print(`replay: ${removed} dead letter(s) now synced and removed, ${kept} left in ${letters}`);
    return exitCodeFor(result.counts);
  } finally {
    await runtime.close();
  }
}
