/**
 * Queue scale-out throughput (not a test): records/s with 1, 2 and 3 worker processes
 * (`oro-sync run --once` with an `amqp` source) draining one queue into a fake Oro with latency.
 *
 *   npm run build && node --import tsx bench/queue-workers.ts [--records 10000] [--latency 20] [--workers 1,2,3]
 *
 * Each round: a fresh fake Oro (in this process) and a fresh queue filled with `oro-sync publish`;
 * then the workers start together, and the clock stops when Oro holds every record (the workers'
 * `idleExitSeconds` wait is not counted). Single mode, lookup strategy, concurrency 8, batch 50,
 * prefetch 150 per worker. Needs RabbitMQ on 127.0.0.1:5672 (guest/guest) and a built `dist/`.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateCustomers, startFakeOro } from '../src/testing/index.js';
import { openAdmin, uniqueQueue } from '../test/helpers/rabbit.js';
import { CLI, cli, until, workDir, writeConfig, writeNdjson } from '../test/helpers/rabbit-workers.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '10000' },
    latency: { type: 'string', default: '20' },
    workers: { type: 'string', default: '1,2,3' },
  },
});
const records = Number(args.records);
const latency = Number(args.latency);
const counts = args.workers.split(',').map(Number);
if (!existsSync(CLI)) {
  process.stderr.write(`${CLI} not found: run \`npm run build\` first\n`);
  process.exit(2);
}

interface Row {
  readonly workers: number;
  readonly seconds: number;
  readonly rate: number;
}

async function round(workers: number): Promise<Row> {
  const oro = await startFakeOro({ latency });
  const queue = uniqueQueue('bench-workers');
  const work = workDir();
  const admin = await openAdmin();
  try {
    const pipeline = { batchSize: 50, batchMs: 50, concurrency: 8 };
    const path = writeNdjson(work.dir, 'customers.ndjson', generateCustomers(records));
    const publisher = writeConfig(work.dir, { oro, queue, name: 'publisher', mode: 'single', pipeline, source: { kind: 'ndjson', path } });
    const published = await cli(['publish', publisher], oro).exited;
    if (published.code !== 0) throw new Error(`publish failed (${published.code}): ${published.stderr}`);

    const configs = Array.from({ length: workers }, (_, i) =>
      writeConfig(work.dir, { oro, queue, name: `worker-${i + 1}`, mode: 'single', pipeline, prefetch: 150, idleExitSeconds: 1 }),
    );
    const started = performance.now();
    const running = configs.map((config) => cli(['run', config, '--once'], oro));
    await until('every record in Oro', () => oro.records('customers').length >= records, 600_000);
    const seconds = (performance.now() - started) / 1000;
    const exits = await Promise.all(running.map((r) => r.exited));
    const bad = exits.find((e) => e.code !== 0);
    if (bad) throw new Error(`a worker exited ${bad.code}: ${bad.stderr}`);
    return { workers, seconds, rate: records / seconds };
  } finally {
    await admin.deleteTopology(queue);
    await admin.close();
    await oro.close();
    work.cleanup();
  }
}

const rows: Row[] = [];
for (const n of counts) {
  const row = await round(n);
  rows.push(row);
  process.stderr.write(`${n} worker(s): ${row.seconds.toFixed(1)} s\n`);
}
const base = rows[0]?.rate ?? 1;
process.stdout.write(`queue workers: ${records} records, fake Oro latency ${latency} ms, single mode, concurrency 8, batch 50, prefetch 150\n`);
process.stdout.write('| workers | seconds | records/s | speed-up |\n|---:|---:|---:|---:|\n');
for (const r of rows) {
  process.stdout.write(`| ${r.workers} | ${r.seconds.toFixed(1)} | ${Math.round(r.rate)} | ${(r.rate / base).toFixed(2)}× |\n`);
}
