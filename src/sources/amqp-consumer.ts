/**
 * The consumer loop of the `amqp` source: the broker pushes messages into a buffer (at most
 * `prefetch` unacked at once), the iteration pulls them one at a time as records. Pulled records
 * stay outstanding until settled (`amqp-settle.ts`), so that their message is acked only once
 * their outcome is final.
 */
import type { ConsumeMessage } from 'amqplib';
import { rejected, type Step } from '../types/outcome.js';
import type { Position } from '../types/record.js';
import { disarmIdle, notify, type AmqpSourceState, type Delivery, type Link } from './amqp-state.js';

/** A message the broker delivered on `current`; dropped if that link is already lost (the broker redelivers it). */
export function deliver(state: AmqpSourceState, current: Link, message: ConsumeMessage): void {
  if (!current.alive) return;
  const { queue } = state;
  // Delivery tags restart with each channel: after a reconnect the link's number tells them apart.
  const where = current.id === 1 ? `amqp:${queue}#${message.fields.deliveryTag}` : `amqp:${queue}#${message.fields.deliveryTag}@${current.id}`;
  state.buffer.push({ message, link: current, where });
  disarmIdle(state);
  notify(state);
}

/**
 * The iteration's `next`: opens the source on first use, then hands out the next buffered
 * message (waiting for one), until the source stops or fails.
 */
export async function nextStep(state: AmqpSourceState, open: () => Promise<void>): Promise<IteratorResult<Step<unknown>>> {
  if (!state.ended) await open();
  for (;;) {
    if (state.failure) throw state.failure;
    // Once stopped, buffered messages are not started: they go back to the queue on close.
    if (state.ended) return { done: true, value: undefined };
    const delivery = state.buffer.shift();
    if (delivery) {
      state.outstanding.set(delivery.where, delivery);
      return { done: false, value: toStep(state, delivery) };
    }
    await new Promise<void>((resolve) => (state.wake = resolve));
  }
}

/** A message as a record; one that is not JSON as a `rejected` outcome, never a crash. */
function toStep(state: AmqpSourceState, delivery: Delivery): Step<unknown> {
  const position: Position = { seq: state.seq++, where: delivery.where, resume: null };
  const text = delivery.message.content.toString('utf8');
  try {
    return { value: JSON.parse(text) as unknown, position };
  } catch (error) {
    return rejected({ value: text, position }, [
      { title: 'malformed JSON message', detail: `${delivery.where}: ${error instanceof Error ? error.message : String(error)}` },
    ]);
  }
}
