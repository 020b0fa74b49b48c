import type { SchedulerLike } from 'rxjs';
import type { AnyConfig } from '../config/config-types.js';
import { isAbort, sleep } from '../util/sleep.js';
import type { Progress } from './progress.js';
import { runQueueWorker } from './queue-worker.js';
import { runConfig, type RunResult } from './run-config.js';
import type { Runtime } from './runtime.js';

export interface DaemonOptions {
  /** Run each config once, then return (see {@link runsOnce}). */
  readonly once: boolean;
  readonly dryRun: boolean;
  /** Ignore the checkpoints and read each source from its beginning. */
  readonly fromStart: boolean;
  /** `--full` for the first round only: the later rounds detect changes again. */
  readonly full: boolean;
  /** `--forget-state` for the first round only: the later rounds go on from what it stored. */
  readonly forgetState?: boolean;
  /** Aborting ends it: the run under way drains, and the wait before the next round ends at once. */
  readonly signal: AbortSignal;
  /** Where dry-run documents are printed. */
  readonly print?: (line: string) => void;
  /** A fresh progress reporter for each run (the CLI's bar). */
  readonly progress?: () => Progress;
  /** A config's run is about to start. */
  readonly onStart?: (config: AnyConfig) => void;
  /** A config's run ended (in the order given). */
  readonly onResult: (config: AnyConfig, result: RunResult) => void;
  /** The clock of the wait between rounds (default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
}

/**
 * Whether the configs are run once, not as a daemon: `--once`, a dry run, or a config reading
 * standard input, which can be read once only (a daemon would find it empty every next time).
 */
export function runsOnce(configs: readonly AnyConfig[], options: { readonly once?: boolean; readonly dryRun?: boolean }): boolean {
  return options.once === true || options.dryRun === true || configs.some((c) => c.source.kind === 'stdin');
}

/**
 * `oro-sync run a.json b.json`: each config in turn (a queue worker for an `amqp` source, else
 * `runConfig`, into Oro or out of it), sharing the runtime; unless `once`, again every
 * `schedule.intervalSeconds` of the first config until `signal` aborts, which stops pulling and
 * lets in-flight work finish.
 *
 * @example
 * ```ts
 * const stop = new AbortController();
 * process.once('SIGTERM', () => stop.abort());
 * await runDaemon(configs, runtime, {
 *   once: false, dryRun: false, fromStart: false, full: false, signal: stop.signal,
 *   onResult: (config, result) => console.log(config.name, result.counts),
 * });
 * ```
 */
export async function runDaemon(configs: readonly AnyConfig[], runtime: Runtime, options: DaemonOptions): Promise<void> {
  const { once, signal } = options;
  const first = configs[0];
  if (!first) return;
  const common = { dryRun: options.dryRun, fromStart: options.fromStart, signal, ...(options.print ? { print: options.print } : {}) };
  let full = options.full;
  let forgetState = options.forgetState ?? false;
  for (;;) {
    for (const config of configs) {
      if (signal.aborted) break;
      options.onStart?.(config);
      const each = {
        ...common,
        ...(full ? { full, fromStart: true } : {}),
        ...(forgetState ? { forgetState } : {}),
        ...(options.progress ? { progress: options.progress() } : {}),
      };
      const result = 'target' in config && config.source.kind === 'amqp' ? await runQueueWorker(config, runtime, { ...each, once }) : await runConfig(config, runtime, each);
      options.onResult(config, result);
    }
    full = false;
    forgetState = false;
    if (once || signal.aborted) break;
    const seconds = first.schedule.intervalSeconds;
    runtime.logger.info({ seconds }, 'waiting for the next run');
    // A stop signal ends the wait (sleep rejects with its reason): that is the normal way out.
    await sleep(seconds * 1000, { signal, ...(options.scheduler ? { scheduler: options.scheduler } : {}) }).catch((error: unknown) => {
      if (!isAbort(error, signal)) throw error;
    });
    if (signal.aborted) break;
  }
}
