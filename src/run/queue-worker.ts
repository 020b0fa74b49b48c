import { amqpSource, type AmqpSourceEvent } from '../sources/amqp.js';
import { createDeadLetterWriter } from '../state/dead-letters.js';
import type { Outcome } from '../types/outcome.js';
import type { Config } from '../config/config-types.js';
import { runConfig, type RunOptions, type RunResult } from './run-config.js';
import type { Runtime } from './runtime.js';

/** How {@link runQueueWorker} runs: `runConfig`'s options (but `source`), and when it ends. */
export interface QueueWorkerOptions extends RunOptions {
  /** `--once`: end when the queue has been empty for `source.idleExitSeconds`. */
  readonly once: boolean;
  /** Builds the queue source (default `amqpSource`; a seam for tests). */
  readonly queueSource?: typeof amqpSource;
}

/**
 * A queue worker: `oro-sync run` with an `amqp` source. It is `runConfig` with the queue as its
 * source (the queue is the checkpoint, so none is saved) and every outcome settling its message:
 *
 * - `created` / `updated` / `skipped`: acked;
 * - `rejected`: written to the dead-letter file (flushed), copied to `Q.dead` with the reasons in
 *   `x-oro-sync-errors` (publisher confirm), then acked;
 * - `failed` (transient errors outlasted the retry budget): nacked with requeue, for this or
 *   another worker to try again; not written to the dead-letter file, since it is not lost.
 *
 * With `once`, it ends when the queue has been quiet for `idleExitSeconds`; otherwise it runs until
 * `options.signal` aborts (SIGINT/SIGTERM): it stops consuming, finishes and settles what is in
 * flight, then closes. A dry run settles nothing (messages go back to the queue on close).
 * A lost broker is reconnected with backoff; after about 30 s it rejects (the CLI exits 2),
 * naming the broker without its password.
 *
 * @example
 * ```ts
 * const runtime = createRuntime({ logger: pino(), concurrency: 8, timeoutMs: 30_000 });
 * const stop = new AbortController();
 * process.once('SIGTERM', () => stop.abort());
 * try {
 *   const { config } = await loadConfig('orders-worker.json'); // source.kind "amqp"
 *   const result = await runQueueWorker(config, runtime, { once: false, signal: stop.signal });
 *   console.log(`created ${result.counts.created}, rejected ${result.counts.rejected}, stopped ${result.stopped}`);
 * } finally {
 *   await runtime.close();
 * }
 * ```
 */
export async function runQueueWorker(config: Config, runtime: Runtime, options: QueueWorkerOptions): Promise<RunResult> {
  const { logger } = runtime;
  const source = config.source;
  if (source.kind !== 'amqp') throw new Error(`${config.name}: runQueueWorker needs source.kind "amqp", got "${source.kind}"`);
  if (source.prefetch < config.pipeline.batchSize) {
    logger.warn(
      { prefetch: source.prefetch, batchSize: config.pipeline.batchSize },
      'source.prefetch is below pipeline.batchSize: batches only fill up to prefetch and wait pipeline.batchMs; raise prefetch for throughput',
    );
  }
  const dryRun = options.dryRun ?? false;
  // A settling error (dead-letter file unwritable) stops the run; the outer signal stops it too.
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) stop.abort();

  const queue = (options.queueSource ?? amqpSource)({
    url: source.url,
    queue: source.queue,
    prefetch: source.prefetch,
    ...(options.once ? { idleExitMs: source.idleExitSeconds * 1000 } : {}),
    signal: stop.signal,
    onEvent: (event) => logEvent(runtime, event),
  });
  const deadLetters = dryRun ? undefined : createDeadLetterWriter(config.deadLetter.path);
  const settling = new Set<Promise<unknown>>();
  let settleError: unknown;

  const settle = async (outcome: Outcome): Promise<void> => {
    if (dryRun) {
      queue.release(outcome.record);
      return;
    }
    if (outcome.status === 'rejected') {
      // The file line is on disk before the message leaves the queue: both copies outlive the ack.
      deadLetters?.write(outcome);
      await deadLetters?.flush();
    }
    const result = await queue.settle(outcome);
    if (result === 'stale') logger.debug({ where: outcome.record.position.where }, 'channel gone: the broker redelivers this message');
  };

  try {
    await queue.open();
    const result = await runConfig(config, runtime, {
      ...options,
      source: queue,
      signal: stop.signal,
      // Rejected records go to the file here (before the ack); failed ones go back to the queue.
      deadLetters: false,
      onOutcome: (outcome) => {
        options.onOutcome?.(outcome);
        const work = settle(outcome).catch((error: unknown) => {
          settleError ??= error;
          stop.abort();
        });
        settling.add(work);
        void work.finally(() => settling.delete(work));
      },
    });
    await Promise.all([...settling]);
    if (settleError !== undefined) throw settleError;
    return {
      ...result,
      // Stopped by a signal, not by a settling error (that one was thrown above).
      stopped: options.signal?.aborted ?? false,
      ...(deadLetters && deadLetters.count > 0 ? { deadLetterPath: config.deadLetter.path } : {}),
    };
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    await Promise.allSettled([...settling]);
    await queue.close();
    await deadLetters?.close();
  }
}

function logEvent(runtime: Runtime, event: AmqpSourceEvent): void {
  const { logger } = runtime;
  switch (event.type) {
    case 'connected':
      logger.info({ url: event.url, queue: event.queue, connection: event.connection }, 'consuming from RabbitMQ');
      break;
    case 'lost':
      logger.warn({ connection: event.connection, reason: event.reason, inFlight: event.inFlight }, 'RabbitMQ connection lost: finishing in-flight records, then reconnecting (the broker redelivers unacked messages)');
      break;
    case 'retry':
      logger.warn({ attempt: event.attempt, delayMs: event.delayMs, reason: event.reason }, 'RabbitMQ unreachable, retrying');
      break;
    case 'stopped':
      logger.info({ reason: event.reason }, event.reason === 'idle' ? 'queue idle: stopping' : 'stopped consuming');
      break;
  }
}
