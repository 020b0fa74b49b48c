/**
 * The `amqp` source's link to the broker: connect (connection, confirm channel, topology,
 * prefetch, consume) with backoff; on losing it, wait for the records pulled through it to be
 * settled, then reconnect; close. Each link has a number, so that a message delivered on one can
 * be told from its redelivered copy on the next.
 */
import amqp from 'amqplib';
import { redactAmqpUrl, reasonOf, withBackoff } from './amqp-connection.js';
import { deliver } from './amqp-consumer.js';
import { armIdle, checkDrained, disarmIdle, emit, fail, setTimer, stop, type AmqpSourceState, type Link } from './amqp-state.js';
import { assertQueueTopology } from './amqp-topology.js';

/** Connects on first use (the iteration calls it too); rejects with the source's failure. */
export async function openLink(state: AmqpSourceState): Promise<void> {
  state.opening ??= establish(state).catch((error: unknown) => {
    if (!state.ended) fail(state, error);
  });
  await state.opening;
  if (state.failure) throw state.failure;
}

/** Stops consuming, waits for dead-letter publishes and a reconnect under way, closes channel and connection. */
export async function closeLink(state: AmqpSourceState): Promise<void> {
  if (state.closing) return;
  state.closing = true;
  stop(state, 'closed');
  await Promise.allSettled([...state.pending]);
  await state.reconnecting?.catch(() => undefined);
  const current = state.link;
  state.link = undefined;
  if (current?.alive) {
    current.alive = false;
    // Closing the channel first flushes the acks sent so far; unacked messages go back to the queue.
    await current.channel.close().catch(() => undefined);
    await current.connection.close().catch(() => undefined);
  }
}

/** Errors that waiting will not cure: a refused login, a queue declared with other arguments. */
function isPermanent(error: unknown): boolean {
  return error instanceof Error && /ACCESS[-_]REFUSED|PRECONDITION[-_]FAILED|NOT[-_]ALLOWED|cannot declare queue/.test(error.message);
}

function establish(state: AmqpSourceState): Promise<void> {
  const { options } = state;
  return withBackoff(state.url, () => connectOnce(state), {
    retry: {
      ...options.retry,
      onRetry: (info) => {
        emit(state, { type: 'retry', attempt: info.attempt, delayMs: info.delayMs, reason: reasonOf(info.error) });
        options.retry?.onRetry?.(info);
      },
    },
    scheduler: state.scheduler,
    signal: state.stopping.signal,
    permanent: (error) => isPermanent(error) || state.ended,
  });
}

/** One attempt: connect, confirm channel, topology, prefetch, consume. */
async function connectOnce(state: AmqpSourceState): Promise<void> {
  const { url, queue } = state;
  // One plain attempt: the backoff wraps the whole connect-declare-consume sequence.
  const connection = await (state.options.connect ?? ((u: string) => amqp.connect(u)))(url);
  let current: Link;
  try {
    const channel = await connection.createConfirmChannel();
    current = { id: state.links + 1, connection, channel, alive: true };
    // 'error' is always followed by 'close'; listening keeps an unhandled 'error' from crashing the process.
    connection.on('error', () => undefined);
    channel.on('error', () => undefined);
    connection.on('close', (error?: Error) => lost(state, current, error));
    channel.on('close', () => lost(state, current, undefined));
    await assertQueueTopology(channel, queue);
    await channel.prefetch(state.prefetch);
    if (state.ended) throw new Error('stopped while connecting');
    const { consumerTag } = await channel.consume(queue, (message) => {
      if (message === null) lost(state, current, new Error(`the broker cancelled the consumer of "${queue}"`));
      else deliver(state, current, message);
    });
    current.consumerTag = consumerTag;
    if (!current.alive) throw new Error('connection closed while starting to consume');
    state.links += 1;
    state.link = current;
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
  emit(state, { type: 'connected', url: redactAmqpUrl(url), queue, connection: current.id });
  armIdle(state);
}

function lost(state: AmqpSourceState, current: Link, error: unknown): void {
  if (!current.alive) return;
  current.alive = false;
  // A link that never finished starting is retried by `establish` itself.
  const established = state.link === current;
  if (established) state.link = undefined;
  disarmIdle(state);
  // Buffered, never pulled: the broker redelivers them; processing them here could not ack them.
  const { buffer } = state;
  for (let i = buffer.length - 1; i >= 0; i -= 1) if (buffer[i]?.link === current) buffer.splice(i, 1);
  if (state.ended || state.closing || !established) return;
  const inFlight = [...state.outstanding.values()].filter((d) => d.link === current).length;
  emit(state, { type: 'lost', connection: current.id, reason: error === undefined ? 'channel closed' : reasonOf(error), inFlight });
  state.reconnecting = (async () => {
    await drained(state, current);
    if (state.ended) return;
    await establish(state);
  })()
    .catch((error: unknown) => {
      if (!state.ended) fail(state, error);
    })
    .finally(() => {
      state.reconnecting = undefined;
    });
}

/** Resolves once no record pulled through `dead` is still in flight, or after `reconnectDrainMs`. */
function drained(state: AmqpSourceState, dead: Link): Promise<void> {
  return new Promise((resolve) => {
    const waiter = {
      link: dead,
      done: () => {
        state.drainWaiters.delete(waiter);
        cancel();
        resolve();
      },
    };
    const cancel = setTimer(state, state.options.reconnectDrainMs ?? 30_000, waiter.done);
    state.drainWaiters.add(waiter);
    checkDrained(state);
  });
}
