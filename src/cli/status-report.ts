/**
 * What `oro-sync status` reports: what the state store knows of one pipeline (its last runs, its
 * checkpoint, its keys and the ones waiting as rejected or failed), gathered as data and then
 * printed as aligned text or as one JSON document.
 */
import type { AnyConfig } from '../config/config-types.js';
import { describeSink } from '../run/run-label.js';
import type { KeyState, RunRecord, StateStore, StoredCheckpoint, WaitingKey } from '../state/state-store.js';
import type { ErrorDetail, Json, OutcomeStatus } from '../types/index.js';
import { describeFileMark } from '../run/start-position.js';
import { OUTCOME_STATUSES } from '../run/summary.js';
import { redactSecrets, redactUrl } from '../util/redact.js';
import { EXIT_OK, EXIT_RECORDS, EXIT_SYSTEMIC } from './exit.js';

/** How many runs and waiting keys a report lists by default. */
export const STATUS_RUNS = 5;
export const STATUS_WAITING = 20;

/** A run as reported: the store's record and the exit code `oro-sync run --once` had for it. */
export type ReportedRun = RunRecord & {
  /** `null` while the run is going on (or when its process died before it could finish it). */
  readonly exitCode: number | null;
};

export interface StatusReport {
  readonly pipeline: string;
  /** The Oro type a config writes (`target`); absent for a run out of Oro. */
  readonly target?: string;
  /** Where a run out of Oro delivers (`sink`), in words without secrets. */
  readonly sink?: string;
  readonly statePath: string;
  /** Newest first. */
  readonly runs: readonly ReportedRun[];
  readonly checkpoint: StoredCheckpoint | null;
  readonly keys: { readonly known: number; readonly confirmed: number; readonly rejected: number; readonly failed: number };
  /** The first `limit` waiting keys (key order); `keys.rejected + keys.failed` is how many wait. */
  readonly waiting: { readonly limit: number; readonly shown: readonly WaitingKey[] };
}

/** One key, for `oro-sync status --key K`. */
export interface KeyReport {
  readonly pipeline: string;
  readonly key: string;
  /** Absent: the store knows nothing of that key (never sent by this pipeline, or forgotten). */
  readonly state?: KeyState;
}

/**
 * The exit code a run ended with: `ok` 0, `partial` 1 (records rejected or failed), `failed` 2
 * (it could not proceed); a `stopped` run (SIGINT/SIGTERM) by its counts, as the daemon has it.
 */
export function exitCodeOfRun(run: RunRecord): number | null {
  switch (run.status) {
    case 'running':
      return null;
    case 'ok':
      return EXIT_OK;
    case 'partial':
      return EXIT_RECORDS;
    case 'failed':
      return EXIT_SYSTEMIC;
    case 'stopped':
      return run.counts.rejected + run.counts.failed > 0 ? EXIT_RECORDS : EXIT_OK;
  }
}

/** Gathers the pipeline's report from the store (reads only). */
export async function statusReport(store: StateStore, config: AnyConfig, limits: { runs?: number; waiting?: number } = {}): Promise<StatusReport> {
  const limit = limits.waiting ?? STATUS_WAITING;
  const [counts, runs, checkpoint, waiting] = await Promise.all([
    store.keyStateCounts(config.name),
    store.lastRuns(config.name, limits.runs ?? STATUS_RUNS),
    store.getCheckpoint(config.name),
    store.waitingKeys(config.name, limit),
  ]);
  return {
    pipeline: config.name,
    ...('sink' in config ? { sink: describeSink(config.sink) } : { target: config.target.type }),
    statePath: config.state.url !== undefined ? redactUrl(config.state.url) : config.state.path,
    runs: runs.map((run) => ({ ...run, exitCode: exitCodeOfRun(run) })),
    checkpoint: checkpoint ?? null,
    keys: { known: counts.confirmed + counts.rejected + counts.failed, ...counts },
    waiting: { limit, shown: waiting },
  };
}

/** One key's report. */
export async function keyReport(store: StateStore, config: AnyConfig, key: string): Promise<KeyReport> {
  const state = await store.keyState(config.name, key);
  return { pipeline: config.name, key, ...(state ? { state } : {}) };
}

/**
 * The report as one JSON document (`--json`). Secrets are scrubbed on the way out too: resume
 * tokens and errors come from sources and Oro, and a next-link may carry an API key.
 */
export function statusJson(report: StatusReport | KeyReport): string {
  if ('key' in report) {
    const { pipeline, key, state } = report;
    return JSON.stringify(redactSecrets({ pipeline, key, known: state !== undefined, ...(state ?? {}) }));
  }
  return JSON.stringify(redactSecrets(report));
}

/**
 * Whether a run's count of `status` is shown: a run out of Oro counts what it sent, never created
 * or updated; one into Oro sends nothing, and deletes only with `target.onMissing`.
 */
function countShown(report: StatusReport, status: OutcomeStatus, count: number): boolean {
  if (report.sink !== undefined) return status !== 'created' && status !== 'updated' && (status !== 'deleted' || count > 0);
  return (status !== 'deleted' && status !== 'sent') || count > 0;
}

/** The report as aligned lines for a person. */
export function formatStatus(report: StatusReport): string[] {
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`${label.padEnd(11)}${value}`);
  row('pipeline', `${report.pipeline} (${report.sink !== undefined ? `sink ${report.sink}` : `target ${report.target}`}, state ${report.statePath})`);

  const cp = report.checkpoint;
  if (cp === null) row('checkpoint', 'none (the next run reads the source from its start)');
  else {
    const state = cp.complete === null ? 'saved by an older oro-sync' : cp.complete ? 'last run complete' : 'last run interrupted (the next run resumes here)';
    const resume = cp.resume === null ? 'no resume position' : `resume ${json(cp.resume)}`;
    row('checkpoint', `seq ${cp.seq}, ${state}, ${resume}, saved ${cp.updatedAt}`);
    if (cp.watermark !== null) row('', `watermark ${cp.watermark}`);
    if (cp.sourceMark !== null) row('', `source mark ${sourceMark(cp.sourceMark)}`);
  }

  const { keys } = report;
  row('keys', `${keys.known} known: ${keys.confirmed} confirmed, ${keys.rejected} rejected, ${keys.failed} failed`);

  if (report.runs.length === 0) row('runs', 'none recorded');
  else {
    row('runs', `last ${report.runs.length}, newest first`);
    lines.push(...table(report.runs.map((run) => [
      `#${run.id}`,
      run.startedAt,
      run.finishedAt === null ? '-' : `${seconds(run.startedAt, run.finishedAt)} s`,
      run.status,
      run.exitCode === null ? '' : `exit ${run.exitCode}`,
      run.counts === null ? '' : OUTCOME_STATUSES.filter((s) => countShown(report, s, run.counts[s] ?? 0)).map((s) => `${s} ${run.counts[s] ?? 0}`).join(', '),
    ])).map((line) => `  ${line}`));
    for (const run of report.runs) if (run.error !== null) lines.push(`  #${run.id} error: ${run.error}`);
  }

  const waiting = keys.rejected + keys.failed;
  if (waiting === 0) row('waiting', 'none');
  else {
    const shown = report.waiting.shown;
    row('waiting', `${keys.rejected} rejected (sent again when their content changes), ${keys.failed} failed (sent again next run)` +
      (shown.length < waiting ? `; the first ${shown.length}:` : ':'));
    lines.push(...table(shown.map((k) => [k.key, k.lastOutcome, k.at, errorsText(k.errors)])).map((line) => `  ${line}`));
  }
  return lines.map((line) => scrubLine(line.trimEnd()));
}

/** One key, for a person. */
export function formatKey(report: KeyReport): string[] {
  const { state } = report;
  if (state === undefined) return [`key ${report.key}: not known to the state store for pipeline ${report.pipeline} (never sent, or forgotten)`];
  const lines = [
    `key        ${report.key} (pipeline ${report.pipeline})`,
    `oro id     ${state.oroId ?? 'unknown'}`,
    `outcome    ${state.lastOutcome} at ${state.at}`,
    `digest     ${state.digest ?? 'none (the next record with this key is sent)'}`,
  ];
  for (const [i, error] of (state.errors ?? []).entries()) lines.push(`${i === 0 ? 'errors' : ''}`.padEnd(11) + errorText(error));
  return lines.map(scrubLine);
}

function scrubLine(line: string): string {
  return redactSecrets(line);
}

function json(value: Json): string {
  return JSON.stringify(value);
}

function sourceMark(mark: Json): string {
  return describeFileMark(mark) ?? json(mark);
}

function seconds(from: string, to: string): string {
  return ((Date.parse(to) - Date.parse(from)) / 1000).toFixed(1);
}

function errorText(error: ErrorDetail): string {
  const head = [error.status, error.title].filter((part) => part !== undefined && part !== '').join(' ');
  const text = error.detail ? (head === '' ? error.detail : `${head}: ${error.detail}`) : head;
  return error.pointer ? `${text} (${error.pointer})` : text;
}

function errorsText(errors: readonly ErrorDetail[] | undefined): string {
  if (!errors?.length) return '';
  const [first] = errors;
  return errors.length === 1 ? errorText(first as ErrorDetail) : `${errorText(first as ErrorDetail)} (+${errors.length - 1} more)`;
}

/** Rows with their columns padded to the widest cell. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}
