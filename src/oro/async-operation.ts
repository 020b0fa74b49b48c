import type { SchedulerLike } from 'rxjs';
import { TimeoutError } from '../errors/timeout-error.js';
import { backoffDelay } from '../util/retry-policy.js';
import { sleep } from '../util/sleep.js';
import { AsyncOperationDocument, AsyncOperationErrorsDocument } from './codecs.js';
import type { Transport } from './transport.js';
import type { AsyncOperation, AsyncOperationError, AsyncOperationHandle } from './types.js';

/** Defaults of {@link AsyncOperationHandle.settle}. */
export const SETTLE_DEFAULTS = { intervalMs: 500, maxIntervalMs: 5_000, timeoutMs: 600_000 } as const;

const TERMINAL: ReadonlySet<AsyncOperation['status']> = new Set(['success', 'failed', 'cancelled']);

/**
 * A handle on an Oro async operation (`docs/oro-api.md` §6), from the `Content-Location` of a 202.
 *
 * - `get()` polls once.
 * - `settle()` polls until `success`, `failed` or `cancelled`, waiting `intervalMs`, then twice as
 *   long each time up to `maxIntervalMs` (`backoffDelay` without jitter), on `scheduler`; rejects with a `TimeoutError` after `timeoutMs` (default
 *   10 minutes: an operation stays `new` for ever while Oro's queue consumer is down) and with the
 *   signal's reason when `signal` aborts (the poll in flight is aborted too).
 *   Note that `success` may still carry `summary.errorCount > 0`: read `errors()`.
 * - `errors()` reads `{url}/errors`, following `links.next` until the last page.
 */
export function createAsyncOperationHandle(id: string, url: string, transport: Transport, scheduler: SchedulerLike): AsyncOperationHandle {
  async function get(signal?: AbortSignal): Promise<AsyncOperation> {
    const answer = await transport.request({ method: 'GET', url, ...(signal ? { signal } : {}) });
    const { data } = transport.decode(answer, AsyncOperationDocument);
    return {
      id: data.id,
      status: data.attributes.status,
      progress: data.attributes.progress ?? null,
      summary: data.attributes.summary ?? null,
    };
  }

  return {
    id,
    url,
    get: () => get(),
    async settle(options = {}) {
      const intervalMs = options.intervalMs ?? SETTLE_DEFAULTS.intervalMs;
      const maxIntervalMs = options.maxIntervalMs ?? SETTLE_DEFAULTS.maxIntervalMs;
      const timeoutMs = options.timeoutMs ?? SETTLE_DEFAULTS.timeoutMs;
      const { signal } = options;
      const deadline = scheduler.now() + timeoutMs;
      // Polling is not retrying an error, but it backs off on the same schedule, without jitter.
      const polling = { baseMs: intervalMs, maxMs: maxIntervalMs, jitter: 'none' } as const;
      for (let poll = 0; ; poll += 1) {
        signal?.throwIfAborted();
        await options.beforePoll?.();
        const operation = await get(signal);
        if (TERMINAL.has(operation.status)) return operation;
        const remaining = deadline - scheduler.now();
        if (remaining <= 0) throw new TimeoutError('GET', url, timeoutMs);
        await sleep(Math.min(backoffDelay(poll, undefined, polling), remaining), { scheduler, signal });
      }
    },
    async errors() {
      const all: AsyncOperationError[] = [];
      const seen = new Set<string>();
      let next: string | undefined = `${url}/errors`;
      while (next !== undefined && !seen.has(next)) {
        seen.add(next);
        const answer = await transport.request({ method: 'GET', url: next });
        const document = transport.decode(answer, AsyncOperationErrorsDocument);
        for (const item of document.data) {
          const source = item.attributes.source ?? item.source ?? undefined;
          const pointer = source?.pointer ?? source?.propertyPath;
          all.push({
            id: item.id,
            status: item.attributes.status,
            title: item.attributes.title,
            ...(item.attributes.detail !== undefined ? { detail: item.attributes.detail } : {}),
            ...(pointer !== undefined ? { pointer } : {}),
          });
        }
        next = document.links?.next === undefined ? undefined : transport.followUrl(answer, document.links.next, 'links.next');
      }
      return all;
    },
  };
}
