/**
 * Change detection (not a test): a snapshot export synced twice, the second time with 1 % of its
 * records changed. The second run must send only the changed records, be at least 20x faster
 * than the first, spend at most 20 µs of CPU per unchanged record, and keep its memory flat.
 * Writes its table into BENCHMARKS.md between its own markers.
 *
 * The heap is sampled after a forced collection, and forcing collections raised the CPU of the run
 * they sat in (the estimate below: 32 against 24 µs per unchanged record, 50,000 records). So the second run is measured twice over the same work: once for its CPU, with
 * no forced collection, and once, from a copy of the state store taken before it, for its heap.
 * A third run reads the export once more, nothing changed: its CPU over its records is the CPU per
 * unchanged record, measured rather than estimated (the second run's CPU less its writes at the
 * first run's cost per write is printed too, as an upper bound).
 *
 *   npm run bench:changes -- [--records 100000] [--latency 20] [--concurrency 32] [--changed 0.01] [--no-write] [--on-missing]
 *
 * `--on-missing` runs the config with `target.onMissing: {"action": "delete"}` (every key read is
 * marked seen, and the missing ones are looked for after the run): what that costs per record.
 * Its table is printed, not written into BENCHMARKS.md.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateCustomers, type GeneratedCustomer } from '../src/testing/index.js';
import { concurrencyBound } from '../src/config/config-types.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/cli/logger.js';
import { runConfig, type RunResult } from '../src/run/run-config.js';
import { createRuntime } from '../src/run/runtime.js';
import { totalOf } from '../src/run/summary.js';
import { configJson, SECRET_ENV } from './scenarios/config.js';
import { startFakeOroProcess, type FakeOroProcess } from './fake-oro-process.js';
import { machineLine } from './machine.js';
import { Session } from 'node:inspector/promises';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    latency: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '32' },
    changed: { type: 'string', default: '0.01' },
    'no-write': { type: 'boolean', default: false },
    /** Write a `.cpuprofile` of the second run here (summarise it with bench/profile-summary.ts). */
    'cpu-prof': { type: 'string' },
    'on-missing': { type: 'boolean', default: false },
  },
});
const records = Number(values.records);
const latency = Number(values.latency);
const concurrency = Number(values.concurrency);
const changedShare = Number(values.changed);
const changeEvery = Math.max(1, Math.round(1 / changedShare));
const log = (line: string) => void process.stderr.write(`${line}\n`);

interface Measured {
  readonly result: RunResult;
  readonly seconds: number;
  readonly cpuMs: number;
  /** API and token requests the fake Oro saw during the run. */
  readonly requests: number;
  readonly peakRssMb: number;
  /** Heap used (MB) after 10 %, 50 % and 100 % of the records had their outcome. */
  readonly heapMb: readonly number[];
}

const ndjson = (rows: readonly GeneratedCustomer[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const mb = (bytes: number) => Math.round(bytes / 1024 ** 2);

async function measure(oro: FakeOroProcess, configPath: string, fromStart: boolean, sampleHeap = false): Promise<Measured> {
  const { config } = await loadConfig(configPath, { ...process.env, [SECRET_ENV]: oro.clientSecret });
  const runtime = createRuntime({ logger: createLogger({ level: 'silent', pretty: false }), concurrency: concurrencyBound(config.pipeline), timeoutMs: config.pipeline.requestTimeoutMs });
  const before = await oro.stats();
  global.gc?.();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => void (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const marks = new Set([Math.floor(records * 0.1), Math.floor(records * 0.5), records]);
  const heap: number[] = [];
  let seen = 0;
  // The heap is sampled after a full collection, so that it shows what is held, not garbage not
  // yet collected; that collection's CPU is not the run's and is taken out of it.
  let gcMicros = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  try {
    const result = await runConfig(config, runtime, {
      fromStart,
      onOutcome: () => {
        seen++;
        if (!sampleHeap || !marks.has(seen)) return;
        const before = process.cpuUsage();
        global.gc?.();
        const spent = process.cpuUsage(before);
        gcMicros += spent.user + spent.system;
        heap.push(mb(process.memoryUsage().heapUsed));
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const after = await oro.stats();
    return {
      result,
      seconds,
      cpuMs: (used.user + used.system - gcMicros) / 1000,
      requests: after.requests - before.requests,
      peakRssMb: mb(peakRss),
      heapMb: heap,
    };
  } finally {
    clearInterval(sampler);
    await runtime.close();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'oro-sync-bench-changes-'));
const oro = await startFakeOroProcess({ latency, seed: 1 });
try {
  const file = join(dir, 'customers.ndjson');
  const rows = generateCustomers(records, { invalidEvery: 0 });
  await writeFile(file, ndjson(rows));
  const configPath = join(dir, 'bench.json');
  const plain = configJson({ oro, source: { kind: 'ndjson', path: file }, mode: 'single', concurrency, batchSize: 100, workDir: dir });
  const json = values['on-missing'] ? { ...plain, target: { ...(plain['target'] as object), onMissing: { action: 'delete' } } } : plain;
  await writeFile(configPath, JSON.stringify(json, null, 2), { mode: 0o600 });

  log(`bench:changes: first run, ${records} records, latency ${latency} ms, concurrency ${concurrency}`);
  const first = await measure(oro, configPath, false);
  log(`bench:changes: first run ${first.seconds.toFixed(1)} s`);

  // The export replaced: every `changeEvery`-th customer renamed.
  await writeFile(file, ndjson(rows.map((r, i) => ((i + 1) % changeEvery === 0 ? { ...r, name: `${r.name} (renamed)` } : r))));
  // The heap run's state: the state store as the second run will find it.
  const heapDir = join(dir, 'heap');
  await mkdir(heapDir);
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(join(dir, `state.db${suffix}`))) await copyFile(join(dir, `state.db${suffix}`), join(heapDir, `state.db${suffix}`));
  }
  const heapConfigPath = join(heapDir, 'bench.json');
  const heapJson = { ...json, state: { path: join(heapDir, 'state.db') }, deadLetter: { path: join(heapDir, 'dead-letters.ndjson') } };
  await writeFile(heapConfigPath, JSON.stringify(heapJson, null, 2), { mode: 0o600 });
  const profiler = values['cpu-prof'] === undefined ? undefined : new Session();
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const second = await measure(oro, configPath, true);
  if (profiler && values['cpu-prof']) {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(values['cpu-prof'], JSON.stringify(profile));
    profiler.disconnect();
  }
  log(`bench:changes: second run ${second.seconds.toFixed(1)} s; the same again from the copied state, for the heap`);
  // Oro holds the renamed records now: the heap run sends them again (the copied digests are the old ones).
  const heapRun = await measure(oro, heapConfigPath, true, true);
  // The second run stored the renamed records' digests: read again, the export has nothing changed.
  log('bench:changes: third run, the same export with nothing changed, for the CPU per unchanged record alone');
  const third = await measure(oro, configPath, true);

  const changed = Math.floor(records / changeEvery);
  const unchanged = second.result.counts.unchanged;
  // Measured: a run in which every record is unchanged (start-up included), CPU over its records.
  const perUnchangedUs = (third.cpuMs / Math.max(1, third.result.counts.unchanged)) * 1000;
  // An upper bound: the second run's CPU less its writes at the first run's cost per written record.
  // It charges the unchanged records with whatever a write costs the second run beyond that.
  const perWritten = first.cpuMs / totalOf(first.result.counts);
  const boundUs = ((second.cpuMs - changed * perWritten) / Math.max(1, unchanged)) * 1000;
  const perChangedMs = (second.cpuMs - (third.cpuMs * unchanged) / records) / Math.max(1, changed);
  const speedup = first.seconds / second.seconds;
  const [heapAt10, , heapAt100] = heapRun.heapMb;
  const heapFlat = heapAt10 !== undefined && heapAt100 !== undefined && heapAt100 - heapAt10 <= 10;
  const checks = [
    // One PATCH per changed record (their ids are in the state store: no lookup) and one token grant.
    [`second run sends only the ${changed} changed records`, second.result.counts.updated === changed && second.requests <= changed + 1 && unchanged === records - changed],
    ['second run at least 20x faster', speedup >= 20],
    ['at most 20 µs CPU per unchanged record (the third run)', perUnchangedUs <= 20 && third.result.counts.unchanged === records && third.requests <= 1],
    // Digests are read per round, never loaded whole: what is held does not grow with the records read.
    ['memory flat: the heap at 100 % no more than 10 MB above the heap at 10 %', heapFlat],
  ] as const;
  const row = (name: string, m: Measured) => {
    const c = m.result.counts;
    return `| ${name} | ${c.created.toLocaleString('en')} / ${c.updated.toLocaleString('en')} / ${c.unchanged.toLocaleString('en')} | ${m.seconds.toFixed(1)} | ` +
      `${m.requests.toLocaleString('en')} | ${Math.round(m.cpuMs).toLocaleString('en')} | ${((m.cpuMs / records) * 1000).toFixed(1)} | ${m.peakRssMb} | ${m.heapMb.length > 0 ? m.heapMb.join(' / ') : '–'} |`;
  };
  const generated = [
    `_Generated by \`npm run bench:changes\` on ${new Date().toISOString().slice(0, 10)}: ${machineLine()}._`,
    `_Fake Oro in its own process, latency ${latency} ms per request; the client in this process (CPU = its \`process.cpuUsage()\` during the run)._`,
    '',
    `### Change detection: ${records.toLocaleString('en')} customers, \`single\` mode, concurrency ${concurrency}; then the same export with ${changed.toLocaleString('en')} (${(100 / changeEvery).toFixed(0)} %) renamed`,
    '',
    '| run | created / updated / unchanged | s | requests | CPU ms | CPU µs / record | peak RSS MB | heap MB at 10 / 50 / 100 % |',
    '|---|---|---|---|---|---|---|---|',
    row('first (empty Oro)', first),
    row('second (1 % changed, `--from-start`)', second),
    row('second again, from a copy of the state it started with (heap after a forced GC at each mark)', heapRun),
    row('third (the same export, nothing changed)', third),
    '',
    `Second run: **${speedup.toFixed(0)}x** faster than the first. CPU per unchanged record: **${perUnchangedUs.toFixed(1)} µs** measured ` +
      `(the third run's CPU over its ${records.toLocaleString('en')} records, start-up included). ` +
      `Upper bound from the second run: ${boundUs.toFixed(1)} µs (its CPU less ${changed.toLocaleString('en')} × the first run's ${(perWritten * 1000).toFixed(0)} µs per written record, over ${unchanged.toLocaleString('en')} unchanged ones); ` +
      `it is higher because a write cost the second run ${perChangedMs.toFixed(2)} ms of CPU (its CPU less the unchanged records at the third run's cost, over ${changed.toLocaleString('en')} writes), not ${(perWritten).toFixed(2)} ms.`,
    '',
    ...checks.map(([what, ok]) => `- ${ok ? 'met' : '**NOT met**'}: ${what}`),
  ].join('\n');
  process.stdout.write(`${generated}\n`);

  // The table between the markers is the plain config's; an --on-missing run is only printed.
  if (!values['no-write'] && !values['on-missing']) {
    const path = join(ROOT, 'BENCHMARKS.md');
    const START = '<!-- changes:start (npm run bench:changes rewrites this part) -->';
    const END = '<!-- changes:end -->';
    const existing = existsSync(path) ? await readFile(path, 'utf8') : '# Benchmarks\n';
    const a = existing.indexOf(START);
    const b = existing.indexOf(END);
    const next = a >= 0 && b > a ? `${existing.slice(0, a + START.length)}\n${generated}\n${existing.slice(b)}` : `${existing.trimEnd()}\n\n${START}\n${generated}\n${END}\n`;
    await writeFile(path, next);
    log(`bench:changes: wrote ${path}`);
  }
  if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
} finally {
  await oro.close();
  await rm(dir, { recursive: true, force: true });
}
