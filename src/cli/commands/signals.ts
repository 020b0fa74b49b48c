import type { Logger } from 'pino';

/**
 * First SIGINT/SIGTERM: abort (stop pulling; in-flight work drains; the checkpoint is saved).
 * If the drain takes longer than `drainSeconds`, or a second signal comes, exit at once: the
 * checkpoint on disk only covers finished work, so nothing is lost, only replayed.
 * Returns a function that removes the handlers.
 */
export function onStopSignals(controller: AbortController, logger: Logger, drainSeconds: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    logger.info({ signal, drainSeconds }, 'stopping: finishing the records in flight, then saving the checkpoint');
    controller.abort();
    timer = setTimeout(() => {
      logger.error({ drainSeconds }, 'drain took too long: exiting; unfinished records will be replayed next run');
      process.exit(2);
    }, drainSeconds * 1000);
    timer.unref();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    if (timer) clearTimeout(timer);
  };
}
