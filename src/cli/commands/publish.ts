import type { Logger } from 'pino';
import { publishConfig, type PublishOptions } from '../../run/publish.js';
import { formatRate } from '../../run/summary.js';
import { EXIT_OK, EXIT_RECORDS } from '../exit.js';
import { loadConfigs } from './load-configs.js';

/** Test seams of {@link publishCommand}. */
export type PublishCommandOptions = Pick<PublishOptions, 'retry'>;

/**
 * `oro-sync publish <config.json>`: publishes the config's source records to `publish.queue`
 * (see `publishConfig`) and prints one summary line.
 *
 * Exit codes: 0 every record confirmed; 1 some input records were malformed (written to the
 * dead-letter file) or not confirmed by the broker; 2 (thrown) the broker is unreachable, the
 * channel closed mid-run, or the config has no `publish` section.
 */
export async function publishCommand(file: string, logger: Logger, print: (line: string) => void, options: PublishCommandOptions = {}): Promise<number> {
  const [config] = await loadConfigs([file], logger);
  if (!config) return EXIT_OK;
  const result = await publishConfig(config, logger, { ...options, file });
  const total = result.confirmed + result.rejected + result.unconfirmed;
  print(
    `published: confirmed ${result.confirmed}, rejected ${result.rejected}, unconfirmed ${result.unconfirmed} to queue "${result.queue}" ` +
      `in ${(result.elapsedMs / 1000).toFixed(1)} s (${formatRate(total, result.elapsedMs)} records/s)`,
  );
  if (result.deadLetterPath !== undefined) {
    print(`dead letters: ${result.deadLetterPath}`);
    return EXIT_RECORDS;
  }
  return EXIT_OK;
}
