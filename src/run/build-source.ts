import type { SchedulerLike } from 'rxjs';
import { getPath } from '../util/path.js';
import { csvFile } from '../sources/csv.js';
import { httpSource } from '../sources/http.js';
import { jsonFile } from '../sources/json.js';
import { ndjsonFile } from '../sources/ndjson.js';
import { stdinSource } from '../sources/stdin.js';
import { oroSource } from '../sources/oro.js';
import type { Limiter } from '../oro/limiter.js';
import type { OroClient } from '../oro/types.js';
import { compareWatermarks } from '../state/checkpoint-tracker.js';
import { isOutcome, type Step } from '../types/outcome.js';
import type { Json } from '../types/jsonapi.js';
import { rawOf, type SourceRecord } from '../types/record.js';
import type { AnyConfig } from '../config/config-types.js';
import { retryBudgetOf } from './runtime.js';

export interface SourceContext {
  /** Resume token of the last record with an outcome (from the checkpoint). */
  readonly resume?: Json | null;
  readonly onTotal?: (total: number) => void;
  readonly onRetry?: () => void;
  /** The clock of the http source's retry waits and timeout; `asyncScheduler` by default. */
  readonly scheduler?: SchedulerLike;
  /**
   * The config's Oro, for an `oro` source: the credential's client (its token stream), and the
   * limiter its requests share with the rest of the run (absent: not limited).
   */
  readonly oro?: { readonly client: OroClient; readonly limiter?: Limiter | undefined };
}

/**
 * The config's source as a pull-based iterable of steps. File, HTTP and Oro sources resume just
 * after the checkpoint. (`amqp` is built by the queue worker, which also acks.)
 */
export function buildSource(config: AnyConfig, context: SourceContext = {}): AsyncIterable<Step<unknown>> {
  const { source, pipeline } = config;
  const resume = context.resume ?? undefined;
  const resumeOption = resume === undefined ? {} : { resume };
  switch (source.kind) {
    case 'ndjson':
      return ndjsonFile(source.path, resumeOption);
    case 'json':
      return jsonFile(source.path, { ...resumeOption, ...(source.itemsPath !== undefined ? { itemsPath: source.itemsPath } : {}) });
    case 'csv':
      return csvFile(source.path, { ...resumeOption, delimiter: source.delimiter, quote: source.quote });
    case 'stdin':
      return stdinSource();
    case 'http':
      return httpSource({
        url: source.url,
        ...(source.itemsPath !== undefined ? { itemsPath: source.itemsPath } : {}),
        ...(source.headers !== undefined ? { headers: source.headers } : {}),
        ...(source.pagination !== undefined ? { pagination: source.pagination } : {}),
        ...resumeOption,
        timeoutMs: pipeline.requestTimeoutMs,
        retry: { ...retryBudgetOf(pipeline), onRetry: () => context.onRetry?.() },
        ...(context.onTotal ? { onTotal: context.onTotal } : {}),
        ...(context.scheduler ? { scheduler: context.scheduler } : {}),
      });
    case 'amqp':
      throw new Error('the amqp source is consumed by the queue worker, not buildSource');
    case 'oro': {
      if (context.oro === undefined) throw new Error('an oro source reads through the config\'s Oro client: give buildSource context.oro');
      const { client, limiter } = context.oro;
      return oroSource(client, {
        type: source.type,
        pageSize: source.pageSize,
        ...(source.include !== undefined ? { include: source.include } : {}),
        ...(source.filter !== undefined ? { filter: source.filter } : {}),
        ...(source.since !== undefined ? { since: source.since } : {}),
        ...resumeOption,
        ...(limiter !== undefined ? { limiter } : {}),
        retry: { ...retryBudgetOf(pipeline), onRetry: () => context.onRetry?.() },
        ...(context.onTotal ? { onTotal: context.onTotal } : {}),
        ...(context.scheduler ? { scheduler: context.scheduler } : {}),
      });
    }
  }
}

/**
 * Drops records older than the saved watermark: an incremental run asks only for what changed
 * since the last complete run. Records with the same time as the watermark pass (equal timestamps
 * may hold records the last run did not see; the writes are idempotent, so the overlap is harmless).
 * Records without a watermark value pass too.
 */
export async function* sinceWatermark(source: AsyncIterable<Step<unknown>>, path: string, since: string): AsyncIterable<Step<unknown>> {
  for await (const step of source) {
    if (!isOutcome(step)) {
      const watermark = watermarkOf(step, path);
      if (watermark !== undefined && compareWatermarks(watermark, since) < 0) continue;
    }
    yield step;
  }
}

/** A record's watermark (at `path` in its raw value) as an ISO string; numbers are epoch milliseconds. */
export function watermarkOf(record: SourceRecord, path: string): string | undefined {
  const value = getPath(rawOf(record), path);
  if (typeof value === 'number') return new Date(value).toISOString();
  return typeof value === 'string' ? value : undefined;
}

/**
 * Numbers the steps 0, 1, 2, ... for this run, so the checkpoint tracker sees contiguous seqs
 * whatever was filtered out, and stops pulling once `signal` aborts (graceful shutdown: what was
 * pulled is finished, nothing new is started).
 */
export function numbered(source: AsyncIterable<Step<unknown>>, signal?: AbortSignal): AsyncIterable<Step<unknown>> {
  // An iterator by hand, not an async generator: a generator's extra promise and resumption per
  // record cost more than the numbering (a snapshot export is read whole every run).
  return {
    [Symbol.asyncIterator](): AsyncIterator<Step<unknown>> {
      let seq = 0;
      let inner: AsyncIterator<Step<unknown>> | undefined;
      let pulling: Promise<unknown> | undefined;
      const finish = async (): Promise<IteratorResult<Step<unknown>>> => {
        // As a generator would: the source is closed once a pull under way has settled.
        await pulling?.catch(() => undefined);
        await inner?.return?.();
        return { done: true, value: undefined };
      };
      return {
        next: async () => {
          if (signal?.aborted) return finish();
          inner ??= source[Symbol.asyncIterator]();
          const pull = inner.next();
          pulling = pull;
          const result = await pull;
          if (result.done) return result;
          const step = result.value;
          const at = isOutcome(step) ? step.record.position : step.position;
          const n = seq++;
          // Most sources number their steps from 0 already: those pass as they are (no copy per record).
          if (at.seq === n) return result;
          const position = { ...at, seq: n };
          return { done: false, value: isOutcome(step) ? { ...step, record: { ...step.record, position } } : { ...step, position } };
        },
        return: finish,
      };
    },
  };
}
