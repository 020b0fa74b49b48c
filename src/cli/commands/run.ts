import type { Logger } from 'pino';
import { runDaemon, runsOnce } from '../../run/daemon.js';
import { createMetrics, startMetricsServer, type MetricsServer } from '../../run/metrics.js';
import { createProgress } from '../progress.js';
import { createRuntime } from '../../run/runtime.js';
import { formatSinkSummary } from '../../run/sink-summary.js';
import { exitCodeFor, formatSummary } from '../../run/summary.js';
import { EXIT_OK, EXIT_RECORDS } from '../exit.js';
import { concurrencyBound } from '../../config/config-types.js';
import { loadConfigs } from './load-configs.js';
import { onStopSignals } from './signals.js';

export interface RunCommandOptions {
  readonly once?: boolean;
  readonly dryRun?: boolean;
  readonly progress?: boolean;
  readonly fromStart?: boolean;
  /** Ignore digests and checkpoints for this run (implies `fromStart`). */
  readonly full?: boolean;
  /** Drop each pipeline's ids, digests and checkpoint first (a state from another Oro). */
  readonly forgetState?: boolean;
  /** How long a stop waits for in-flight work before giving up (default 30 s). */
  readonly drainSeconds?: number;
  /** Aborted when the run should stop as on SIGTERM for another reason (standard output closed). */
  readonly stop?: AbortSignal;
}

/**
 * `oro-sync run <config.json...>`: each config in turn, sharing one token per credential and one
 * state store; without `--once`, again every `schedule.intervalSeconds` until SIGINT/SIGTERM,
 * which stop pulling, let in-flight work finish and save the checkpoint (see `runDaemon`). Prints
 * each run's summary; serves metrics when a config asks for them.
 */
export async function runCommand(files: readonly string[], options: RunCommandOptions, logger: Logger, print: (line: string) => void): Promise<number> {
  const configs = await loadConfigs(files, logger);
  if (configs.length === 0) return EXIT_OK;
  const once = runsOnce(configs, options);
  const metricsConfig = configs.find((c) => c.metrics)?.metrics;
  const metrics = metricsConfig ? createMetrics() : undefined;
  const runtime = createRuntime({
    logger,
    ...(metrics ? { metrics } : {}),
    concurrency: Math.max(...configs.map((c) => concurrencyBound(c.pipeline))),
    timeoutMs: Math.max(...configs.map((c) => c.pipeline.requestTimeoutMs)),
  });
  const controller = new AbortController();
  const dryRun = options.dryRun ?? false;
  let ready = false;
  let server: MetricsServer | undefined;
  const stopSignals = onStopSignals(controller, logger, options.drainSeconds ?? 30);
  const stop = () => controller.abort();
  if (options.stop?.aborted) stop();
  options.stop?.addEventListener('abort', stop, { once: true });
  try {
    if (metrics && metricsConfig) {
      server = await startMetricsServer({ port: metricsConfig.port, host: metricsConfig.host, metrics, ready: () => ready });
      logger.info({ port: server.port }, 'metrics on /metrics, /healthz, /readyz');
    }
    let exit = EXIT_OK;
    await runDaemon(configs, runtime, {
      once,
      dryRun,
      fromStart: options.fromStart ?? false,
      // `--full` is for one run: the daemon's later runs detect changes again.
      full: options.full === true,
      forgetState: options.forgetState === true,
      signal: controller.signal,
      print,
      ...(options.progress ? { progress: () => createProgress({ enabled: true }) } : {}),
      onStart: () => void (ready = true),
      onResult: (config, result) => {
        // A run out of Oro counts what it sent; one into Oro what it created and updated.
        const summary = ('sink' in config ? formatSinkSummary : formatSummary)(result.counts, {
          dryRun,
          elapsedMs: result.elapsedMs,
          ...(result.deadLetterPath ? { deadLetterPath: result.deadLetterPath } : {}),
        });
        // The summary line keeps its fixed form (`done: ...`, `dry-run: ...`); with several configs
        // a line before it says which config it is for.
        if (configs.length > 1) print(`[${config.name}]`);
        print(summary);
        // target.onMissing refused to delete (too many keys missing): one line, and exit 1.
        if (result.onMissingRefused !== undefined) {
          print(result.onMissingRefused);
          if (once) exit = EXIT_RECORDS;
        }
        if (once && exitCodeFor(result.counts) === EXIT_RECORDS) exit = EXIT_RECORDS;
      },
    });
    return exit;
  } finally {
    ready = false;
    stopSignals();
    options.stop?.removeEventListener('abort', stop);
    await server?.close();
    await runtime.close();
  }
}
