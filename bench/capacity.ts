/**
 * The capacity benchmark (`npm run bench -- --only capacity`, issue 23): oro-sync against a fake
 * Oro that serves W requests at once (20 ms + 2 ms per record of a batch; 30 ms a single request;
 * the rest wait first come, first served, and past 100 waiting get 503), with W = 2, 8, 32 and a
 * drop from 16 to 4 mid-run, in `batch-sync` and `single` mode, with a fixed concurrency of 8, a
 * fixed one tuned by hand to 1.25 x W, and `"auto"`. Measured at the fake: Oro busy (busy
 * workers / workers over the run), queue wait per service time, 503s, requests in Oro; at the
 * client: records/s. For the drop: how long until the requests in Oro stay within 1.5x the new
 * capacity. The fake runs in its own process; the client in this one, as `oro-sync run --once`
 * runs a config.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { concurrencyBound } from '../src/config/config-types.js';
import { loadConfig } from '../src/config/config.js';
import { createMetrics } from '../src/run/metrics.js';
import { runConfig } from '../src/run/run-config.js';
import { createRuntime } from '../src/run/runtime.js';
import { generateCustomers, type CapacityOptions, type CapacityStats } from '../src/testing/index.js';
import { startFakeOroProcess, type CapacityReport } from './fake-oro-process.js';
import { configJson, SECRET_ENV } from './scenarios/config.js';

type Mode = 'batch-sync' | 'single';
type Setting = number | 'auto';

/** Oro as the issue measured it: service time per request and per record, by mode. */
const SERVICE: Record<Mode, { readonly perRequestMs: number; readonly perRecordMs: number; readonly perRequest: number }> = {
  'batch-sync': { perRequestMs: 20, perRecordMs: 2, perRequest: 100 },
  single: { perRequestMs: 30, perRecordMs: 0, perRequest: 1 },
};
const QUEUE_LIMIT = 100;
/** Records in a batch-sync run at most: the client, not Oro, is the limit beyond (2 cores). */
const MAX_RECORDS: Record<Mode, number> = { 'batch-sync': 40_000, single: 12_000 };

/** One row's Oro: its workers, or a drop from one number to another after `atMs`. */
interface Shape {
  readonly label: string;
  readonly workers: number;
  readonly drop?: { readonly to: number; readonly atMs: number };
}

/** What one run measured. */
export interface CapacityRow {
  readonly mode: Mode;
  readonly shape: Shape;
  readonly setting: Setting;
  readonly records: number;
  readonly seconds: number;
  readonly busy: number;
  readonly waitPerService: number;
  readonly refused: number;
  readonly meanInOro: number;
  readonly maxInOro: number;
  /** The limit's log: where it settled, and where it ended ('auto' only). */
  readonly limits: readonly number[];
  readonly endLimit: number | undefined;
  /** For a drop: ms from the drop until the requests in Oro stay within 1.5x the new workers (`Infinity`: never). */
  readonly settleMs?: number;
  /** For a drop: busy and wait per service time after it. */
  readonly afterDrop?: { readonly busy: number; readonly waitPerService: number };
}

/** Counters between two snapshots. */
function delta(a: CapacityStats, b: CapacityStats): CapacityStats {
  const d = (k: keyof CapacityStats) => (b[k] as number) - (a[k] as number);
  return { ...b, served: d('served'), refused: d('refused'), busyMs: d('busyMs'), workerMs: d('workerMs'), queueWaitMs: d('queueWaitMs'), serviceMs: d('serviceMs'), inFlightMs: d('inFlightMs'), elapsedMs: d('elapsedMs') };
}

/** The last seconds of a run, when its last requests drain: not counted as following a drop. */
const DRAIN_MS = 2_000;

/**
 * After the drop: how long until the requests in Oro stayed within 1.5x the new workers (from
 * the 20 ms samples) while the run still had records to send; `Infinity` when that came only
 * with the run's end.
 */
function settleAfterDrop(report: CapacityReport, to: number, endAt: number): number {
  const droppedAt = report.changes[0]?.at;
  if (droppedAt === undefined) return Infinity;
  const after = report.samples.filter(([at]) => at >= droppedAt && at <= endAt - DRAIN_MS);
  let lastOver = -1;
  after.forEach(([, n], i) => {
    if (n > 1.5 * to) lastOver = i;
  });
  if (lastOver === after.length - 1) return Infinity;
  return lastOver < 0 ? 0 : after[lastOver + 1]![0] - droppedAt;
}

/** Records for a run of about `seconds` at the capacity (before and after a drop), within the client's reach. */
function recordsFor(mode: Mode, shape: Shape, seconds: number): number {
  const { perRequestMs, perRecordMs, perRequest } = SERVICE[mode];
  const perSecond = (workers: number) => (workers * perRequest * 1000) / (perRequestMs + perRecordMs * perRequest);
  const wanted = shape.drop
    ? perSecond(shape.workers) * (shape.drop.atMs / 1000) + perSecond(shape.drop.to) * Math.max(seconds, 15)
    : perSecond(shape.workers) * seconds;
  return Math.min(MAX_RECORDS[mode], Math.ceil(wanted / 100) * 100);
}

async function measure(mode: Mode, shape: Shape, setting: Setting, seconds: number, log: (line: string) => void): Promise<CapacityRow> {
  const { perRequestMs, perRecordMs, perRequest } = SERVICE[mode];
  const capacity: CapacityOptions = { workers: shape.workers, perRequestMs, perRecordMs, queueLimit: QUEUE_LIMIT };
  const records = recordsFor(mode, shape, seconds);
  const fake = await startFakeOroProcess({ seed: 1, capacity });
  const dir = await mkdtemp(join(tmpdir(), 'oro-sync-capacity-'));
  try {
    const file = join(dir, 'customers.ndjson');
    await writeFile(file, `${generateCustomers(records).map((c) => JSON.stringify(c)).join('\n')}\n`);
    const oro = { baseUrl: fake.baseUrl, tokenUrl: fake.tokenUrl, clientId: fake.clientId, clientSecret: fake.clientSecret };
    const json = configJson({ oro, source: { kind: 'ndjson', path: file }, mode, concurrency: setting, batchSize: perRequest === 1 ? 100 : perRequest, workDir: dir });
    await writeFile(join(dir, 'bench.json'), JSON.stringify(json), { mode: 0o600 });
    const { config } = await loadConfig(join(dir, 'bench.json'), { ...process.env, [SECRET_ENV]: fake.clientSecret });
    const lines: { msg: string; limit?: number }[] = [];
    const logger = pino({ level: 'info', base: null }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    const metrics = createMetrics();
    const runtime = createRuntime({ logger, metrics, concurrency: concurrencyBound(config.pipeline), timeoutMs: 30_000 });
    const before = (await fake.capacity()).stats;
    const t0 = performance.now();
    const drop = shape.drop ? setTimeout(() => fake.setCapacity({ workers: shape.drop!.to }), shape.drop.atMs) : undefined;
    const result = await runConfig(config, runtime, {}).finally(() => runtime.close());
    clearTimeout(drop);
    const elapsed = (performance.now() - t0) / 1000;
    const report = await fake.capacity();
    const run = delta(before, report.stats);
    const endAt = Date.now();
    const limits = lines.filter((l) => l.msg.startsWith('concurrency limit')).map((l) => l.limit ?? NaN);
    const endLimit = (await metrics.concurrencyLimit.get()).values[0]?.value;
    let afterDrop: CapacityRow['afterDrop'];
    let settleMs: number | undefined;
    if (shape.drop) {
      settleMs = settleAfterDrop(report, shape.drop.to, endAt);
      // The busy and waiting time after the drop, from the samples: Oro serves min(in Oro, 4).
      const droppedAt = report.changes[0]?.at ?? endAt;
      const after = report.samples.filter(([at]) => at >= droppedAt && at <= endAt - DRAIN_MS);
      const busy = after.reduce((sum, [, n]) => sum + Math.min(n, shape.drop!.to), 0) / (after.length * shape.drop.to);
      const waiting = after.reduce((sum, [, n]) => sum + Math.max(0, n - shape.drop!.to), 0);
      const serving = after.reduce((sum, [, n]) => sum + Math.min(n, shape.drop!.to), 0);
      afterDrop = { busy, waitPerService: serving === 0 ? 0 : waiting / serving };
    }
    const row: CapacityRow = {
      mode, shape, setting, records: result.counts.created + result.counts.updated, seconds: elapsed,
      busy: run.workerMs > 0 ? run.busyMs / run.workerMs : 0,
      waitPerService: run.serviceMs > 0 ? run.queueWaitMs / run.serviceMs : 0,
      refused: run.refused,
      meanInOro: run.elapsedMs > 0 ? run.inFlightMs / run.elapsedMs : 0,
      maxInOro: report.stats.maxInFlight,
      limits, endLimit,
      ...(settleMs !== undefined ? { settleMs } : {}),
      ...(afterDrop ? { afterDrop } : {}),
    };
    log(`bench capacity: ${mode} ${shape.label} ${String(setting)}: ${row.records} records in ${elapsed.toFixed(1)} s, busy ${(row.busy * 100).toFixed(0)} %, wait/service ${row.waitPerService.toFixed(2)}, 503s ${row.refused}, limits ${limits.join(' ')} end ${endLimit ?? '-'}${settleMs !== undefined ? `, in Oro within 1.5x after ${(settleMs / 1000).toFixed(1)} s` : ''}`);
    return row;
  } finally {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export const SHAPES: readonly Shape[] = [
  { label: '2 workers', workers: 2 },
  { label: '8 workers', workers: 8 },
  { label: '32 workers', workers: 32 },
  { label: '16 -> 4 workers', workers: 16, drop: { to: 4, atMs: 5_000 } },
];

/** The fixed setting tuned by hand to an Oro: 1.25x its workers (before a drop). */
const tuned = (shape: Shape) => Math.ceil(1.25 * shape.workers);

/** Runs every row: each mode and Oro with fixed 8, fixed 1.25 x W and "auto". */
export async function measureCapacity(options: {
  readonly seconds: number;
  readonly modes: readonly Mode[];
  readonly shapes?: readonly Shape[];
  /** Which settings to run (default all three): `fixed` (8), `tuned` (1.25 x W), `auto`. */
  readonly settings?: readonly ('fixed' | 'tuned' | 'auto')[];
  readonly log: (line: string) => void;
}): Promise<CapacityRow[]> {
  const rows: CapacityRow[] = [];
  const wanted = new Set(options.settings ?? ['fixed', 'tuned', 'auto']);
  for (const mode of options.modes) {
    for (const shape of options.shapes ?? SHAPES) {
      const settings: Setting[] = [...(wanted.has('fixed') ? [8] : []), ...(wanted.has('tuned') && tuned(shape) !== 8 ? [tuned(shape)] : []), ...(wanted.has('auto') ? ['auto' as const] : [])];
      for (const setting of settings) {
        rows.push(await measure(mode, shape, setting, options.seconds, options.log));
      }
    }
  }
  return rows;
}

const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
/** The limits an "auto" run logged: the first six, and how many in all when there were more. */
const logged = (limits: readonly number[]) => (limits.length === 0 ? '-' : limits.length <= 6 ? limits.join(', ') : `${limits.slice(0, 6).join(', ')}, ... (${limits.length} lines)`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The table, with the targets of "auto" checked row by row. */
export function capacityTable(rows: readonly CapacityRow[]): string {
  const header = ['mode', 'Oro', 'concurrency', 'records', 'records/s', 'Oro busy', 'queue wait / service', '503s', 'in Oro: mean (max)', 'auto: limit logged (at end)', 'drop: in Oro <= 1.5x new capacity after', 'after the drop: busy, wait / service'];
  const lines = rows.map((r) => [
    `\`${r.mode}\``, r.shape.label, r.setting === 'auto' ? '**"auto"**' : r.setting === tuned(r.shape) ? `${r.setting} (1.25 x W)` : String(r.setting),
    fmt(r.records), fmt(r.records / r.seconds), pct(r.busy), r.waitPerService.toFixed(2), String(r.refused),
    `${r.meanInOro.toFixed(1)} (${r.maxInOro})`,
    r.setting === 'auto' ? `${logged(r.limits)} (${r.endLimit ?? '-'})` : '',
    r.settleMs === undefined ? '' : r.settleMs === Infinity ? 'never' : `${(r.settleMs / 1000).toFixed(1)} s`,
    r.afterDrop ? `${pct(r.afterDrop.busy)}, ${r.afterDrop.waitPerService.toFixed(2)}` : '',
  ]);
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...lines.map((l) => `| ${l.join(' | ')} |`)].join('\n');
}

/** Each target of "auto", per mode and Oro: met or not, and against what. */
export function capacityTargets(rows: readonly CapacityRow[]): string[] {
  const out: string[] = [];
  for (const auto of rows.filter((r) => r.setting === 'auto')) {
    const same = rows.filter((r) => r.mode === auto.mode && r.shape === auto.shape && r.setting !== 'auto');
    const bestFixed = Math.max(...same.map((r) => r.busy));
    const fixed8 = same.find((r) => r.setting === 8) ?? same[0];
    const busyOk = auto.busy >= 0.9 || auto.busy >= 0.9 * bestFixed;
    const waitOk = auto.waitPerService <= 0.5;
    const refusedOk = auto.refused === 0;
    const dropOk = auto.settleMs === undefined || auto.settleMs <= 10_000;
    const asGood = fixed8 === undefined || (auto.records / auto.seconds >= 0.95 * (fixed8.records / fixed8.seconds) && auto.waitPerService <= fixed8.waitPerService + 0.05);
    out.push(
      `- \`${auto.mode}\`, ${auto.shape.label}: busy ${pct(auto.busy)} (best fixed ${pct(bestFixed)}) ${busyOk ? 'met' : 'NOT met'}; ` +
        `wait/service ${auto.waitPerService.toFixed(2)} ${waitOk ? 'met' : 'NOT met'}; 503s ${auto.refused} ${refusedOk ? 'met' : 'NOT met'}` +
        (auto.settleMs === undefined ? '' : `; within 1.5x after ${auto.settleMs === Infinity ? 'never' : `${(auto.settleMs / 1000).toFixed(1)} s`} ${dropOk ? 'met' : 'NOT met'}`) +
        `; at least as good as fixed 8 (records/s within 5 %, wait no worse): ${asGood ? 'yes' : 'no'}`,
    );
  }
  return out;
}
