/**
 * oro-sync's benchmarks (issue #6): the integration Oro's documentation shows, a hand-written
 * p-limit + p-retry client and oro-sync's three write modes, side by side against the fake Oro
 * (in its own process) with a per-request latency; then CPU overhead at zero latency (against the
 * hand-written clients: per record, and a batch client as the floor of the batch modes), memory at a
 * million records, and a fault run. Prints the tables and writes them into BENCHMARKS.md
 * (between the generated markers; the hand-written notes stay).
 *
 *   npm run bench -- [--records 20000] [--latency 20] [--concurrency 16] [--batch-size 100]
 *                    [--async-batch-size N] [--baseline-sample 500] [--memory-records 1000000] [--fault-sample 500]
 *                    [--only throughput,overhead,memory,faults,capacity,orders] [--cpu-prof DIR] [--no-write]
 *                    [--capacity-seconds 10] [--capacity-modes batch-sync,single] [--orders 100000]
 *
 * `capacity` (not run by default: about 25 runs of 10-20 s) is bench/capacity.ts: fixed and "auto"
 * concurrency against a fake Oro of limited workers; it writes its own part of BENCHMARKS.md.
 * `orders` (not run by default): orders out of Oro into NDJSON, from `bench/orders.ts`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateCustomers } from '../src/testing/index.js';
import { CHAOS_FAULTS } from './chaos.js';
import { capacityTable, capacityTargets, measureCapacity } from './capacity.js';
import { describeMachine, machineLine } from './machine.js';
import { runScenario, type Measured } from './run-scenario.js';
import type { ScenarioKind } from './scenarios/types.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '20000' },
    latency: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '16' },
    'batch-size': { type: 'string', default: '100' },
    /** Records per async Batch API operation in scenario (5); default: --batch-size. */
    'async-batch-size': { type: 'string' },
    'baseline-sample': { type: 'string', default: '500' },
    'memory-records': { type: 'string', default: '1000000' },
    'fault-sample': { type: 'string', default: '500' },
    /** Orders (3 line items each) of the `orders` section. */
    orders: { type: 'string', default: '100000' },
    only: { type: 'string', default: 'throughput,overhead,memory,faults' },
    'capacity-seconds': { type: 'string', default: '10' },
    'capacity-modes': { type: 'string', default: 'batch-sync,single' },
    'cpu-prof': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const int = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got "${String(values[name])}"`);
  return n;
};
const records = int('records');
const latency = int('latency');
const concurrency = int('concurrency');
const batchSize = int('batch-size');
const asyncBatchSize = values['async-batch-size'] === undefined ? batchSize : int('async-batch-size');
const baselineSample = Math.min(records, int('baseline-sample'));
const memoryRecords = int('memory-records');
const faultSample = Math.min(records, int('fault-sample'));
const only = new Set((values.only ?? '').split(',').map((s) => s.trim()));
const cpuProfDir = values['cpu-prof'];

const LABEL: Record<ScenarioKind, string> = {
  baseline: '(1) Oro docs example: token + POST per record, sequential',
  'hand-written': '(2) hand-written p-limit + p-retry, POST per record',
  single: '(3) oro-sync `single`',
  'batch-sync': '(4) oro-sync `batch-sync`',
  batch: '(5) oro-sync `batch` (async Batch API)',
  'hand-written-batch': '(6) hand-written batch client: p-limit + one `X-Mode: sync` PATCH per 100 creates (CPU floor)',
};
/** Requests in flight and records per request of each scenario: the theoretical bound's terms. */
const SHAPE: Record<ScenarioKind, { c: number; perRequest: number }> = {
  baseline: { c: 1, perRequest: 1 },
  'hand-written': { c: concurrency, perRequest: 1 },
  single: { c: concurrency, perRequest: 1 },
  'batch-sync': { c: concurrency, perRequest: batchSize },
  batch: { c: concurrency, perRequest: asyncBatchSize },
  'hand-written-batch': { c: concurrency, perRequest: Math.min(100, batchSize) },
};

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const rate = (m: Measured) => m.client.records / (m.client.elapsedMs / 1000);
const cpuPer1k = (m: Measured) => (m.client.cpuMs / m.client.records) * 1000;
const log = (line: string) => void process.stderr.write(`${line}\n`);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const machine = describeMachine();
const sections: string[] = [];
const dir = await mkdtemp(join(tmpdir(), 'oro-sync-bench-'));
const file = join(dir, 'customers.ndjson');
await writeFile(file, `${generateCustomers(records, { invalidEvery: 50 }).map((c) => JSON.stringify(c)).join('\n')}\n`);
const validOf = (n: number) => n - Math.floor(n / 50);

async function measure(kind: ScenarioKind, options: { latency: number; limit?: number; faults?: boolean }): Promise<Measured> {
  log(`bench: ${kind}, ${options.limit ?? records} records, latency ${options.latency} ms${options.faults ? ', faults' : ''} ...`);
  const m = await runScenario({
    kind,
    file,
    ...(options.limit !== undefined && options.limit < records ? { limit: options.limit } : {}),
    concurrency,
    batchSize: kind === 'batch' ? asyncBatchSize : batchSize,
    fake: { latency: options.latency, asyncStepMs: 20, seed: 1, ...(options.faults ? { faults: CHAOS_FAULTS } : {}) },
    ...(cpuProfDir ? { cpuProfDir: join(cpuProfDir, `${kind}-l${options.latency}${options.faults ? '-faults' : ''}`) } : {}),
  });
  log(
    `bench:   ${fmt(rate(m))} rec/s, ${fmt(m.client.elapsedMs / 1000, 1)} s, CPU ${fmt(cpuPer1k(m))} ms/1k, RSS ${fmt(m.client.peakRssMb)} MB, ` +
      `Oro holds ${m.oro.customers} (${m.oro.duplicatedExternalIds} duplicated), ${m.oro.tokenGrants} grants, ${m.oro.requests} requests`,
  );
  return m;
}

if (only.has('throughput')) {
  const results = new Map<ScenarioKind, Measured>();
  for (const kind of ['baseline', 'hand-written', 'single', 'batch-sync', 'batch'] as const) {
    results.set(kind, await measure(kind, { latency, ...(kind === 'baseline' ? { limit: baselineSample } : {}) }));
  }
  const base = rate(results.get('baseline')!);
  const rows = [...results].map(([kind, m]) => {
    const bound = (SHAPE[kind].c * SHAPE[kind].perRequest) / (latency / 1000);
    const sampled = kind === 'baseline' && baselineSample < records;
    return [
      LABEL[kind],
      sampled ? `${fmt(m.client.records)} (sample; ${fmt(records)} extrapolated: ${fmt(records / rate(m) / 60, 1)} min)` : fmt(m.client.records),
      fmt(m.client.elapsedMs / 1000, 1),
      fmt(rate(m)),
      `${fmt(rate(m) / base, 1)}x`,
      `${fmt(bound)} (${fmt((rate(m) / bound) * 100, 1)} %)`,
      fmt(cpuPer1k(m)),
      fmt(m.client.peakRssMb),
      String(m.oro.tokenGrants),
      String(m.oro.requests),
      `${m.oro.customers} / ${m.oro.duplicatedExternalIds}`,
    ];
  });
  sections.push(
    `### Throughput: ${fmt(records)} customers, latency ${latency} ms per API request, concurrency ${concurrency}, batches of ${batchSize}\n\n` +
      table(['scenario', 'records', 's', 'records/s', 'vs (1)', 'theoretical bound rec/s (reached)', 'CPU ms / 1k rec', 'peak RSS MB', 'token grants', 'requests', 'in Oro / duplicated'], rows) +
      `\n\nThe bound is concurrency x records per request / latency (1 and 1 for (1); ${concurrency} and 1 for (2), (3); ${concurrency} and ${batchSize} for (4), (5)). ` +
      `(1) ran on the first ${fmt(baselineSample)} records; its rate is extrapolated to ${fmt(records)}. ` +
      'Requests include token requests and, for oro-sync, its lookups (`filter[externalId]`, one per 100 records) and async-operation polls.',
  );
}

if (only.has('overhead')) {
  const runs = new Map<ScenarioKind, Measured>();
  for (const kind of ['hand-written', 'single', 'hand-written-batch', 'batch-sync', 'batch'] as const) runs.set(kind, await measure(kind, { latency: 0 }));
  const us = (kind: ScenarioKind) => cpuPer1k(runs.get(kind)!);
  const ratio = us('single') / us('hand-written');
  const batchRatio = us('batch-sync') / us('hand-written-batch');
  const row = (kind: ScenarioKind) => {
    const m = runs.get(kind)!;
    return [LABEL[kind], fmt(rate(m)), fmt(cpuPer1k(m)), fmt(cpuPer1k(m), 0), fmt(m.client.peakRssMb), String(m.oro.requests)];
  };
  sections.push(
    `### CPU overhead at latency 0: ${fmt(records)} customers, concurrency ${concurrency}, batches of ${batchSize}\n\n` +
      table(['scenario', 'records/s', 'CPU ms / 1k rec', 'CPU us / record', 'peak RSS MB', 'requests'], [...runs.keys()].map(row)) +
      `\n\noro-sync \`single\` uses **${fmt(ratio, 2)}x** the CPU per record of (2) (target: at most 1.2x). ` +
      `oro-sync \`batch-sync\` uses **${fmt(batchRatio, 2)}x** the CPU per record of the floor (6) (target: at most 3x); ` +
      `\`batch\` ${fmt(us('batch') / us('hand-written-batch'), 2)}x. (6) sends no lookups and keeps no state, key map or dead letters.`,
  );
}

if (only.has('memory')) {
  log(`bench: memory, ${memoryRecords} records through pullThrough into a slow sink ...`);
  const reports = await new Promise<Record<string, number | string>[]>((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(ROOT, 'bench', 'memory.ts'), '--records', String(memoryRecords), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, number | string>)) : reject(new Error(`bench/memory.ts exited with ${code}`))));
  });
  const rows = reports.map((r) => [String(r['label']), fmt(Number(r['records'])), fmt(Number(r['peakRssMb']), 1), fmt(Number(r['peakHeapMb']), 1), fmt(Number(r['heapAfterGcMb']), 1), String(r['maxPagesHeld']), String(r['maxInFlight']), fmt(Number(r['recordsPerSecond']))]);
  for (const r of reports) log(`bench:   ${JSON.stringify(r)}`);
  sections.push(
    `### Memory: ${fmt(memoryRecords)} records from a paginated HTTP export (pages of 1,000) through \`pullThrough\` into a slow sink (batches of 100, 5 ms each, 8 at a time)\n\n` +
      table(['when', 'records', 'peak RSS MB', 'peak heap MB', 'heap after GC MB', 'max pages held', 'max records in flight', 'records/s'], rows) +
      '\n\nFrom `bench/memory.ts --json` in its own process (`node --expose-gc`); peaks are since the start of the process.',
  );
}

if (only.has('orders')) {
  const orders = int('orders');
  log(`bench: orders, ${orders} orders with 3 line items out of the fake Oro into NDJSON ...`);
  const reports = await new Promise<Record<string, number | string | null>[]>((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(ROOT, 'bench', 'orders.ts'), '--orders', String(orders), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, number | string | null>)) : reject(new Error(`bench/orders.ts exited with ${code}`))));
  });
  for (const r of reports) log(`bench:   ${JSON.stringify(r)}`);
  const seed = reports.find((r) => r['label'] === 'seed') ?? {};
  const rows = reports
    .filter((r) => r['label'] !== 'seed')
    .map((r) => [String(r['label']), fmt(Number(r['records'])), `${fmt(Number(r['sent']))} / ${fmt(Number(r['unchanged']))}`, fmt(Number(r['seconds']), 1), fmt(Number(r['recordsPerSecond'])), String(r['requests']), fmt(Number(r['peakRssMb']), 1), fmt(Number(r['peakHeapMb']), 1), r['heapAfterGcMb'] === null ? 'n/a' : fmt(Number(r['heapAfterGcMb']), 1), fmt(Number(r['fileMb']), 1)]);
  sections.push(
    `### Orders out of Oro: ${fmt(orders)} orders with 3 line items each, \`source.kind: "oro"\` into NDJSON; then ${fmt(Number(seed['changed']))} (1 %) changed\n\n` +
      table(['run', 'records', 'sent / unchanged', 's', 'records/s', 'requests (pages of 100)', 'peak RSS MB', 'peak heap MB', 'heap after GC MB', 'NDJSON MB'], rows) +
      '\n\nFrom `bench/orders.ts --json` (`node --expose-gc`): `runConfig` of a config with `source.kind: "oro"` and an `ndjson` sink (its state ' +
      'store, checkpoints and digests included), the fake Oro in its own process (seeding took ' +
      `${fmt(Number(seed['seedSeconds']), 0)} s, not counted). Each record is one order with its line items in \`included\`; the sink appends and flushes each batch of 100 to disk. ` +
      'The incremental run is the next `run --once`: it reads what changed after the last run\'s keyset.',
  );
}

if (only.has('faults')) {
  const runs: [ScenarioKind, Measured, number][] = [];
  for (const [kind, limit] of [
    ['baseline', faultSample],
    ['hand-written', records],
    ['single', faultSample],
    ['batch-sync', records],
    ['batch', records],
  ] as const) {
    runs.push([kind, await measure(kind, { latency, faults: true, limit }), limit]);
  }
  const rows = runs.map(([kind, m, n]) => {
    const valid = validOf(n);
    const lost = valid - (m.oro.distinctExternalIds);
    return [
      LABEL[kind],
      fmt(n),
      fmt(m.client.elapsedMs / 1000, 1),
      fmt(rate(m)),
      `${fmt(m.oro.customers)} / ${fmt(valid)}`,
      String(Math.max(0, lost)),
      String(m.oro.duplicatedExternalIds),
      String(m.client.failed),
      String(m.oro.tokenGrants),
      String(m.oro.requests),
    ];
  });
  sections.push(
    `### Faults: latency ${latency} ms, 5 % 429 + 5 % 503 (\`Retry-After: 1\`), 2 % 500, 1 % connection resets, every token revoked every 500 API requests\n\n` +
      table(['scenario', 'records', 's', 'records/s', 'in Oro / valid', 'lost', 'duplicated', 'failed (client)', 'token grants', 'requests'], rows) +
      `\n\n(1) and (3) ran on the first ${fmt(faultSample)} records (see the notes for why (3) is slow here). 2 % of the records are invalid and belong in the dead letters, not in Oro.`,
  );
}

if (only.has('capacity')) {
  const modes = (values['capacity-modes'] ?? '').split(',').map((m) => m.trim()).filter((m): m is 'batch-sync' | 'single' => m === 'batch-sync' || m === 'single');
  const capacityRows = await measureCapacity({ seconds: int('capacity-seconds'), modes, log });
  const part = [
    `_Generated by \`npm run bench -- --only capacity\` on ${new Date().toISOString().slice(0, 10)}: ${machineLine(machine)}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end._`,
    '',
    '### Concurrency against Oro\'s capacity: a fake Oro of W workers (batch-sync: 20 ms + 2 ms per record, 100 records a batch; single: 30 ms a request), FIFO queue, 503 past 100 waiting',
    '',
    capacityTable(capacityRows),
    '',
    'Targets for "auto": Oro busy >= 90 % (or >= 90 % of the best fixed setting), queue wait <= 0.5x service, 0 503s, after the drop in Oro within 1.5x the new capacity in <= 10 s.',
    '',
    ...capacityTargets(capacityRows),
  ].join('\n');
  process.stdout.write(`${part}\n`);
  if (!values['no-write']) await writePart('<!-- capacity:start (npm run bench -- --only capacity rewrites this part) -->', '<!-- capacity:end -->', part);
}

const generated = [
  `_Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${machineLine(machine)}._`,
  `_Fake Oro in its own process; each client in a fresh process (CPU = \`process.cpuUsage()\` of the client, RSS = its \`resourceUsage().maxRSS\`, which includes ~100+ MB of Node + tsx loader)._`,
  '',
  ...sections.flatMap((s) => [s, '']),
].join('\n');
/** Writes `text` into BENCHMARKS.md between `START` and `END` (appended with them when absent); the rest stays. */
async function writePart(START: string, END: string, text: string): Promise<void> {
  const path = join(ROOT, 'BENCHMARKS.md');
  const existing = existsSync(path) ? await readFile(path, 'utf8') : `# Benchmarks\n\n## Notes\n\n(hand-written)\n`;
  const a = existing.indexOf(START);
  const b = existing.indexOf(END);
  const next = a >= 0 && b > a ? `${existing.slice(0, a + START.length)}\n${text}\n${existing.slice(b)}` : `${existing}\n${START}\n${text}\n${END}\n`;
  await writeFile(path, next);
  log(`bench: wrote ${path}`);
}

// Only what ran is rewritten: `--only capacity` leaves the generated tables of the others as they are.
if (sections.length > 0) {
  process.stdout.write(`${generated}\n`);
  if (!values['no-write']) await writePart('<!-- generated:start (npm run bench rewrites this part) -->', '<!-- generated:end -->', generated);
}
await rm(dir, { recursive: true, force: true });
