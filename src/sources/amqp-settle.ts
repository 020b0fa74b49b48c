/**
 * Settling the `amqp` source's messages once their records' outcomes are final: ack, requeue,
 * release, or dead-letter (a copy with the reasons, confirmed on `Q.dead`, then the ack). A
 * message can only be settled on the channel it came on; once that is gone, the broker has
 * redelivered it and the settle is `stale`.
 */
import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { ErrorDetail, Outcome } from '../types/outcome.js';
import type { SourceRecord } from '../types/record.js';
import { errorsHeader, ERRORS_HEADER } from './amqp-headers.js';
import type { Settlement } from './amqp-options.js';
import { armIdle, checkDrained, disarmIdle, type AmqpSourceState, type Delivery } from './amqp-state.js';

/** Acks for `created`/`updated`/`sent`/`unchanged`/`skipped`/`deleted`, dead-letters `rejected`, requeues `failed`. */
export function settle(state: AmqpSourceState, outcome: Outcome): Promise<Settlement> {
  switch (outcome.status) {
    case 'created':
    case 'updated':
    case 'sent':
    case 'unchanged':
    case 'skipped':
    case 'deleted':
      return Promise.resolve(ack(state, outcome.record));
    case 'rejected':
      return deadLetter(state, outcome.record, outcome.errors);
    case 'failed':
      return Promise.resolve(requeue(state, outcome.record));
  }
}

export function ack(state: AmqpSourceState, record: SourceRecord): Settlement {
  const delivery = take(state, record);
  if (!delivery) return 'unknown';
  const result = onChannel(delivery, (channel) => channel.ack(delivery.message), 'acked');
  afterSettle(state);
  return result;
}

export function requeue(state: AmqpSourceState, record: SourceRecord): Settlement {
  const delivery = take(state, record);
  if (!delivery) return 'unknown';
  const result = onChannel(delivery, (channel) => channel.nack(delivery.message, false, true), 'requeued');
  afterSettle(state);
  return result;
}

export function release(state: AmqpSourceState, record: SourceRecord): Settlement {
  const delivery = take(state, record);
  afterSettle(state);
  return delivery ? 'released' : 'unknown';
}

/**
 * A dead-lettering nack could not add the reasons: a copy carrying them is published to `Q.dead`,
 * and the original acked only once the broker confirmed the copy.
 */
export function deadLetter(state: AmqpSourceState, record: SourceRecord, errors: readonly ErrorDetail[]): Promise<Settlement> {
  const delivery = take(state, record);
  if (!delivery) return Promise.resolve('unknown');
  const work = (async (): Promise<Settlement> => {
    const { channel } = delivery.link;
    if (!delivery.link.alive) return 'stale';
    try {
      await new Promise<void>((resolve, reject) => {
        channel.publish('', state.deadQueue, delivery.message.content, copyProperties(delivery.message, { [ERRORS_HEADER]: errorsHeader(errors) }), (error: unknown) =>
          error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
        );
      });
    } catch (error) {
      // Nacked by the broker: try the record again later rather than lose its reason.
      if (error instanceof Error && error.message === 'message nacked') return onChannel(delivery, (c) => c.nack(delivery.message, false, true), 'requeued');
      return 'stale';
    }
    return onChannel(delivery, (c) => c.ack(delivery.message), 'dead-lettered');
  })();
  state.pending.add(work);
  disarmIdle(state);
  return work.finally(() => {
    state.pending.delete(work);
    afterSettle(state);
  });
}

function take(state: AmqpSourceState, record: SourceRecord): Delivery | undefined {
  const delivery = state.outstanding.get(record.position.where);
  if (delivery) state.outstanding.delete(record.position.where);
  return delivery;
}

/** A settle may be what a reconnect or the idle timer was waiting for. */
function afterSettle(state: AmqpSourceState): void {
  checkDrained(state);
  armIdle(state);
}

/** Runs `op` on the delivery's channel if it is still alive; `stale` otherwise. */
function onChannel(delivery: Delivery, op: (channel: ConfirmChannel) => void, done: Settlement): Settlement {
  if (!delivery.link.alive) return 'stale';
  try {
    op(delivery.link.channel);
    return done;
  } catch {
    // The channel closed under us (its 'close' event is on its way): the broker redelivers.
    return 'stale';
  }
}

/** Message properties worth keeping on the dead-letter copy (`userId`/`expiration` could make the broker refuse or drop it). */
function copyProperties(message: ConsumeMessage, headers: Record<string, unknown>): Options.Publish {
  const p = message.properties;
  const keep: Options.Publish = { persistent: true, headers: { ...(p.headers ?? {}), ...headers } };
  if (p.contentType !== undefined) keep.contentType = p.contentType as string;
  if (p.contentEncoding !== undefined) keep.contentEncoding = p.contentEncoding as string;
  if (p.correlationId !== undefined) keep.correlationId = p.correlationId as string;
  if (p.messageId !== undefined) keep.messageId = p.messageId as string;
  if (p.timestamp !== undefined) keep.timestamp = p.timestamp as number;
  if (p.type !== undefined) keep.type = p.type as string;
  if (p.appId !== undefined) keep.appId = p.appId as string;
  return keep;
}
