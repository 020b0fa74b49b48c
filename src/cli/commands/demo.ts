import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { startFakeOro } from '../../testing/fake-oro.js';
import { generateCustomers } from '../../testing/generate.js';
import { loadConfig } from '../../config/config.js';
import { runConfig } from '../../run/run-config.js';
import { createProgress } from '../progress.js';
import { createRuntime } from '../../run/runtime.js';
import { formatSummary } from '../../run/summary.js';

export interface DemoOptions {
  readonly records: number;
  readonly latency: number;
  readonly mode: 'single' | 'batch' | 'batch-sync';
  readonly progress: boolean;
}

/**
 * `oro-sync demo`: the main job on an embedded default. Starts the bundled fake Oro, writes a
 * generated export of customers (every 50th one invalid on purpose), syncs it with the same code
 * path as `oro-sync run`, and prints the summary and where the dead letters went.
 */
export async function demoCommand(options: DemoOptions, logger: Logger, print: (line: string) => void): Promise<number> {
  const oro = await startFakeOro({ latency: options.latency, asyncStepMs: 20 });
  const dir = await mkdtemp(join(tmpdir(), 'oro-sync-demo-'));
  const runtime = createRuntime({ logger, concurrency: 16, timeoutMs: 30_000 });
  try {
    for (let g = 1; g <= 5; g++) oro.seed('customergroups', { name: `Group ${g}` });
    const customers = generateCustomers(options.records, { invalidEvery: 50 });
    await writeFile(join(dir, 'customers.ndjson'), customers.map((c) => JSON.stringify(c)).join('\n') + '\n');
    const config = {
      oro: { baseUrl: oro.baseUrl, tokenUrl: oro.tokenUrl, clientId: oro.clientId, clientSecret: '${ORO_SYNC_DEMO_SECRET}' },
      source: { kind: 'ndjson', path: 'customers.ndjson' },
      target: {
        type: 'customers',
        mode: options.mode,
        strategy: 'lookup',
        key: { source: 'id', oro: 'externalId' },
        attributes: { name: 'name', externalId: 'id' },
        relationships: { group: { type: 'customergroups', source: 'groupId' } },
      },
      pipeline: { batchSize: options.mode === 'batch-sync' ? 100 : 200, batchMs: 200, concurrency: 16 },
      state: { path: 'state.db' },
      deadLetter: { path: 'dead-letters.ndjson' },
    };
    await writeFile(join(dir, 'demo.json'), JSON.stringify(config, null, 2), { mode: 0o600 });
    const { config: loaded } = await loadConfig(join(dir, 'demo.json'), { ...process.env, ORO_SYNC_DEMO_SECRET: oro.clientSecret });
    print(`demo: fake Oro at ${oro.baseUrl} (latency ${options.latency} ms), ${options.records} customers (every 50th invalid), mode ${options.mode}`);
    print(`demo: config and files in ${dir}`);
    const result = await runConfig(loaded, runtime, options.progress ? { progress: createProgress({ enabled: true }) } : {});
    print(formatSummary(result.counts, { dryRun: false, elapsedMs: result.elapsedMs, ...(result.deadLetterPath ? { deadLetterPath: result.deadLetterPath } : {}) }));
    print(`demo: Oro now holds ${oro.records('customers').length} customers; ${oro.tokenGrants} token grant(s); ${oro.requests.length} requests`);
    return 0;
  } finally {
    await runtime.close();
    await oro.close();
  }
}
