/**
 * RabbitMQ on 127.0.0.1:5672 (guest/guest) for the queue tests: unique queue names, a side
 * connection to inspect and clean queues, and a broker restart that is always undone.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import amqp, { type ChannelModel, type ConfirmChannel, type GetMessage } from 'amqplib';

const run = promisify(execFile);

export const RABBIT_URL = 'amqp://guest:guest@127.0.0.1:5672';

let counter = 0;
/** A queue name no other test (or test run) uses. */
export function uniqueQueue(prefix = 'oro-sync-test'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** A side connection for the test itself (publishing raw messages, reading queues, cleanup). */
export interface RabbitAdmin {
  readonly connection: ChannelModel;
  readonly channel: ConfirmChannel;
  /** Messages ready in `queue` (not counting those delivered and unacked). */
  ready(queue: string): Promise<number>;
  /** Publishes raw bodies (persistent) straight to `queue`, confirmed. */
  publish(queue: string, bodies: readonly (string | Buffer)[]): Promise<void>;
  /** Takes (and acks) every ready message of `queue`. */
  drain(queue: string): Promise<GetMessage[]>;
  /** Waits (polling the broker, at most `timeoutMs`) until `predicate` holds for `ready(queue)`. */
  until(queue: string, predicate: (ready: number) => boolean, timeoutMs?: number): Promise<number>;
  /** Deletes `queue` and `queue.dead` (missing ones are fine). */
  deleteTopology(queue: string): Promise<void>;
  close(): Promise<void>;
}

export async function openAdmin(): Promise<RabbitAdmin> {
  const connection = await amqp.connect(RABBIT_URL);
  connection.on('error', () => undefined);
  let channel = await connection.createConfirmChannel();
  channel.on('error', () => undefined);
  const admin: RabbitAdmin = {
    connection,
    get channel() {
      return channel;
    },
    async ready(queue) {
      return (await channel.checkQueue(queue)).messageCount;
    },
    async publish(queue, bodies) {
      for (const body of bodies) channel.sendToQueue(queue, Buffer.isBuffer(body) ? body : Buffer.from(body), { persistent: true });
      await channel.waitForConfirms();
    },
    async drain(queue) {
      const out: GetMessage[] = [];
      for (;;) {
        const message = await channel.get(queue, { noAck: true });
        if (message === false) return out;
        out.push(message);
      }
    },
    async until(queue, predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const n = await admin.ready(queue);
        if (predicate(n)) return n;
        if (Date.now() > deadline) throw new Error(`queue ${queue}: condition not met within ${timeoutMs} ms (ready: ${n})`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async deleteTopology(queue) {
      for (const name of [queue, `${queue}.dead`]) {
        try {
          await channel.deleteQueue(name);
        } catch {
          // A failed operation closes the channel: open another for what follows.
          channel = await connection.createConfirmChannel();
          channel.on('error', () => undefined);
        }
      }
    },
    async close() {
      await connection.close().catch(() => undefined);
    },
  };
  return admin;
}

/** `rabbitmqctl <args>`. */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', args, { timeout: 60_000 });
  return stdout;
}

/** Resolves once a connection to the broker succeeds (polling, at most `timeoutMs`). */
export async function waitForBroker(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const c = await amqp.connect(RABBIT_URL);
      await c.close();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Makes sure the broker app is running (after a test stopped it), whatever happened. */
export async function ensureBrokerRunning(): Promise<void> {
  await rabbitmqctl('start_app').catch(() => undefined);
  await waitForBroker();
}
