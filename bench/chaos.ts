/**
 * The chaos run: the real CLI daemon (`node dist/cli/main.js run cfg.json --once`) syncs
 * generated customers (2 % invalid) from a paginated HTTP export into a faulty fake Oro
 * (10 % 429/503 with `Retry-After`, 2 % 500, 1 % connection resets, every token revoked every
 * 500 requests) and is killed with SIGKILL at seeded moments, then restarted, until a run ends
 * by itself. Then it checks: every valid record is in Oro exactly once, nothing else is; every
 * invalid record is in the dead letters exactly once, no valid one is.
 *
 *   npm run chaos -- [--records 50000] [--kills 3] [--seed 1] [--mode batch] [--latency 2]
 *                    [--concurrency 16] [--batch-size 100] [--revoke-every 500] [--timeout-seconds 1200]
 *                    [--no-build] [--keep]
 *
 * Exit 0 when every check passes, 1 otherwise. Kill moments are read from how far the daemon
 * has read the export (the highest page it asked for): at 10 % + 80 % x (k - 0.5) / kills of the
 * pages, +- 4 %, then after a further 0-300 ms, all drawn from the seed.
 *
 * Dead letters exactly once: a rejected record's dead letter is appended when its outcome
 * arrives, while the checkpoint is saved up to 200 ms later (`run-config.ts`); a kill in between
 * replays the record. The resumed run knows what the interrupted runs dead-lettered
 * (`interrupted-dead-letters.ts`) and does not write it again.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateCustomers, mulberry32, startFakeOro, type FakeOro, type FaultOptions } from '../src/testing/index.js';
import { openStateStore } from '../src/state/sqlite-state-store.js';
import { configJson, SECRET_ENV } from './scenarios/config.js';
import { serveRecords } from './source-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

/** The faults of issue #6: what a proxy and a flaky network in front of Oro do. */
export const CHAOS_FAULTS = { rate429: 0.05, rate503: 0.05, rate500: 0.02, resetRate: 0.01, retryAfter: 'seconds', retryAfterSeconds: 1, revokeEvery: 500 } as const;

export interface ChaosOptions {
  readonly records: number;
  readonly kills: number;
  readonly seed: number;
  readonly mode: 'single' | 'batch-sync' | 'batch';
  /** Fake Oro latency per API request, ms. */
  readonly latency: number;
  readonly concurrency: number;
  readonly batchSize: number;
  /** Records per page of the export. */
  readonly pageSize: number;
  /** Every N-th record is invalid (empty name); 50 = 2 %. */
  readonly invalidEvery: number;
  /** Give up (and fail) after this long. */
  readonly timeoutSeconds: number;
  /** Keep the work directory (config, state, dead letters, daemon logs). */
  readonly keep: boolean;
  /** Changes to {@link CHAOS_FAULTS} (e.g. revoke tokens more often in a short run). */
  readonly faults: Partial<FaultOptions>;
  readonly print: (line: string) => void;
}

export const DEFAULT_CHAOS: ChaosOptions = {
  records: 50_000,
  kills: 3,
  seed: 1,
  mode: 'batch',
  latency: 2,
  concurrency: 16,
  batchSize: 100,
  pageSize: 100,
  invalidEvery: 50,
  timeoutSeconds: 1200,
  keep: false,
  faults: {},
  print: (line) => void process.stdout.write(`${line}\n`),
};

export interface DaemonRun {
  readonly exit: number | null;
  readonly signal: string | null;
  readonly killed: boolean;
  readonly ms: number;
  /** Highest export page asked for when it ended. */
  readonly page: number;
  /** The run's summary line (absent when it was killed). */
  readonly summary?: string;
  /** The checkpoint on disk after it ended (`resume` token), what the next run starts from. */
  readonly checkpoint?: string;
}

export interface ChaosReport {
  readonly ok: boolean;
  readonly runs: readonly DaemonRun[];
  readonly elapsedMs: number;
  readonly valid: number;
  readonly invalid: number;
  /** Customers stored in Oro. */
  readonly stored: number;
  /** Valid records not in Oro. */
  readonly lost: number;
  /** Valid records stored more than once (and the extra copies). */
  readonly duplicated: number;
  readonly extraCopies: number;
  /** Stored customers that are not a valid source record (or whose name differs). */
  readonly unexpected: number;
  /** Distinct invalid ids in the dead letters; invalid ids missing; dead-letter lines; repeated lines. */
  readonly deadLetterIds: number;
  readonly invalidMissing: number;
  readonly deadLetterLines: number;
  readonly deadLetterRepeats: number;
  /** Valid records found in the dead letters (should be 0). */
  readonly validInDeadLetters: number;
  readonly tokenGrants: number;
  readonly apiRequests: number;
  readonly faultAnswers: Readonly<Record<string, number>>;
  readonly failures: readonly string[];
}

/** The newest modification time of any file under `dir`, ms. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Compiles `dist/` (`npm run build`) when forced, or when it is missing or older than a file under `src/`. */
export function ensureBuilt(force = false): void {
  if (!force && existsSync(CLI) && statSync(CLI).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0 && !existsSync(CLI)) throw new Error(`npm run build failed (exit ${result.status}) and ${CLI} does not exist`);
}

export async function runChaos(partial: Partial<ChaosOptions> = {}): Promise<ChaosReport> {
  const o: ChaosOptions = { ...DEFAULT_CHAOS, ...partial };
  const print = o.print;
  const started = performance.now();
  const rng = mulberry32(o.seed);
  const customers = generateCustomers(o.records, { invalidEvery: o.invalidEvery, seed: o.seed });
  const validById = new Map(customers.filter((c) => c.name !== '').map((c) => [c.id, c]));
  const invalidIds = new Set(customers.filter((c) => c.name === '').map((c) => c.id));
  const totalPages = Math.ceil(o.records / o.pageSize);
  const killPages = Array.from({ length: o.kills }, (_, i) => {
    const f = 0.1 + (0.8 * (i + 0.5)) / o.kills + (rng() - 0.5) * 0.08;
    return Math.max(1, Math.round(f * totalPages));
  });
  const killDelays = killPages.map(() => Math.floor(rng() * 300));

  const source = await serveRecords(customers, o.pageSize);
  const oro: FakeOro = await startFakeOro({ seed: o.seed, latency: o.latency, faults: { ...CHAOS_FAULTS, ...o.faults }, asyncStepMs: 20 });
  for (let g = 1; g <= 5; g++) oro.seed('customergroups', { name: `Group ${g}` });
  const dir = await mkdtemp(join(tmpdir(), 'oro-sync-chaos-'));
  const configPath = join(dir, 'chaos.json');
  const config = configJson({
    oro: { baseUrl: oro.baseUrl, tokenUrl: oro.tokenUrl, clientId: oro.clientId, clientSecret: oro.clientSecret },
    source: { kind: 'http', url: source.url, itemsPath: 'data', pagination: { kind: 'page', pageParam: 'page', sizeParam: 'per_page', size: o.pageSize, firstPage: 1 } },
    mode: o.mode,
    concurrency: o.concurrency,
    batchSize: o.batchSize,
    workDir: dir,
  });
  await writeFile(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
  print(
    `chaos: ${o.records} records (${invalidIds.size} invalid) from ${totalPages} pages into a faulty fake Oro (seed ${o.seed}, mode ${o.mode}, ` +
      `latency ${o.latency} ms); kills at pages ${killPages.join(', ')}; work dir ${dir}`,
  );

  const runs: DaemonRun[] = [];
  const failures: string[] = [];
  const log = createWriteStream(join(dir, 'daemon.log'));
  let current: ChildProcess | undefined;
  const deadline = started + o.timeoutSeconds * 1000;
  try {
    let kill = 0;
    for (let attempt = 0; ; attempt++) {
      if (performance.now() > deadline) {
        failures.push(`timed out after ${o.timeoutSeconds} s without a complete run`);
        break;
      }
      if (attempt > o.kills + 10) {
        failures.push(`${attempt} daemon runs without a complete one`);
        break;
      }
      const runStart = performance.now();
      const child = spawn(process.execPath, [CLI, '--log-level', 'warn', 'run', configPath, '--once'], {
        cwd: dir,
        env: { ...process.env, [SECRET_ENV]: oro.clientSecret },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      current = child;
      let out = '';
      child.stdout?.setEncoding('utf8').on('data', (s: string) => {
        out += s;
        log.write(s);
      });
      child.stderr?.pipe(log, { end: false });
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      let killed = false;
      const target = killPages[kill];
      let watcher: NodeJS.Timeout | undefined;
      if (target !== undefined) {
        watcher = setInterval(() => {
          if (source.highestPage < target || killed) return;
          killed = true;
          clearInterval(watcher);
          setTimeout(() => child.kill('SIGKILL'), killDelays[kill] ?? 0);
        }, 10);
      }
      const { code, signal } = await Promise.race([
        exited,
        new Promise<{ code: null; signal: 'timeout' }>((resolve) => setTimeout(() => resolve({ code: null, signal: 'timeout' }), Math.max(0, deadline - performance.now())).unref()),
      ]);
      if (watcher) clearInterval(watcher);
      if (signal === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
      const summary = out.split('\n').find((l) => l.startsWith('done:'));
      const checkpoint = await readCheckpoint(join(dir, 'state.db'));
      const run: DaemonRun = {
        exit: code,
        signal,
        killed: signal === 'SIGKILL',
        ms: performance.now() - runStart,
        page: source.highestPage,
        ...(summary ? { summary } : {}),
        ...(checkpoint ? { checkpoint } : {}),
      };
      runs.push(run);
      print(
        `  run ${runs.length}: ${run.killed ? `killed (SIGKILL) at page ${run.page}/${totalPages}` : `exit ${code}${signal ? ` (${signal})` : ''}`} after ${(run.ms / 1000).toFixed(1)} s` +
          `${summary ? `; ${summary}` : ''}${run.killed ? `; checkpoint on disk: ${checkpoint ?? 'none'}` : ''}`,
      );
      if (run.killed) {
        kill++;
        continue;
      }
      if (signal === 'timeout') break;
      if (code === 0 || code === 1) break; // a complete run (1: some records rejected, as 2 % are)
      failures.push(`daemon run ${runs.length} exited with ${code} (see ${join(dir, 'daemon.log')})`);
    }
  } finally {
    current?.kill('SIGKILL');
    await new Promise<void>((resolve) => log.end(() => resolve()));
  }

  // What Oro holds.
  const stored = oro.records('customers');
  const copies = new Map<string, number>();
  let unexpected = 0;
  for (const c of stored) {
    const id = String(c.attributes?.['externalId'] ?? '');
    copies.set(id, (copies.get(id) ?? 0) + 1);
    const source = validById.get(id);
    if (!source || c.attributes?.['name'] !== source.name) unexpected++;
  }
  let lost = 0;
  let duplicated = 0;
  let extraCopies = 0;
  for (const id of validById.keys()) {
    const n = copies.get(id) ?? 0;
    if (n === 0) lost++;
    if (n > 1) {
      duplicated++;
      extraCopies += n - 1;
    }
  }

  // What the dead letters hold.
  const letterPath = join(dir, 'dead-letters.ndjson');
  const lines = existsSync(letterPath) ? (await readFile(letterPath, 'utf8')).split('\n').filter((l) => l.trim() !== '') : [];
  const letterIds = new Map<string, number>();
  let validInDeadLetters = 0;
  for (const line of lines) {
    const letter = JSON.parse(line) as { record?: { id?: string } };
    const id = String(letter.record?.id ?? '');
    letterIds.set(id, (letterIds.get(id) ?? 0) + 1);
    if (!invalidIds.has(id)) validInDeadLetters++;
  }
  let invalidMissing = 0;
  for (const id of invalidIds) if (!letterIds.has(id)) invalidMissing++;
  const deadLetterIds = [...letterIds.keys()].filter((id) => invalidIds.has(id)).length;
  const deadLetterRepeats = lines.length - letterIds.size;

  const faultAnswers: Record<string, number> = {};
  let apiRequests = 0;
  for (const r of oro.requests) {
    if (r.path.endsWith('/oauth2-token')) continue;
    apiRequests++;
    if ([0, 401, 429, 500, 503].includes(r.status)) faultAnswers[r.status] = (faultAnswers[r.status] ?? 0) + 1;
  }
  const tokenGrants = oro.tokenGrants;
  await oro.close();
  await source.close();

  const last = runs.at(-1);
  if (!last || last.killed || (last.exit !== 0 && last.exit !== 1)) failures.push('no daemon run completed');
  if (runs.filter((r) => r.killed).length < o.kills) failures.push(`only ${runs.filter((r) => r.killed).length} of ${o.kills} kills happened (a run finished first)`);
  if (lost > 0) failures.push(`${lost} valid records are not in Oro`);
  if (duplicated > 0) failures.push(`${duplicated} valid records are in Oro more than once (${extraCopies} extra copies)`);
  if (unexpected > 0) failures.push(`${unexpected} records in Oro are not valid source records (or have the wrong name)`);
  if (invalidMissing > 0) failures.push(`${invalidMissing} invalid records are missing from the dead letters`);
  if (validInDeadLetters > 0) failures.push(`${validInDeadLetters} dead letters are valid records`);
  if (deadLetterRepeats > 0) failures.push(`${deadLetterRepeats} dead letters repeat a record already dead-lettered`);

  const report: ChaosReport = {
    ok: failures.length === 0,
    runs,
    elapsedMs: performance.now() - started,
    valid: validById.size,
    invalid: invalidIds.size,
    stored: stored.length,
    lost,
    duplicated,
    extraCopies,
    unexpected,
    deadLetterIds,
    invalidMissing,
    deadLetterLines: lines.length,
    deadLetterRepeats,
    validInDeadLetters,
    tokenGrants,
    apiRequests,
    faultAnswers,
    failures,
  };
  print(`chaos: ${runs.length} daemon runs (${runs.filter((r) => r.killed).length} killed) in ${(report.elapsedMs / 1000).toFixed(1)} s; ${apiRequests} API requests, faults ${JSON.stringify(faultAnswers)}, ${tokenGrants} token grants`);
  print(`  Oro: ${stored.length} customers stored for ${validById.size} valid records: lost ${lost}, duplicated ${duplicated}, unexpected ${unexpected}`);
  print(
    `  dead letters: ${lines.length} lines, ${deadLetterIds}/${invalidIds.size} invalid ids present (missing ${invalidMissing}), ` +
      `${deadLetterRepeats} repeated lines (replayed after a kill), valid ids in them ${validInDeadLetters}`,
  );
  print(report.ok ? 'chaos: PASS' : `chaos: FAIL\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  if (!o.keep && report.ok) await rm(dir, { recursive: true, force: true });
  return report;
}

/** The saved resume token of the chaos pipeline, read while no daemon runs. */
async function readCheckpoint(path: string): Promise<string | undefined> {
  if (!existsSync(path)) return undefined;
  const store = openStateStore(path);
  try {
    const saved = await store.getCheckpoint('chaos');
    return saved ? JSON.stringify(saved.resume) : undefined;
  } finally {
    await store.close();
  }
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string' },
      kills: { type: 'string' },
      seed: { type: 'string' },
      mode: { type: 'string' },
      latency: { type: 'string' },
      concurrency: { type: 'string' },
      'batch-size': { type: 'string' },
      'timeout-seconds': { type: 'string' },
      'revoke-every': { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const num = (v: string | undefined, name: string, fallback: number) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got "${v}"`);
    return n;
  };
  const mode = values.mode ?? DEFAULT_CHAOS.mode;
  if (mode !== 'single' && mode !== 'batch' && mode !== 'batch-sync') throw new Error(`--mode must be single, batch or batch-sync, got "${mode}"`);
  if (!values['no-build']) ensureBuilt(true);
  const report = await runChaos({
    records: num(values.records, 'records', DEFAULT_CHAOS.records),
    kills: num(values.kills, 'kills', DEFAULT_CHAOS.kills),
    seed: num(values.seed, 'seed', DEFAULT_CHAOS.seed),
    mode,
    latency: num(values.latency, 'latency', DEFAULT_CHAOS.latency),
    concurrency: num(values.concurrency, 'concurrency', DEFAULT_CHAOS.concurrency),
    batchSize: num(values['batch-size'], 'batch-size', DEFAULT_CHAOS.batchSize),
    timeoutSeconds: num(values['timeout-seconds'], 'timeout-seconds', DEFAULT_CHAOS.timeoutSeconds),
    keep: values.keep ?? false,
    faults: { revokeEvery: num(values['revoke-every'], 'revoke-every', CHAOS_FAULTS.revokeEvery) },
  });
  process.exitCode = report.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await cli();
