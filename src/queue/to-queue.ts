import type { ConfirmChannel } from 'amqplib';
import { Observable, type OperatorFunction } from 'rxjs';
import type { SourceRecord } from '../types/record.js';

/** Options of {@link toQueue}. */
export interface ToQueueOptions {
  /** A confirm channel (`connection.createConfirmChannel()`): every message is confirmed by the broker. */
  readonly channel: ConfirmChannel;
  /** Routing key; with the default exchange, the queue's name. */
  readonly queue: string;
  /** Exchange (default `''`, the default exchange: the message goes straight to `queue`). */
  readonly exchange?: string;
  /** The message body (default: `JSON.stringify(record.value)` as UTF-8). */
  readonly body?: (record: SourceRecord) => Buffer;
}

/** One record's publication: confirmed by the broker (it is durably queued), or not. */
export type Publication =
  | { readonly status: 'confirmed'; readonly record: SourceRecord }
  /** The broker nacked the message, or the record could not be serialised; it is not in the queue. */
  | { readonly status: 'unconfirmed'; readonly record: SourceRecord; readonly reason: string };

/** Header naming where the record came from (`customers.ndjson:12`), for tracing a message back. */
export const WHERE_HEADER = 'x-oro-sync-where';

function jsonBody(record: SourceRecord): Buffer {
  const text = JSON.stringify(record.value);
  if (text === undefined) throw new Error('the record has no JSON form');
  return Buffer.from(text, 'utf8');
}

/**
 * The queue sink: publishes each record as a persistent `application/json` message and emits one
 * {@link Publication} per record once the broker has confirmed (or nacked) it: records in, one
 * confirmation per record out, in confirmation order.
 *
 * Memory stays bounded: when the channel's write buffer is full (`publish` returns false) the
 * operator holds further records until the channel's `drain` event, so the socket never buffers
 * without limit; the records it holds meanwhile are bounded by what upstream lets in (use it
 * inside `pullThrough`, whose `maxInFlight` also bounds the unconfirmed messages).
 *
 * A closed channel (connection lost, broker gone) is an error of the stream: the unconfirmed
 * messages may or may not be queued, so the run cannot claim them.
 *
 * ```
 * records:        a b c |
 * broker confirms:   a   c b
 * output:         ---a---c-b|
 * ```
 *
 * @example
 * ```ts
 * const channel = await connection.createConfirmChannel();
 * pullThrough(ndjsonFile('customers.ndjson'), toQueue({ channel, queue: 'customers' }), { maxInFlight: 1000 })
 *   .subscribe((p) => p.status === 'confirmed' || console.error(p.record.position.where, p.reason));
 * ```
 */
export function toQueue(options: ToQueueOptions): OperatorFunction<SourceRecord, Publication> {
  const { channel, queue } = options;
  const exchange = options.exchange ?? '';
  const body = options.body ?? jsonBody;
  return (records$) =>
    new Observable<Publication>((subscriber) => {
      const waiting: SourceRecord[] = [];
      let blocked = false;
      let unconfirmed = 0;
      let inputDone = false;

      const fail = (reason: string, cause?: unknown) => {
        subscriber.error(new Error(`publishing to queue "${queue}": ${reason} (${unconfirmed} message(s) unconfirmed)`, { cause }));
      };
      const finishIfDone = () => {
        if (inputDone && waiting.length === 0 && unconfirmed === 0) subscriber.complete();
      };
      const publish = (record: SourceRecord) => {
        let content: Buffer;
        try {
          content = body(record);
        } catch (error) {
          subscriber.next({ status: 'unconfirmed', record, reason: `not serialisable: ${error instanceof Error ? error.message : String(error)}` });
          return;
        }
        unconfirmed += 1;
        const properties = { persistent: true, contentType: 'application/json', headers: { [WHERE_HEADER]: record.position.where } };
        const onConfirm = (error: unknown) => {
          unconfirmed -= 1;
          if (subscriber.closed) return;
          if (error === null || error === undefined) subscriber.next({ status: 'confirmed', record });
          else if (error instanceof Error && error.message === 'message nacked') subscriber.next({ status: 'unconfirmed', record, reason: 'nacked by the broker' });
          else return fail(error instanceof Error ? error.message : String(error), error);
          finishIfDone();
        };
        // `false` means the socket buffer is full: hold further records until 'drain'.
        if (!channel.publish(exchange, queue, content, properties, onConfirm)) blocked = true;
      };
      const flush = () => {
        while (!blocked && !subscriber.closed) {
          const record = waiting.shift();
          if (record === undefined) break;
          try {
            publish(record);
          } catch (error) {
            // amqplib throws synchronously on a closed channel.
            return fail(error instanceof Error ? error.message : String(error), error);
          }
        }
        finishIfDone();
      };
      const onDrain = () => {
        blocked = false;
        flush();
      };
      const onClose = () => fail('the channel closed');
      channel.on('drain', onDrain);
      channel.on('close', onClose);
      const subscription = records$.subscribe({
        next: (record) => {
          waiting.push(record);
          flush();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          inputDone = true;
          flush();
        },
      });
      return () => {
        subscription.unsubscribe();
        channel.off('drain', onDrain);
        channel.off('close', onClose);
      };
    });
}
