/**
 * Orders out of Oro into NDJSON (issue 22), as `oro-sync run --once` runs them: a config with
 * `source.kind: "oro"` (orders with `include=lineItems`) and an `ndjson` sink, run by `runConfig`
 * with its state store, checkpoints and change detection, against the fake Oro in its own process
 * (`--orders` orders, 3 line items each). Memory is reported at 10 % of the orders and at the end.
 * Then 1 % of the orders change and the next run reads what changed since.
 *
 *   node --expose-gc --import tsx bench/orders.ts [--orders 100000] [--line-items 3] [--page-size 100] [--json]
 *
 * `--json` prints one JSON line per measurement (`bench/run.ts --only orders` reads them).
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadAnyConfig } from '../src/config/config.js';
import { runConfig } from '../src/run/run-config.js';
import { createRuntime } from '../src/run/runtime.js';
import type { OrdersChildMessage, OrdersChildRequest } from './orders-fake-child.js';

const { values: args } = parseArgs({
  options: {
    orders: { type: 'string', default: '100000' },
    'line-items': { type: 'string', default: '3' },
    'page-size': { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
  },
});
const orders = Number(args.orders);
const lineItems = Number(args['line-items']);
const pageSize = Number(args['page-size']);
const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

const child = fork(fileURLToPath(new URL('./orders-fake-child.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const next = <K extends OrdersChildMessage['kind']>(kind: K): Promise<Extract<OrdersChildMessage, { kind: K }>> =>
  new Promise((resolve) => {
    const on = (m: OrdersChildMessage) => {
      if (m.kind !== kind) return;
      child.off('message', on);
      resolve(m as Extract<OrdersChildMessage, { kind: K }>);
    };
    child.on('message', on);
  });
const ask = <K extends OrdersChildMessage['kind']>(request: OrdersChildRequest, kind: K) => {
  const answer = next(kind);
  child.send(request);
  return answer;
};

const ready = await next('ready');
const log = (line: string) => void process.stderr.write(`${line}\n`);
// Orders changed over the last days, two a second, 500 of them in one second (a mass update).
const from = Date.now() - Math.ceil(orders / 2) * 1000 - 7_200_000;
log(`bench orders: seeding ${orders} orders with ${lineItems} line items each ...`);
const seeded = await ask({ kind: 'seed', orders, lineItems, from, perSecond: 2, massUpdate: Math.min(500, Math.floor(orders / 4)) }, 'seeded');
log(`bench orders: seeded in ${(seeded.ms / 1000).toFixed(1)} s`);

const dir = await mkdtemp(join(tmpdir(), 'oro-sync-orders-'));
const configFile = join(dir, 'orders-out.json');
writeFileSync(configFile, JSON.stringify({
  oro: { baseUrl: ready.baseUrl, tokenUrl: ready.tokenUrl, clientId: ready.clientId, clientSecret: '${ORO_BENCH_SECRET}' },
  source: { kind: 'oro', type: 'orders', include: ['lineItems'], pageSize },
  sink: { kind: 'ndjson', path: 'orders.ndjson' },
  state: { path: 'state.db' },
  deadLetter: { path: 'dead-letters.ndjson' },
}));
const { config } = await loadAnyConfig(configFile, { ORO_BENCH_SECRET: ready.clientSecret });
const runtime = createRuntime({ logger: pino({ level: 'silent' }), concurrency: 4, timeoutMs: 30_000 });
const fileMb = async (): Promise<number> => (await stat(join(dir, 'orders.ndjson')).catch(() => ({ size: 0 }))).size / MB;

interface RunReport {
  readonly label: string;
  readonly records: number;
  readonly sent: number;
  readonly unchanged: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly requests: number;
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  readonly heapAfterGcMb: number | null;
  readonly fileMb: number;
}

/** One `run --once` of the config; a report at `reportAt` records (-1: none) and one at the end. */
async function run(label: string, reportAt: number): Promise<RunReport[]> {
  const before = await ask({ kind: 'stats' }, 'stats');
  const fileBefore = await fileMb();
  const peak = { rss: 0, heap: 0 };
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    peak.rss = Math.max(peak.rss, rss);
    peak.heap = Math.max(peak.heap, heapUsed);
  };
  const sampler = setInterval(sample, 20);
  const reports: RunReport[] = [];
  const started = performance.now();
  const counts = { records: 0, sent: 0, unchanged: 0 };
  const report = async (at: string) => {
    sample();
    gc?.();
    const seconds = (performance.now() - started) / 1000;
    const stats = await ask({ kind: 'stats' }, 'stats');
    reports.push({
      label: at, ...counts, seconds, recordsPerSecond: counts.records / seconds, requests: stats.orderPages - before.orderPages,
      peakRssMb: peak.rss / MB, peakHeapMb: peak.heap / MB, heapAfterGcMb: gc ? process.memoryUsage().heapUsed / MB : null, fileMb: (await fileMb()) - fileBefore,
    });
  };
  const pending: Promise<void>[] = [];
  const result = await runConfig(config, runtime, {
    onOutcome: (outcome) => {
      counts.records += 1;
      if (outcome.status === 'sent') counts.sent += 1;
      if (outcome.status === 'unchanged') counts.unchanged += 1;
      if (counts.records === reportAt) pending.push(report(`${label} at ${counts.records.toLocaleString('en-US')}`));
    },
  });
  await Promise.all(pending);
  await report(`${label} end`);
  clearInterval(sampler);
  if (result.counts.rejected + result.counts.failed > 0) throw new Error(`bench orders: ${label} run: ${JSON.stringify(result.counts)}`);
  return reports;
}

const full = await run('full', Math.floor(orders / 10));
// 1 % of the orders change, in the hour before the next run.
const touched = await ask({ kind: 'touch', every: 100, from: Date.now() - 3_600_000 - 5_000 }, 'touched');
log(`bench orders: changed ${touched.orders} orders`);
const incremental = await run('incremental', -1);

for (const r of [...full, ...incremental]) {
  if (args.json) console.log(JSON.stringify(r));
  else log(`${r.label.padEnd(24)} ${String(r.records).padStart(8)} records (sent ${r.sent}, unchanged ${r.unchanged})  ${r.seconds.toFixed(1)} s  ${r.recordsPerSecond.toFixed(0)} rec/s  ${r.requests} requests  peak RSS ${r.peakRssMb.toFixed(1)} MB  peak heap ${r.peakHeapMb.toFixed(1)} MB  heap after GC ${r.heapAfterGcMb?.toFixed(1) ?? 'n/a'} MB  file ${r.fileMb.toFixed(1)} MB`);
}
if (args.json) console.log(JSON.stringify({ label: 'seed', orders, lineItems, pageSize, seedSeconds: seeded.ms / 1000, changed: touched.orders }));

await runtime.close();
child.send({ kind: 'close' } satisfies OrdersChildRequest);
await rm(dir, { recursive: true, force: true });
