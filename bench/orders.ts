/**
 * Orders out of Oro into NDJSON (issue 22): the Oro source reads `--orders` orders with their
 * line items (`include=lineItems`) out of the fake Oro (in its own process) into a file, one
 * write per record; memory is reported at 10 % of the orders and at the end. Then 1 % of the
 * orders change and an incremental run reads from where the first stopped.
 *
 *   node --expose-gc --import tsx bench/orders.ts [--orders 100000] [--line-items 3] [--page-size 100] [--json]
 *
 * `--json` prints one JSON line per measurement (`bench/run.ts --only orders` reads them).
 * The NDJSON writer is the bench's own (a file write per record, awaited) until the `ndjson`
 * sink of the out-of-Oro run is on main.
 */
import { fork } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { concatMap, type OperatorFunction } from 'rxjs';
import { createOro } from '../src/oro/create-oro.js';
import { oroSource } from '../src/sources/oro.js';
import { pullThrough } from '../src/sources/pull-through.js';
import type { Json } from '../src/types/jsonapi.js';
import type { SourceRecord } from '../src/types/record.js';
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

const oro = createOro({ baseUrl: ready.baseUrl, tokenUrl: ready.tokenUrl, clientId: ready.clientId, clientSecret: ready.clientSecret, concurrency: 4 });
const dir = await mkdtemp(join(tmpdir(), 'oro-sync-orders-'));

/** One write per record, awaited: the NDJSON file as a sink writes it. */
const toFile = (out: WriteStream): OperatorFunction<SourceRecord, SourceRecord> => (records) =>
  records.pipe(concatMap((record) => new Promise<SourceRecord>((resolve, reject) => out.write(`${JSON.stringify(record.value)}\n`, (error) => (error ? reject(error) : resolve(record))))));

interface RunReport {
  readonly label: string;
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly requests: number;
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  readonly heapAfterGcMb: number | null;
  readonly fileMb: number;
}

async function run(label: string, resume: Json | undefined, reportAt: number): Promise<{ reports: RunReport[]; resume: Json | undefined }> {
  const file = join(dir, `${label}.ndjson`);
  const out = createWriteStream(file);
  const before = await ask({ kind: 'stats' }, 'stats');
  const peak = { rss: 0, heap: 0 };
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    peak.rss = Math.max(peak.rss, rss);
    peak.heap = Math.max(peak.heap, heapUsed);
  };
  const sampler = setInterval(sample, 20);
  const reports: RunReport[] = [];
  const started = performance.now();
  let done = 0;
  let last: Json | undefined = resume;
  const report = async (at: string) => {
    sample();
    gc?.();
    const seconds = (performance.now() - started) / 1000;
    const stats = await ask({ kind: 'stats' }, 'stats');
    reports.push({
      label: at, records: done, seconds, recordsPerSecond: done / seconds, requests: stats.orderPages - before.orderPages,
      peakRssMb: peak.rss / MB, peakHeapMb: peak.heap / MB, heapAfterGcMb: gc ? process.memoryUsage().heapUsed / MB : null, fileMb: (await stat(file)).size / MB,
    });
  };
  const source = oroSource(oro.client, { type: 'orders', include: ['lineItems'], pageSize, limiter: oro.limiter, retry: { retries: 6 }, ...(resume !== undefined ? { resume } : {}) });
  const pending: Promise<void>[] = [];
  await new Promise<void>((resolve, reject) => {
    pullThrough(source, toFile(out), { maxInFlight: 2 * pageSize }).subscribe({
      next: (record) => {
        done += 1;
        last = record.position.resume ?? last;
        if (done === reportAt) pending.push(report(`${label} at ${done.toLocaleString('en-US')}`));
      },
      error: reject,
      complete: resolve,
    });
  });
  await Promise.all(pending);
  await new Promise<void>((resolve) => out.end(resolve));
  await report(`${label} end`);
  clearInterval(sampler);
  return { reports, resume: last };
}

const full = await run('full', undefined, Math.floor(orders / 10));
// 1 % of the orders change, in the hour before the next run.
const touched = await ask({ kind: 'touch', every: 100, from: Date.now() - 3_600_000 - 5_000 }, 'touched');
log(`bench orders: changed ${touched.orders} orders`);
const incremental = await run('incremental', full.resume, -1);

for (const r of [...full.reports, ...incremental.reports]) {
  if (args.json) console.log(JSON.stringify(r));
  else log(`${r.label.padEnd(24)} ${String(r.records).padStart(8)} records  ${r.seconds.toFixed(1)} s  ${r.recordsPerSecond.toFixed(0)} rec/s  ${r.requests} requests  peak RSS ${r.peakRssMb.toFixed(1)} MB  peak heap ${r.peakHeapMb.toFixed(1)} MB  heap after GC ${r.heapAfterGcMb?.toFixed(1) ?? 'n/a'} MB  file ${r.fileMb.toFixed(1)} MB`);
}
if (args.json) console.log(JSON.stringify({ label: 'seed', orders, lineItems, pageSize, seedSeconds: seeded.ms / 1000, changed: touched.orders }));

oro.close();
child.send({ kind: 'close' } satisfies OrdersChildRequest);
await rm(dir, { recursive: true, force: true });
