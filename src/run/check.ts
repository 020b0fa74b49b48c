import { access } from 'node:fs/promises';
import type { Config, SourceConfig } from '../config/config-types.js';
import { checkExternalId } from './check-external-id.js';
import { csvHeaderProblems } from './csv-header.js';
import { probeTarget } from './preflight.js';
import { retryBudgetOf, type Runtime } from './runtime.js';

/** What one probe of {@link checkConfig} found, as `oro-sync check` prints it: `${check}: ${text}`. */
export interface CheckFinding {
  readonly check: 'token' | 'target' | 'batch api' | 'lookup' | 'read' | 'source' | 'sink';
  readonly text: string;
}

/**
 * Probes what a run of `config` needs, in the order a run meets it: a token, the target type
 * (OPTIONS: is the Batch API enabled?), upsert allowed for the type, the key field usable as a
 * filter (those three as a run's own preflight does: `probeTarget`), a page of the type
 * readable, the source file readable (a CSV's header with every column the mapping reads). Each probe that answers is
 * reported to `onFinding` as it happens. Resolves with the problems a run would stop on (empty:
 * all usable); rejects when the credentials or the network fail (the error says which).
 *
 * @example
 * ```ts
 * const runtime = createRuntime({ logger: pino(), concurrency: 2, timeoutMs: 30_000 });
 * try {
 *   const problems = await checkConfig(config, runtime, ({ check, text }) => console.log(`${check}: ${text}`));
 *   for (const problem of problems) console.log(`not usable: ${problem}`);
 * } finally {
 *   await runtime.close();
 * }
 * ```
 */
export async function checkConfig(config: Config, runtime: Runtime, onFinding: (finding: CheckFinding) => void): Promise<string[]> {
  const { tokens, client } = runtime.credential(config.oro, retryBudgetOf(config.pipeline));
  await tokens.current();
  onFinding({ check: 'token', text: `ok (client credentials grant at ${config.oro.tokenUrl})` });

  const { type, key } = config.target;
  const target = await probeTarget(config, client, onFinding);
  const problems = [...target.problems];
  // An unknown type answers nothing else: the one problem says what to fix.
  if (!target.known) return problems;

  const keyFields = key.oro === 'id' || !target.keyField ? {} : { fields: { [type]: [key.oro] } };
  const page = await client.list(type, { page: { size: 1 }, totalCount: true, ...keyFields });
  onFinding({ check: 'read', text: `ok (${page.total ?? page.data.length} ${type} in Oro)` });

  const externalId = await checkExternalId(config, client, onFinding);
  if (externalId !== undefined) problems.push(externalId);
  const source = await checkSourceFile(config.source, onFinding);
  if (source !== undefined) problems.push(source);
  else problems.push(...await csvHeaderProblems(config));
  return problems;
}

/**
 * A file source readable, reported to `onFinding`; the problem a run would stop on when it is not.
 * Sources that are no file are not probed here.
 */
export async function checkSourceFile(source: SourceConfig, onFinding: (finding: CheckFinding) => void): Promise<string | undefined> {
  if (!('path' in source)) return undefined;
  try {
    await access(source.path);
    onFinding({ check: 'source', text: `ok (${source.path})` });
    return undefined;
  } catch {
    return `source.path: cannot read ${source.path}`;
  }
}
