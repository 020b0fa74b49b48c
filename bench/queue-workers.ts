/**
 * Queue scale-out throughput (not a test): records/s with 1, 2 and 3 worker processes
 * (`oro-sync run --once` with an `amqp` source) draining one queue into a fake Oro with latency,
 * each worker with a SQLite file of its own, or all sharing the PostgreSQL state store (and its
 * per-key locks), measured in the same run.
 *
 *   npm run build && node --import tsx bench/queue-workers.ts [--records 10000] [--latency 20] [--workers 1,2,3] [--state sqlite,postgres]
 *
 * `postgres` uses the local server (`ORO_SYNC_TEST_PG_URL`, default
 * postgres://postgres@127.0.0.1:5432/oro_sync_test, created if missing), a fresh schema per
 * round (dropped after it), so what earlier rounds stored there does not count.
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
import { dropSchema, ensureTestDatabase, PG_TEST_URL, uniqueSchema } from '../test/helpers/state-backends.js';
import { machineLine } from './machine.js';

type State = 'sqlite' | 'postgres';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '10000' },
    latency: { type: 'string', default: '20' },
    workers: { type: 'string', default: '1,2,3' },
    state: { type: 'string', default: 'sqlite,postgres' },
  },
});
const records = Number(args.records);
const latency = Number(args.latency);
const counts = args.workers.split(',').map(Number);
const states = args.state.split(',') as State[];
if (states.some((s) => s !== 'sqlite' && s !== 'postgres')) {
  process.stderr.write(`--state: sqlite and/or postgres, got ${args.state}\n`);
  process.exit(2);
}
if (states.includes('postgres')) await ensureTestDatabase();
if (!existsSync(CLI)) {
  process.stderr.write(`${CLI} not found: run \`npm run build\` first\n`);
  process.exit(2);
}

interface Row {
  readonly state: State;
  readonly workers: number;
  readonly seconds: number;
  readonly rate: number;
}

async function round(state: State, workers: number): Promise<Row> {
  const oro = await startFakeOro({ latency });
  const queue = uniqueQueue('bench-workers');
  const work = workDir();
  const admin = await openAdmin();
  const schema = uniqueSchema();
  try {
    const pipeline = { batchSize: 50, batchMs: 50, concurrency: 8 };
    const path = writeNdjson(work.dir, 'customers.ndjson', generateCustomers(records));
    const publisher = writeConfig(work.dir, { oro, queue, name: 'publisher', mode: 'single', pipeline, source: { kind: 'ndjson', path } });
    const published = await cli(['publish', publisher], oro).exited;
    if (published.code !== 0) throw new Error(`publish failed (${published.code}): ${published.stderr}`);

    const configs = Array.from({ length: workers }, (_, i) =>
      writeConfig(work.dir, {
        oro,
        queue,
        name: `worker-${i + 1}`,
        mode: 'single',
        pipeline,
        prefetch: 150,
        idleExitSeconds: 1,
        ...(state === 'postgres' ? { state: { url: `${PG_TEST_URL}?schema=${schema}` } } : {}),
      }),
    );
    const started = performance.now();
    const running = configs.map((config) => cli(['run', config, '--once'], oro));
    await until('every record in Oro', () => oro.records('customers').length >= records, 600_000);
    const seconds = (performance.now() - started) / 1000;
    const exits = await Promise.all(running.map((r) => r.exited));
    const bad = exits.find((e) => e.code !== 0);
    if (bad) throw new Error(`a worker exited ${bad.code}: ${bad.stderr}`);
    return { state, workers, seconds, rate: records / seconds };
  } finally {
    await admin.deleteTopology(queue);
    await admin.close();
    await oro.close();
    work.cleanup();
    if (state === 'postgres') await dropSchema(schema);
  }
}

const rows: Row[] = [];
// Interleaved (sqlite 1, postgres 1, sqlite 2, ...) so that a change in the machine's load hits both alike.
for (const n of counts) {
  for (const state of states) {
    const row = await round(state, n);
    rows.push(row);
    process.stderr.write(`${state}, ${n} worker(s): ${row.seconds.toFixed(1)} s\n`);
  }
}
const base = rows.find((r) => r.state === states[0])?.rate ?? 1;
process.stdout.write(`queue workers: ${records} records, fake Oro latency ${latency} ms, single mode, concurrency 8, batch 50, prefetch 150\n`);
process.stdout.write(`${machineLine()}\n`);
process.stdout.write(`| state store | workers | seconds | records/s | vs ${states[0]}, 1 worker | vs ${states[0]}, same workers |\n|---|---:|---:|---:|---:|---:|\n`);
for (const r of rows) {
  const same = rows.find((o) => o.state === states[0] && o.workers === r.workers)?.rate ?? r.rate;
  process.stdout.write(`| ${r.state} | ${r.workers} | ${r.seconds.toFixed(1)} | ${Math.round(r.rate)} | ${(r.rate / base).toFixed(2)}× | ${(r.rate / same).toFixed(2)}× |\n`);
}
