import type { ConfirmChannel } from 'amqplib';
import { from, lastValueFrom, toArray } from 'rxjs';
import type { Deliver, Delivery, DeliveryResult } from '../types/delivery.js';
import type { SourceRecord } from '../types/record.js';
import { toQueue } from './to-queue.js';

/** Options of {@link queueSink}. */
export interface QueueSinkOptions {
  /** A confirm channel on which the queue's topology was asserted (`assertQueueTopology`). */
  readonly channel: ConfirmChannel;
  /** The queue (routing key on the default exchange). */
  readonly queue: string;
}

/**
 * The `amqp` sink: each record as a persistent `application/json` message on `queue`, as
 * `oro-sync publish` sends them (`toQueue`): a record is `sent` once the broker confirmed it, and
 * `failed` when the broker nacked it (it is not in the queue, so the next run sends it again).
 *
 * @throws Error (the `deliver` promise rejects) when the channel closes: the messages not yet
 *   confirmed may or may not be queued, and no more can be sent, so the run stops.
 *
 * @example
 * ```ts
 * const channel = await connection.createConfirmChannel();
 * await assertQueueTopology(channel, 'orders');
 * records$.pipe(toSink({ deliver: queueSink({ channel, queue: 'orders' }) }));
 * ```
 */
export function queueSink(options: QueueSinkOptions): Deliver {
  return async (batch) => {
    const byRecord = new Map<SourceRecord, number>();
    const messages = batch.map((delivery, index): SourceRecord<Delivery> => {
      const message = { value: delivery, position: delivery.record.position };
      byRecord.set(message, index);
      return message;
    });
    const publications = await lastValueFrom(
      from(messages).pipe(
        toQueue({ channel: options.channel, queue: options.queue, body: (message) => Buffer.from((message.value as Delivery).text, 'utf8') }),
        toArray(),
      ),
    );
    const results = new Array<DeliveryResult>(batch.length);
    for (const publication of publications) {
      const index = byRecord.get(publication.record) as number;
      results[index] = publication.status === 'confirmed'
        ? { status: 'sent' }
        : { status: 'failed', errors: [{ title: 'not published', detail: `queue "${options.queue}": ${publication.reason}` }] };
    }
    return results;
  };
}
