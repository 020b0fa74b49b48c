/**
 * The progress bar of `run --progress` and `demo`, on standard error: records done (of the total
 * when known), rate, ETA when the total is known, and counts by outcome. A no-op when disabled,
 * which is the default when standard error is not a terminal.
 */
import cliProgress from 'cli-progress';
import type { OutcomeStatus } from '../types/outcome.js';
import type { Progress } from '../run/progress.js';
import { emptyCounts, formatRate, OUTCOME_STATUSES } from '../run/summary.js';


export interface ProgressOptions {
  /** Default: whether `stream` (standard error) is a terminal. */
  readonly enabled?: boolean;
  readonly total?: number;
  /** Default standard error. */
  readonly stream?: NodeJS.WritableStream;
  /** Clock in ms, for the rate and ETA (tests). Default `Date.now`. */
  readonly now?: () => number;
}

const BAR_WIDTH = 24;

/** `75` -> `1:15`, `3725` -> `1:02:05`. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** The text of the bar for a state; separate from drawing so it can be checked on its own. */
export function progressLine(state: {
  readonly done: number;
  readonly total?: number;
  readonly elapsedMs: number;
  readonly counts: Readonly<Record<OutcomeStatus, number>>;
}): string {
  const { done, total, elapsedMs, counts } = state;
  const parts: string[] = [];
  if (total !== undefined && total > 0) {
    const ratio = Math.min(1, done / total);
    const filled = Math.round(ratio * BAR_WIDTH);
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.floor(ratio * 100)}%`, `${done}/${total}`);
  } else {
    parts.push(`${done} records`);
  }
  parts.push(`${formatRate(done, elapsedMs)} records/s`);
  if (total !== undefined && total > 0) {
    const perMs = elapsedMs > 0 ? done / elapsedMs : 0;
    parts.push(`ETA ${perMs > 0 ? formatDuration((total - done) / perMs / 1000) : '?'}`);
  }
  const byOutcome = OUTCOME_STATUSES.filter((s) => counts[s] > 0).map((s) => `${s} ${counts[s]}`);
  if (byOutcome.length > 0) parts.push(byOutcome.join(', '));
  return parts.join(' | ');
}

const DISABLED: Progress = { setTotal: () => undefined, increment: () => undefined, stop: () => undefined };

/**
 * Create a progress bar (or a no-op one when disabled).
 *
 * @example
 * const progress = createProgress({ enabled: options.progress });
 * outcomes$.subscribe({ next: (o) => progress.increment(o.status), complete: () => progress.stop() });
 */
export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const enabled = options.enabled ?? (stream as { isTTY?: boolean }).isTTY === true;
  if (!enabled) return DISABLED;
  const now = options.now ?? Date.now;
  const started = now();
  const counts = emptyCounts();
  let total = options.total;
  let done = 0;
  let stopped = false;
  const bar = new cliProgress.SingleBar({
    stream,
    format: () => progressLine({ done, total, elapsedMs: now() - started, counts }),
    // Asked for explicitly on a non-terminal (`--progress` in CI): print a line now and then.
    noTTYOutput: true,
    hideCursor: false,
    clearOnComplete: false,
  });
  // Started at the first outcome: started at once, it drew `0 records | 0.0 records/s` before the
  // run had read anything (while it got a token, or waited for the daemon's next interval).
  let barStarted = false;
  const start = () => {
    if (barStarted) return;
    barStarted = true;
    bar.start(total ?? 0, done);
  };
  return {
    setTotal(n) {
      // A total counted alongside the run may arrive after it ended.
      if (stopped) return;
      total = n;
      if (barStarted) bar.setTotal(n);
    },
    increment(outcome) {
      counts[outcome] += 1;
      done += 1;
      start();
      bar.update(done);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (barStarted) bar.stop();
    },
  };
}
