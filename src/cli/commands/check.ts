import type { Logger } from 'pino';
import { checkConfig, type CheckFinding } from '../../run/check.js';
import { checkSinkConfig } from '../../run/check-sink.js';
import { describeSink } from '../../run/run-label.js';
import { createRuntime } from '../../run/runtime.js';
import { EXIT_OK, EXIT_RECORDS, EXIT_SYSTEMIC } from '../exit.js';
import { loadConfigs } from './load-configs.js';

/**
 * `oro-sync check <config.json>`: config valid, token obtained, target type reachable, Batch API
 * enabled or not, upsert allowed, key field and filter present, source readable (see
 * `checkConfig`); for a run out of Oro, its sink usable (see `checkSinkConfig`). Prints one line per check; exits 0 only when everything the config needs is
 * usable, 2 otherwise: the config, credentials or network failed, or a run of that config would
 * stop on what was found.
 */
export async function checkCommand(file: string, logger: Logger, print: (line: string) => void): Promise<number> {
  const [config] = await loadConfigs([file], logger);
  if (!config) return EXIT_RECORDS;
  const onFinding = ({ check, text }: CheckFinding) => print(`${check}: ${text}`);
  print('sink' in config
    ? `config: ok (${config.name}: ${config.source.kind} -> sink ${describeSink(config.sink)})`
    : `config: ok (${config.name}: ${config.source.kind} -> ${config.target.type}, mode ${config.target.mode}, strategy ${config.target.strategy})`);
  const runtime = createRuntime({ logger, concurrency: 2, timeoutMs: config.pipeline.requestTimeoutMs });
  let problems: readonly string[];
  try {
    problems = 'sink' in config ? await checkSinkConfig(config, runtime, onFinding) : await checkConfig(config, runtime, onFinding);
  } finally {
    await runtime.close();
  }
  for (const problem of problems) print(`not usable: ${problem}`);
  print(problems.length === 0 ? 'check: all usable' : `check: ${problems.length} problem(s)`);
  // A problem here is one a run would stop on: the same exit code as that run.
  return problems.length === 0 ? EXIT_OK : EXIT_SYSTEMIC;
}
