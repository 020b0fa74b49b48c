/**
 * The queue topology shared by `oro-sync publish` and the queue workers (docs/architecture.md, `amqp`):
 * a durable queue `Q` dead-lettering to the default exchange with routing key `Q.dead`, and the
 * durable queue `Q.dead`. Both sides assert it, so either may start first.
 */
import type { Channel } from 'amqplib';

/** The dead-letter queue of `queue`: `Q.dead`. */
export function deadQueueOf(queue: string): string {
  return `${queue}.dead`;
}

/** The arguments `Q` is declared with; a queue declared otherwise is a precondition failure. */
export function queueArguments(queue: string): Record<string, string> {
  return { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': deadQueueOf(queue) };
}

/**
 * Asserts `Q` (durable, dead-lettering to `Q.dead`) and `Q.dead` (durable) on `channel`.
 *
 * @throws Error naming the queue when the broker refuses (e.g. `Q` exists with other arguments:
 *   RabbitMQ's `PRECONDITION_FAILED` closes the channel).
 */
export async function assertQueueTopology(channel: Channel, queue: string): Promise<void> {
  try {
    await channel.assertQueue(queue, { durable: true, arguments: queueArguments(queue) });
    await channel.assertQueue(deadQueueOf(queue), { durable: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `cannot declare queue "${queue}" (durable, x-dead-letter-routing-key "${deadQueueOf(queue)}") and "${deadQueueOf(queue)}": ${reason}`,
      { cause: error },
    );
  }
}
