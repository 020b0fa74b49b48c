/**
 * oro-sync against a rate-limiting proxy (`rate-limit-proxy.ts`, 50 requests/s, burst 50) in front
 * of the fake Oro: each mode once with `pipeline.ratePerSecond: 0` (it learns the limit from the
 * 429s and their `Retry-After`) and once with `ratePerSecond` at the limit. Prints a Markdown table.
 *
 *   node --import tsx bench/rate-limit.ts [--limit 50] [--seconds 12]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/cli/logger.js';
import { loadConfig } from '../src/config/config.js';
import { runConfig } from '../src/run/run-config.js';
import { createRuntime } from '../src/run/runtime.js';
import { generateCustomers } from '../src/testing/index.js';
import { startFakeOroProcess } from './fake-oro-process.js';
import { machineLine } from './machine.js';
import { startRateLimitProxy } from './rate-limit-proxy.js';
import { configJson, SECRET_ENV } from './scenarios/config.js';

const { values } = parseArgs({ options: { limit: { type: 'string', default: '50' }, seconds: { type: 'string', default: '12' } } });
const perSecond = Number(values.limit);
const seconds = Number(values.seconds);
// Requests per record, roughly, so that each run lasts about `seconds` at the limit.
const SHAPES = { single: { batchSize: 20, perRecord: 1.05 }, 'batch-sync': { batchSize: 10, perRecord: 0.2 }, batch: { batchSize: 10, perRecord: 0.4 } } as const;

const rows: string[][] = [];
for (const mode of ['single', 'batch-sync', 'batch'] as const) {
  for (const ratePerSecond of [0, perSecond]) {
    const records = Math.round((seconds * perSecond) / SHAPES[mode].perRecord);
    const fake = await startFakeOroProcess({ latency: 5, asyncStepMs: 20, seed: 1 });
    const proxy = await startRateLimitProxy(fake.baseUrl, { perSecond, burst: perSecond });
    const dir = await mkdtemp(join(tmpdir(), 'oro-sync-rate-'));
    try {
      const file = join(dir, 'customers.ndjson');
      await writeFile(file, `${generateCustomers(records).map((c) => JSON.stringify(c)).join('\n')}\n`);
      const oro = { baseUrl: `${proxy.origin}/admin/api`, tokenUrl: `${proxy.origin}/oauth2-token`, clientId: fake.clientId, clientSecret: fake.clientSecret };
      const json = configJson({ oro, source: { kind: 'ndjson', path: file }, mode, concurrency: 8, batchSize: SHAPES[mode].batchSize, workDir: dir });
      (json['pipeline'] as Record<string, unknown>)['ratePerSecond'] = ratePerSecond;
      await writeFile(join(dir, 'bench.json'), JSON.stringify(json), { mode: 0o600 });
      const { config } = await loadConfig(join(dir, 'bench.json'), { ...process.env, [SECRET_ENV]: fake.clientSecret });
      const runtime = createRuntime({ logger: createLogger({ level: 'silent', pretty: false }), concurrency: 8, timeoutMs: 30_000 });
      const t0 = performance.now();
      const result = await runConfig(config, runtime, {}).finally(() => runtime.close());
      const elapsed = (performance.now() - t0) / 1000;
      const stored = await fake.stats();
      const { passed, refused, firstAt, lastAt } = proxy.stats;
      const goodput = passed / ((lastAt - firstAt) / 1000);
      rows.push([
        mode, ratePerSecond === 0 ? '0 (learns it)' : String(ratePerSecond), String(records), `${elapsed.toFixed(1)} s`,
        String(passed), `${goodput.toFixed(1)}/s (${((100 * goodput) / perSecond).toFixed(0)} %)`,
        `${refused} (${((100 * refused) / (passed + refused)).toFixed(1)} %)`,
        String(result.counts.created + result.counts.updated), String(records - stored.distinctExternalIds), String(stored.duplicatedExternalIds),
      ]);
      process.stderr.write(`rate-limit: ${rows.at(-1)!.join(' | ')}\n`);
    } finally {
      await proxy.close();
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    }
  }
}
const header = ['mode', 'ratePerSecond', 'records', 'time', 'requests passed', 'goodput (of the limit)', 'refused (429)', 'written', 'lost', 'duplicated'];
process.stdout.write(
  `### Against a rate-limiting proxy: ${perSecond} requests/s, burst ${perSecond}, 429 + \`Retry-After\` (whole seconds), fake Oro latency 5 ms, concurrency 8\n\n` +
    `${[`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')}\n\n${machineLine()}\n`,
);
