/**
 * oro-sync against a rate limit of 50 requests/s, burst 50, answered 429 with `Retry-After` as
 * nginx `limit_req` would: the fake Oro's own `rateLimit` (per OAuth client), and a separate
 * proxy process in front of the fake (`rate-limit-proxy.ts`, one bucket for all). Each
 * mode once with `pipeline.ratePerSecond: 0` (it learns the limit from the 429s and their
 * `Retry-After`) and once with `ratePerSecond` at the limit. Prints a Markdown table per limiter.
 *
 *   node --import tsx bench/rate-limit.ts [--limit 50] [--seconds 12] [--against fake|proxy|both]
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

const { values } = parseArgs({
  options: { limit: { type: 'string', default: '50' }, seconds: { type: 'string', default: '12' }, against: { type: 'string', default: 'both' } },
});
const perSecond = Number(values.limit);
const seconds = Number(values.seconds);
// Requests per record, roughly, so that each run lasts about `seconds` at the limit.
const SHAPES = { single: { batchSize: 20, perRecord: 1.05 }, 'batch-sync': { batchSize: 10, perRecord: 0.2 }, batch: { batchSize: 10, perRecord: 0.4 } } as const;

/** What the limit in front of Oro let through: API requests passed and refused, first and last passed (ms). */
interface LimitStats { passed: number; refused: number; firstAt: number; lastAt: number }

/** Runs each mode twice behind one kind of limit; the table's rows. */
async function measure(against: 'fake' | 'proxy'): Promise<string[][]> {
  const rows: string[][] = [];
  for (const mode of ['single', 'batch-sync', 'batch'] as const) {
    for (const ratePerSecond of [0, perSecond]) {
      const records = Math.round((seconds * perSecond) / SHAPES[mode].perRecord);
      const limit = { perSecond, burst: perSecond };
      const fake = await startFakeOroProcess({ latency: 5, asyncStepMs: 20, seed: 1, ...(against === 'fake' ? { rateLimit: limit } : {}) });
      const proxy = against === 'proxy' ? await startRateLimitProxy(fake.baseUrl, limit) : undefined;
      const origin = proxy?.origin ?? new URL(fake.baseUrl).origin;
      const dir = await mkdtemp(join(tmpdir(), 'oro-sync-rate-'));
      try {
        const file = join(dir, 'customers.ndjson');
        await writeFile(file, `${generateCustomers(records).map((c) => JSON.stringify(c)).join('\n')}\n`);
        const oro = { baseUrl: `${origin}/admin/api`, tokenUrl: `${origin}/oauth2-token`, clientId: fake.clientId, clientSecret: fake.clientSecret };
        const json = configJson({ oro, source: { kind: 'ndjson', path: file }, mode, concurrency: 8, batchSize: SHAPES[mode].batchSize, workDir: dir });
        (json['pipeline'] as Record<string, unknown>)['ratePerSecond'] = ratePerSecond;
        await writeFile(join(dir, 'bench.json'), JSON.stringify(json), { mode: 0o600 });
        const { config } = await loadConfig(join(dir, 'bench.json'), { ...process.env, [SECRET_ENV]: fake.clientSecret });
        const runtime = createRuntime({ logger: createLogger({ level: 'silent', pretty: false }), concurrency: 8, timeoutMs: 30_000 });
        const t0 = performance.now();
        const result = await runConfig(config, runtime, {}).finally(() => runtime.close());
        const elapsed = (performance.now() - t0) / 1000;
        const stored = await fake.stats();
        const { passed, refused, firstAt, lastAt }: LimitStats = proxy?.stats ?? stored.api;
        const goodput = passed / ((lastAt - firstAt) / 1000);
        rows.push([
          mode, ratePerSecond === 0 ? '0 (learns it)' : String(ratePerSecond), String(records), `${elapsed.toFixed(1)} s`,
          String(passed), `${goodput.toFixed(1)}/s (${((100 * goodput) / perSecond).toFixed(0)} %)`,
          `${refused} (${((100 * refused) / (passed + refused)).toFixed(1)} %)`,
          String(result.counts.created + result.counts.updated), String(records - stored.distinctExternalIds), String(stored.duplicatedExternalIds),
        ]);
        process.stderr.write(`rate-limit (${against}): ${rows.at(-1)!.join(' | ')}\n`);
      } finally {
        await proxy?.close();
        await fake.close();
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
  return rows;
}

const TITLES = {
  fake: 'the fake Oro\'s own `rateLimit` (per OAuth client)',
  proxy: 'a rate-limiting proxy in front of the fake Oro (`bench/rate-limit-proxy.ts`)',
} as const;
const kinds = values.against === 'both' ? (['fake', 'proxy'] as const) : ([values.against as 'fake' | 'proxy'] as const);
const header = ['mode', 'ratePerSecond', 'records', 'time', 'requests passed', 'goodput (of the limit)', 'refused (429)', 'written', 'lost', 'duplicated'];
for (const against of kinds) {
  const rows = await measure(against);
  process.stdout.write(
    `#### Against ${TITLES[against]}: ${perSecond} requests/s, burst ${perSecond}, 429 + \`Retry-After\` (whole seconds), fake Oro latency 5 ms, concurrency 8\n\n` +
      `${[`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')}\n\n`,
  );
}
process.stdout.write(`${machineLine()}\n`);
