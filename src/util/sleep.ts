import { asyncScheduler, type SchedulerLike } from 'rxjs';

/** Where {@link sleep} waits and what cancels it. */
export interface SleepOptions {
  /** The clock the wait runs on; `asyncScheduler` by default (a `VirtualTimeScheduler` in tests). */
  readonly scheduler?: SchedulerLike | undefined;
  /** Aborting ends the wait at once: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Resolves after `ms` of the scheduler's time. The one way oro-sync waits in promise code (retry
 * waits, polling, reconnects), so every wait follows an injected clock.
 *
 * Cancelling rejects, it never resolves early: an aborted `signal` (before or during the wait)
 * rejects with `signal.reason` (a `DOMException` named `AbortError` when `abort()` got none), as
 * `fetch` does; the scheduled action is cancelled, so nothing of the wait is left behind. A caller
 * for which stopping is normal catches it (`isAbort`).
 *
 * ```
 * sleep(500):                  ----500ms----|
 * sleep(500, { signal }), abort at 200: --200ms--#   (signal.reason)
 * ```
 *
 * @example
 * await sleep(backoffDelay(attempt, error, policy), { scheduler: policy.scheduler, signal });
 */
export function sleep(ms: number, options: SleepOptions = {}): Promise<void> {
  const { scheduler = asyncScheduler, signal } = options;
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let done = false;
    const onAbort = (): void => {
      action.unsubscribe();
      reject(signal?.reason);
    };
    const action = scheduler.schedule(() => {
      done = true;
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    // A scheduler may run a 0 ms wait synchronously: then there is nothing left to cancel.
    if (!done) signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** True when `error` is what an aborted `signal` made {@link sleep} (or `fetch`) reject with. */
export function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && error === signal.reason;
}
