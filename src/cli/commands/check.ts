import { access } from 'node:fs/promises';
import type { Logger } from 'pino';
import { HttpError } from '../../errors/http-error.js';
import { createRuntime, retryBudgetOf } from '../../run/runtime.js';
import { EXIT_OK, EXIT_RECORDS } from '../exit.js';
import { loadConfigs } from './load-configs.js';

/**
 * `oro-sync check <config.json>`: config valid, token obtained, target type reachable, Batch API
 * enabled or not, key filter usable, source readable. Prints one line per check; exits 0 only
 * when everything the config needs is usable (1 when something is not, 2 when it cannot even
 * get that far: config, credentials, network).
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

    const keyFields = config.target.key.oro === 'id' ? {} : { fields: { [type]: [config.target.key.oro] } };
    const page = await client.list(type, { page: { size: 1 }, totalCount: true, ...keyFields });
    print(`read: ok (${page.total ?? page.data.length} ${type} in Oro)`);

    try {
      await client.list(type, { filter: { [config.target.key.oro]: ['oro-sync-check'] }, page: { size: 1 }, ...keyFields });
      print(`lookup: ok (filter[${config.target.key.oro}] works)`);
    } catch (error) {
      if (!(error instanceof HttpError) || error.errorClass !== 'permanent') throw error;
      const message = `filter[${config.target.key.oro}] is refused by Oro (${error.message})`;
      if (config.target.strategy === 'upsert' && config.target.mode === 'single') print(`lookup: ${message}; fine for upsert in single mode`);
      else problems.push(`${message}; target.key.oro must be a filterable field of ${type}`);
    }

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
  return problems.length === 0 ? EXIT_OK : EXIT_RECORDS;
}
