/**
 * The `amqp` source: a RabbitMQ queue as a pull-based iterable of records, whose messages are
 * settled (acked, dead-lettered, requeued) only once each record's outcome is final.
 *
 * Its parts: `amqp-options.ts` (options, events, settlements), `amqp-state.ts` (what they share),
 * `amqp-link.ts` (connect, lose, reconnect, close; over `amqp-connection.ts`'s backoff and
 * `amqp-topology.ts`'s queues), `amqp-consumer.ts` (the consumer loop) and `amqp-settle.ts`
 * (ack, requeue, dead-letter with `amqp-headers.ts`'s reasons).
 */
import type { ErrorDetail, Outcome, Step } from '../types/outcome.js';
import type { SourceRecord } from '../types/record.js';
import { ERRORS_HEADER } from './amqp-headers.js';
import { nextStep } from './amqp-consumer.js';
import { closeLink, openLink } from './amqp-link.js';
import type { AmqpSourceOptions, Settlement } from './amqp-options.js';
import { ack, deadLetter, release, requeue, settle } from './amqp-settle.js';
import { createAmqpSourceState, stop } from './amqp-state.js';

export { ERRORS_HEADER };
export type { AmqpSourceEvent, AmqpSourceOptions, Settlement } from './amqp-options.js';

/** A queue as a source of records, plus the handle that settles each record's message. */
export interface AmqpQueueSource extends AsyncIterable<Step<unknown>> {
  /** Connects (with backoff), asserts the topology and starts consuming; the iteration calls it too. */
  open(): Promise<void>;
  /** Acks for `created`/`updated`/`skipped`, dead-letters `rejected`, requeues `failed`. */
  settle(outcome: Outcome): Promise<Settlement>;
  /** Acks the record's message: its outcome is final and durable. */
  ack(record: SourceRecord): Settlement;
  /** Nacks the record's message with requeue. */
  requeue(record: SourceRecord): Settlement;
  /** Publishes a copy (with `x-oro-sync-errors`) to `Q.dead`, waits for the broker's confirm, acks. */
  deadLetter(record: SourceRecord, errors: readonly ErrorDetail[]): Promise<Settlement>;
  /** Forgets the record without settling it (the broker requeues it when the channel closes). */
  release(record: SourceRecord): Settlement;
  /** Records pulled and not yet settled. */
  readonly inFlight: number;
  /** Stops consuming, waits for dead-letter publishes, closes channel and connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * A RabbitMQ queue as a pull-based source of records for the sync pipeline.
 *
 * - Each message is one JSON record: `{value, position: {seq, where: "amqp:Q#<deliveryTag>", resume: null}}`
 *   (after a reconnect the connection number is appended: `amqp:Q#17@2`, since delivery tags restart).
 *   A message that is not JSON becomes a `rejected` outcome (`malformed JSON message`), never a crash.
 * - The broker hands out at most `prefetch` unacked messages: that bounds the records in flight.
 *   Nothing is acked by the iteration; the caller settles each record once its outcome is final
 *   (`settle(outcome)`): acked when synced or skipped; when rejected, a copy with the reason in the
 *   `x-oro-sync-errors` header (JSON of the errors) is published to `Q.dead` with a publisher
 *   confirm, then the original is acked (a dead-lettering nack could not add the header); when
 *   failed, nacked with requeue so another attempt (here or on another worker) picks it up.
 * - Connection or channel loss: the messages in flight are redelivered by the broker, so their
 *   late outcomes are not acked (`stale`: the channel is gone). The source waits for those records
 *   to finish (up to `reconnectDrainMs`), then reconnects with backoff; after the last attempt the
 *   iteration fails with an error naming the broker (password hidden).
 * - With `idleExitMs` the iteration ends once the queue has been quiet that long (nothing delivered,
 *   nothing in flight); `signal` or `close()` end it at once (stop consuming; records already pulled
 *   may still be settled until `close()`).
 *
 * ```
 * queue:     m1 m2 m3 (prefetch 2)
 * pulled:    r1 r2 .. r3            (m3 is delivered only once m1 or m2 is settled)
 * settle:       ack(r1) deadLetter(r2)
 * ```
 *
 * @example
 * ```ts
 * const queue = amqpSource({ url: 'amqp://guest:guest@127.0.0.1:5672', queue: 'customers', idleExitMs: 5000 });
 * pullThrough(queue, (steps) => steps.pipe(decodeWith(codec), mapRecords(mapping), batchRecords(opts), toOro(sink)), { maxInFlight: 64 })
 *   .pipe(concatMap((outcome) => queue.settle(outcome)))
 *   .subscribe({ complete: () => void queue.close() });
 * ```
 */
export function amqpSource(options: AmqpSourceOptions): AmqpQueueSource {
  const state = createAmqpSourceState(options);
  const open = () => openLink(state);
  options.signal?.addEventListener('abort', () => stop(state, 'signal'), { once: true });
  if (options.signal?.aborted) stop(state, 'signal');
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => nextStep(state, open),
      return: () => {
        stop(state, 'closed');
        return Promise.resolve({ done: true, value: undefined });
      },
    }),
    open,
    settle: (outcome) => settle(state, outcome),
    ack: (record) => ack(state, record),
    requeue: (record) => requeue(state, record),
    deadLetter: (record, errors) => deadLetter(state, record, errors),
    release: (record) => release(state, record),
    get inFlight() {
      return state.outstanding.size;
    },
    close: () => closeLink(state),
  };
}
