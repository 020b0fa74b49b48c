import { asyncScheduler, concatMap, from, mergeMap, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { batchRecords } from '../operators/batch.js';
import type { Deliver, Delivery, DeliveryResult } from '../types/delivery.js';
import { isOutcome, type Outcome, type Step } from '../types/outcome.js';
import type { DigestStore, DigestUpdate } from './digest-store.js';
import { prepareDelivery, type SinkTransform } from './delivery.js';

/** Options of {@link toSink}. */
export interface ToSinkOptions {
  /** Where the records go: an ndjson file, an HTTP endpoint, a queue (see `Deliver`). */
  readonly deliver: Deliver;
  /** Maps a record to what is delivered; `null` skips it. Absent: the record's document as it is. */
  readonly transform?: SinkTransform;
  /**
   * What was last sent per `type/id` (change detection). A record whose digest equals the one
   * stored as confirmed is `unchanged` and not delivered. Absent: every record is delivered.
   */
  readonly digests?: DigestStore;
  /** Records per call of `deliver` (default 100), and how long a batch waits to fill (default 500 ms). */
  readonly batch?: { readonly size?: number; readonly ms?: number };
  /** Calls of `deliver` in flight at once; default 1 (a file is written in the source's order). */
  readonly concurrency?: number;
  /** Decide only: nothing is delivered nor stored; `sent` outcomes say what would be (`dryRun: true`). */
  readonly dryRun?: boolean;
  /** Told how long each call of `deliver` took, in ms (metrics). */
  readonly onBatch?: (ms: number) => void;
  /** The clock of the batch timer and of `onBatch`; `asyncScheduler` by default. */
  readonly scheduler?: SchedulerLike;
}

/**
 * The sink for records that leave Oro: records in, one outcome per record out. Each record is
 * keyed by its primary resource's `type/id`, mapped by `transform`, digested, and delivered
 * unless its digest equals what the sink last confirmed for that key. An outcome is emitted only
 * once the sink confirmed the delivery and its digest is stored: a checkpoint that follows the
 * outcomes never passes a record the sink may not have.
 *
 * - `sent`: the sink confirmed it; its digest is stored as `confirmed`;
 * - `unchanged`: the same content was confirmed before (nothing delivered);
 * - `skipped`: `transform` returned `null`;
 * - `rejected`: no JSON:API document, a transform error, or the sink refused it for good (its
 *   digest is stored as `rejected`: the same content again is refused without being delivered,
 *   `rejectedBefore` saying when);
 * - `failed`: the sink did not confirm it within its retries; its digest is dropped, so the
 *   next run delivers it whatever its content.
 *
 * Outcomes decided upstream pass through. Memory: `batch.size × concurrency` records.
 *
 * ```
 * toSink({ deliver, digests, batch: { size: 2 } })   b was confirmed before with this content
 * records:  a-b-c-|
 * outcomes: ---(a b)-(c|)     a: sent, b: unchanged, c: sent
 * ```
 *
 * @example
 * ```ts
 * const file = ndjsonSink({ path: 'orders.ndjson' });
 * pullThrough(ndjsonFile('orders-from-oro.ndjson'), toSink({ deliver: file.deliver, digests: createMemoryDigestStore() }), { maxInFlight: 500 })
 *   .subscribe({ next: (outcome) => console.log(outcome.status), complete: () => void file.close() });
 * ```
 */
export function toSink(options: ToSinkOptions): OperatorFunction<Step<unknown>, Outcome> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const concurrency = options.concurrency ?? 1;
  const handle = (steps: readonly Step<unknown>[]) => from(outcomesOf(steps, options, scheduler)).pipe(concatMap((outcomes) => from(outcomes)));
  return (steps$) =>
    steps$.pipe(
      batchRecords({ size: options.batch?.size ?? 100, ms: options.batch?.ms ?? 500, scheduler }),
      mergeMap(handle, concurrency),
    );
}

/** One batch's outcomes, in the batch's order. */
async function outcomesOf(steps: readonly Step<unknown>[], options: ToSinkOptions, scheduler: SchedulerLike): Promise<Outcome[]> {
  const outcomes: (Outcome | undefined)[] = new Array<Outcome | undefined>(steps.length);
  const ready: { readonly index: number; readonly delivery: Delivery }[] = [];
  for (const [index, step] of steps.entries()) {
    if (isOutcome(step)) {
      outcomes[index] = step;
      continue;
    }
    const prepared = await prepareDelivery(step, options.transform);
    if ('status' in prepared) outcomes[index] = prepared;
    else ready.push({ index, delivery: prepared });
  }

  const known = options.digests && ready.length > 0 ? await options.digests.get([...new Set(ready.map((r) => r.delivery.key))]) : undefined;
  const changed = ready.filter(({ index, delivery }) => {
    const last = known?.get(delivery.key);
    if (last === undefined || last.digest !== delivery.digest) return true;
    const { record } = delivery;
    if (last.lastOutcome === 'confirmed') outcomes[index] = { status: 'unchanged', record };
    // Refused before as it is: refused again, without asking (its dead letter is in the file).
    else if (last.lastOutcome === 'rejected') outcomes[index] = { status: 'rejected', record, errors: last.errors ?? [], rejectedBefore: last.at };
    return outcomes[index] === undefined;
  });

  if (options.dryRun) {
    for (const { index, delivery } of changed) outcomes[index] = { status: 'sent', record: delivery.record, delivered: delivery.content, dryRun: true };
  } else if (changed.length > 0) {
    const started = scheduler.now();
    const results = await options.deliver(changed.map((r) => r.delivery));
    options.onBatch?.(scheduler.now() - started);
    if (results.length !== changed.length) throw new Error(`a sink answered ${results.length} results for ${changed.length} deliveries`);
    // Stored before the outcomes go out: a checkpoint past a record implies its digest is kept.
    await options.digests?.put(changed.map(({ delivery }, i) => updateOf(delivery, results[i] as DeliveryResult)));
    changed.forEach(({ index, delivery }, i) => (outcomes[index] = outcomeOf(delivery, results[i] as DeliveryResult)));
  }
  return outcomes as Outcome[];
}

function updateOf(delivery: Delivery, result: DeliveryResult): DigestUpdate {
  switch (result.status) {
    case 'sent':
      return { key: delivery.key, digest: delivery.digest, lastOutcome: 'confirmed' };
    case 'rejected':
      return { key: delivery.key, digest: delivery.digest, lastOutcome: 'rejected', errors: result.errors };
    case 'failed':
      // The sink may or may not have it: no digest, so the next run delivers it again.
      return { key: delivery.key, lastOutcome: 'failed' };
  }
}

function outcomeOf(delivery: Delivery, result: DeliveryResult): Outcome {
  const { record } = delivery;
  return result.status === 'sent' ? { status: 'sent', record, delivered: delivery.content } : { status: result.status, record, errors: result.errors };
}
