import { access } from 'node:fs/promises';
import type { Logger } from 'pino';
import { HttpError } from '../../errors/http-error.js';
import { createRuntime, retryBudgetOf } from '../../run/runtime.js';
import { NO_UPSERT, targetRefusal, upsertNotAllowed } from '../../sink/target-refused.js';
import { EXIT_OK, EXIT_RECORDS, EXIT_SYSTEMIC } from '../exit.js';
import { loadConfigs } from './load-configs.js';

/**
 * `oro-sync check <config.json>`: config valid, token obtained, target type reachable, Batch API
 * enabled or not, upsert allowed, key field and filter present, source readable. Prints one line
 * per check; exits 0 only when everything the config needs is usable, 2 otherwise: the config,
 * credentials or network failed, or a run of that config would stop on what was found.
 */
export async function checkCommand(file: string, logger: Logger, print: (line: string) => void): Promise<number> {
  const [config] = await loadConfigs([file], logger);
  if (!config) return EXIT_RECORDS;
  print(`config: ok (${config.name}: ${config.source.kind} -> ${config.target.type}, mode ${config.target.mode}, strategy ${config.target.strategy})`);
  const runtime = createRuntime({ logger, concurrency: 2, timeoutMs: config.pipeline.requestTimeoutMs });
  const problems: string[] = [];
  try {
    const { tokens, client } = runtime.credential(config.oro, retryBudgetOf(config.pipeline));
    await tokens.current();
    print(`token: ok (client credentials grant at ${config.oro.tokenUrl})`);

    const { type } = config.target;
    const capabilities = await client.options(type);
    print(`target: ${config.oro.baseUrl}/${type} answers OPTIONS (Allow: ${capabilities.allow.join(', ')})`);
    print(`batch api: ${capabilities.batchEnabled ? 'enabled' : 'disabled'} for ${type}`);
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
      print(`lookup: ok (filter[${key.oro}] works)`);
    } catch (error) {
      if (!(error instanceof HttpError) || error.errorClass !== 'permanent') throw error;
      const refusal = targetRefusal(config.target, error);
      keyUsable = refusal === undefined;
      const message = `filter[${key.oro}] is refused by Oro (${error.message})`;
      if (refusal) problems.push(refusal.problems.join('; '));
      else if (strategy === 'upsert' && config.target.mode === 'single') print(`lookup: ${message}; fine for upsert in single mode`);
      else problems.push(`${message}; target.key.oro must be a filterable field of ${type}`);
    }

    const keyFields = key.oro === 'id' || !keyUsable ? {} : { fields: { [type]: [key.oro] } };
    const page = await client.list(type, { page: { size: 1 }, totalCount: true, ...keyFields });
    print(`read: ok (${page.total ?? page.data.length} ${type} in Oro)`);

    if ('path' in config.source) {
      try {
        await access(config.source.path);
        print(`source: ok (${config.source.path})`);
      } catch {
        problems.push(`source.path: cannot read ${config.source.path}`);
      }
    }
  } finally {
    await runtime.close();
  }
  for (const problem of problems) print(`not usable: ${problem}`);
  print(problems.length === 0 ? 'check: all usable' : `check: ${problems.length} problem(s)`);
  // A problem here is one a run would stop on: the same exit code as that run.
  return problems.length === 0 ? EXIT_OK : EXIT_SYSTEMIC;
}
