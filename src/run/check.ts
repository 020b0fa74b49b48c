import { access } from 'node:fs/promises';
import type { Config, SourceConfig } from '../config/config-types.js';
import { HttpError } from '../errors/http-error.js';
import { NO_UPSERT, targetRefusal, upsertNotAllowed } from '../sink/target-refused.js';
import { checkExternalId } from './check-external-id.js';
import { retryBudgetOf, type Runtime } from './runtime.js';

/** What one probe of {@link checkConfig} found, as `oro-sync check` prints it: `${check}: ${text}`. */
export interface CheckFinding {
  readonly check: 'token' | 'target' | 'batch api' | 'lookup' | 'read' | 'source' | 'sink';
  readonly text: string;
}

/**
 * Probes what a run of `config` needs, in the order a run meets it: a token, the target type
 * (OPTIONS: is the Batch API enabled?), upsert allowed for the type, the key field usable as a
 * filter, a page of the type readable, the source file readable. Each probe that answers is
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
  const problems: string[] = [];
  const { tokens, client } = runtime.credential(config.oro, retryBudgetOf(config.pipeline));
  await tokens.current();
  onFinding({ check: 'token', text: `ok (client credentials grant at ${config.oro.tokenUrl})` });

  const { type } = config.target;
  const capabilities = await client.options(type);
  onFinding({ check: 'target', text: `${config.oro.baseUrl}/${type} answers OPTIONS (Allow: ${capabilities.allow.join(', ')})` });
  onFinding({ check: 'batch api', text: `${capabilities.batchEnabled ? 'enabled' : 'disabled'} for ${type}` });
  if (config.target.mode !== 'single' && !capabilities.batchEnabled) {
    problems.push(`target.mode is "${config.target.mode}" but the Batch API is disabled for ${type}; use "single" or enable update_list for ${type} in Oro`);
  }

  const { key, strategy } = config.target;
  const why = NO_UPSERT[type];
  if (strategy === 'upsert' && why !== undefined) {
    problems.push(upsertNotAllowed(type, `a stock Oro refuses meta.upsert for ${type}: ${why}`));
  }

  // The key filter first: on an Oro without the key field, asking for it in fields[] fails too.
  let keyUsable = true;
  try {
    await client.list(type, { filter: { [key.oro]: ['oro-sync-check'] }, page: { size: 1 }, ...(key.oro === 'id' ? {} : { fields: { [type]: [key.oro] } }) });
    onFinding({ check: 'lookup', text: `ok (filter[${key.oro}] works)` });
  } catch (error) {
    if (!(error instanceof HttpError) || error.errorClass !== 'permanent') throw error;
    const refusal = targetRefusal(config.target, error);
    keyUsable = refusal === undefined;
    const message = `filter[${key.oro}] is refused by Oro (${error.message})`;
    if (refusal) problems.push(refusal.problems.join('; '));
    else if (strategy === 'upsert' && config.target.mode === 'single') onFinding({ check: 'lookup', text: `${message}; fine for upsert in single mode` });
    else problems.push(`${message}; target.key.oro must be a filterable field of ${type}`);
  }

  const keyFields = key.oro === 'id' || !keyUsable ? {} : { fields: { [type]: [key.oro] } };
  const page = await client.list(type, { page: { size: 1 }, totalCount: true, ...keyFields });
  onFinding({ check: 'read', text: `ok (${page.total ?? page.data.length} ${type} in Oro)` });

  const externalId = await checkExternalId(config, client, onFinding);
  if (externalId !== undefined) problems.push(externalId);
  const source = await checkSourceFile(config.source, onFinding);
  if (source !== undefined) problems.push(source);
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
