/**
 * The `amqp` source: a RabbitMQ queue as a pull-based iterable of records, whose messages are
 * settled (acked, dead-lettered, requeued) only once each record's outcome is final.
 */
import amqp, { type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { RetryPolicy } from '../util/retry-policy.js';
import { rejected, type ErrorDetail, type Outcome, type Step } from '../types/outcome.js';
import type { Position, SourceRecord } from '../types/record.js';
import { errorsHeader, ERRORS_HEADER } from './amqp-headers.js';
import { redactAmqpUrl, reasonOf, withBackoff, type ConnectOptions } from './amqp-connection.js';
import { assertQueueTopology, deadQueueOf } from './amqp-topology.js';

export { ERRORS_HEADER };

/** Options of {@link amqpSource}. */
export interface AmqpSourceOptions {
  /** `amqp://user:pass@host:5672/vhost` (the password never appears in errors or events). */
  readonly url: string;
  readonly queue: string;
  /** Unacked messages the broker hands this consumer at once: the records in flight (default 32). */
  readonly prefetch?: number;
  /**
   * End the iteration once nothing has been delivered and nothing is in flight for this long (the
   * `--once` mode: `idleExitSeconds` × 1000). Absent: run until `signal` aborts or `close()`.
   */
  readonly idleExitMs?: number;
  /** Aborting stops consuming: the iteration ends; records already pulled can still be settled. */
  readonly signal?: AbortSignal;
  /**
   * How (re)connecting is retried, then the iteration fails: fields not given come from
   * `DEFAULT_AMQP_RETRY` (8 retries, about 30 s). Its `onRetry` is told besides the `retry` event.
   */
  readonly retry?: RetryPolicy;
  /**
   * After losing the connection, wait at most this long for the records pulled from it to finish
   * before reconnecting (default 30 000 ms): their copies, redelivered by the broker, then find
   * them written, not being written.
   */
  readonly reconnectDrainMs?: number;
  /** Opens a connection (default `amqplib.connect`). */
  readonly connect?: ConnectOptions['connect'];
  /** The clock of the reconnect waits and the idle and drain timers; `asyncScheduler` by default. */
  readonly scheduler?: SchedulerLike;
  /** Connection life, for logs. */
  readonly onEvent?: (event: AmqpSourceEvent) => void;
}

/** What happened to the connection (passwords hidden). */
export type AmqpSourceEvent =
  | { readonly type: 'connected'; readonly url: string; readonly queue: string; readonly connection: number }
  | { readonly type: 'lost'; readonly connection: number; readonly reason: string; readonly inFlight: number }
  | { readonly type: 'retry'; readonly attempt: number; readonly delayMs: number; readonly reason: string }
  | { readonly type: 'stopped'; readonly reason: 'idle' | 'signal' | 'closed' };

/**
 * What became of a message:
 * - `acked`: removed from the queue (outcome synced or skipped);
 * - `dead-lettered`: a copy with `x-oro-sync-errors` was confirmed on `Q.dead`, then the original acked;
 * - `requeued`: returned to the queue (nack with requeue) for this or another worker to try again;
 * - `released`: left unacked; the broker requeues it when the channel closes (dry runs);
 * - `stale`: its channel is gone; the broker has redelivered it and that copy will be processed;
 * - `unknown`: not a record in flight from this source (already settled, or another source's).
 */
export type Settlement = 'acked' | 'dead-lettered' | 'requeued' | 'released' | 'stale' | 'unknown';

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

interface Link {
  readonly id: number;
  readonly connection: ChannelModel;
  readonly channel: ConfirmChannel;
  alive: boolean;
  consumerTag?: string;
}

interface Delivery {
  readonly message: ConsumeMessage;
  readonly link: Link;
  readonly where: string;
}

/** Errors that waiting will not cure: a refused login, a queue declared with other arguments. */
function isPermanent(error: unknown): boolean {
  return error instanceof Error && /ACCESS[-_]REFUSED|PRECONDITION[-_]FAILED|NOT[-_]ALLOWED|cannot declare queue/.test(error.message);
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
  const { url, queue } = options;
  const prefetch = options.prefetch ?? 32;
  if (!Number.isInteger(prefetch) || prefetch < 1) throw new RangeError(`amqpSource: prefetch must be a positive integer, got ${String(prefetch)}`);
  const deadQueue = deadQueueOf(queue);
  const scheduler = options.scheduler ?? asyncScheduler;
  /** Runs `fn` after `ms` on the scheduler; returns its cancel. */
  const setTimer = (ms: number, fn: () => void): (() => void) => {
    const action = scheduler.schedule(fn, ms);
    return () => action.unsubscribe();
  };
  const emit = (event: AmqpSourceEvent) => options.onEvent?.(event);
  const stopping = new AbortController();

  let link: Link | undefined;
  let links = 0;
  let seq = 0;
  const buffer: Delivery[] = [];
  const outstanding = new Map<string, Delivery>();
  const pending = new Set<Promise<unknown>>();
  const drainWaiters = new Set<{ link: Link; done: () => void }>();
  let wake: (() => void) | undefined;
  let opening: Promise<void> | undefined;
  let reconnecting: Promise<void> | undefined;
  let ended = false;
  let closing = false;
  let failure: Error | undefined;
  let cancelIdle: (() => void) | undefined;

  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const disarmIdle = () => {
    cancelIdle?.();
    cancelIdle = undefined;
  };
  /** (Re)starts the idle timer when the queue is quiet: connected, nothing buffered, in flight or being dead-lettered. */
  const armIdle = () => {
    disarmIdle();
    const ms = options.idleExitMs;
    if (ms === undefined || ended || !link?.alive || buffer.length > 0 || outstanding.size > 0 || pending.size > 0) return;
    cancelIdle = setTimer(ms, () => {
      cancelIdle = undefined;
      stop('idle');
    });
  };

  const stop = (reason: 'idle' | 'signal' | 'closed') => {
    if (ended) return;
    ended = true;
    disarmIdle();
    stopping.abort();
    const current = link;
    if (current?.alive && current.consumerTag !== undefined) {
      // Best effort: further deliveries stay unacked and go back to the queue when the channel closes.
      current.channel.cancel(current.consumerTag).catch(() => undefined);
    }
    // Nothing to reconnect for any more: do not keep a pending reconnect waiting for stragglers.
    for (const waiter of [...drainWaiters]) waiter.done();
    emit({ type: 'stopped', reason });
    notify();
  };

  const fail = (error: unknown) => {
    failure ??= error instanceof Error ? error : new Error(String(error));
    stop('closed');
  };

  const checkDrained = () => {
    for (const waiter of drainWaiters) {
      if (![...outstanding.values()].some((d) => d.link === waiter.link)) waiter.done();
    }
  };

  /** Resolves once no record pulled through `dead` is still in flight, or after `reconnectDrainMs`. */
  const drained = (dead: Link): Promise<void> =>
    new Promise((resolve) => {
      const waiter = {
        link: dead,
        done: () => {
          drainWaiters.delete(waiter);
          cancel();
          resolve();
        },
      };
      const cancel = setTimer(options.reconnectDrainMs ?? 30_000, waiter.done);
      drainWaiters.add(waiter);
      checkDrained();
    });

  const lost = (current: Link, error: unknown) => {
    if (!current.alive) return;
    current.alive = false;
    // A link that never finished starting is retried by `establish` itself.
    const established = link === current;
    if (established) link = undefined;
    disarmIdle();
    // Buffered, never pulled: the broker redelivers them; processing them here could not ack them.
    for (let i = buffer.length - 1; i >= 0; i -= 1) if (buffer[i]?.link === current) buffer.splice(i, 1);
    if (ended || closing || !established) return;
    const inFlight = [...outstanding.values()].filter((d) => d.link === current).length;
    emit({ type: 'lost', connection: current.id, reason: error === undefined ? 'channel closed' : reasonOf(error), inFlight });
    reconnecting = (async () => {
      await drained(current);
      if (ended) return;
      await establish();
    })()
      .catch((error: unknown) => {
        if (!ended) fail(error);
      })
      .finally(() => {
        reconnecting = undefined;
      });
  };

  const deliver = (current: Link, message: ConsumeMessage) => {
    if (!current.alive) return;
    const where = current.id === 1 ? `amqp:${queue}#${message.fields.deliveryTag}` : `amqp:${queue}#${message.fields.deliveryTag}@${current.id}`;
    buffer.push({ message, link: current, where });
    disarmIdle();
    notify();
  };

  /** One attempt: connect, confirm channel, topology, prefetch, consume. */
  const connectOnce = async (): Promise<void> => {
    // One plain attempt: the backoff wraps the whole connect-declare-consume sequence.
    const connection = await (options.connect ?? ((u: string) => amqp.connect(u)))(url);
    let current: Link;
    try {
      const channel = await connection.createConfirmChannel();
      current = { id: links + 1, connection, channel, alive: true };
      // 'error' is always followed by 'close'; listening keeps an unhandled 'error' from crashing the process.
      connection.on('error', () => undefined);
      channel.on('error', () => undefined);
      connection.on('close', (error?: Error) => lost(current, error));
      channel.on('close', () => lost(current, undefined));
      await assertQueueTopology(channel, queue);
      await channel.prefetch(prefetch);
      if (ended) throw new Error('stopped while connecting');
      const { consumerTag } = await channel.consume(queue, (message) => {
        if (message === null) lost(current, new Error(`the broker cancelled the consumer of "${queue}"`));
        else deliver(current, message);
      });
      current.consumerTag = consumerTag;
      if (!current.alive) throw new Error('connection closed while starting to consume');
      links += 1;
      link = current;
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
    emit({ type: 'connected', url: redactAmqpUrl(url), queue, connection: current.id });
    armIdle();
  };

  const establish = () =>
    withBackoff(url, connectOnce, {
      retry: {
        ...options.retry,
        onRetry: (info) => {
          emit({ type: 'retry', attempt: info.attempt, delayMs: info.delayMs, reason: reasonOf(info.error) });
          options.retry?.onRetry?.(info);
        },
      },
      scheduler,
      signal: stopping.signal,
      permanent: (error) => isPermanent(error) || ended,
    });

  const open = async (): Promise<void> => {
    opening ??= establish().catch((error: unknown) => {
      if (!ended) fail(error);
    });
    await opening;
    if (failure) throw failure;
  };

  options.signal?.addEventListener('abort', () => stop('signal'), { once: true });
  if (options.signal?.aborted) stop('signal');

  const toStep = (delivery: Delivery): Step<unknown> => {
    const position: Position = { seq: seq++, where: delivery.where, resume: null };
    const text = delivery.message.content.toString('utf8');
    try {
      return { value: JSON.parse(text) as unknown, position };
    } catch (error) {
      return rejected({ value: text, position }, [
        { title: 'malformed JSON message', detail: `${delivery.where}: ${error instanceof Error ? error.message : String(error)}` },
      ]);
    }
  };

  const take = (record: SourceRecord): Delivery | undefined => {
    const delivery = outstanding.get(record.position.where);
    if (delivery) outstanding.delete(record.position.where);
    return delivery;
  };

  const afterSettle = () => {
    checkDrained();
    armIdle();
  };

  /** Runs `op` on the delivery's channel if it is still alive; `stale` otherwise. */
  const onChannel = (delivery: Delivery, op: (channel: ConfirmChannel) => void, done: Settlement): Settlement => {
    if (!delivery.link.alive) return 'stale';
    try {
      op(delivery.link.channel);
      return done;
    } catch {
      // The channel closed under us (its 'close' event is on its way): the broker redelivers.
      return 'stale';
    }
  };

  const ack = (record: SourceRecord): Settlement => {
    const delivery = take(record);
    if (!delivery) return 'unknown';
    const result = onChannel(delivery, (channel) => channel.ack(delivery.message), 'acked');
    afterSettle();
    return result;
  };

  const requeue = (record: SourceRecord): Settlement => {
    const delivery = take(record);
    if (!delivery) return 'unknown';
    const result = onChannel(delivery, (channel) => channel.nack(delivery.message, false, true), 'requeued');
    afterSettle();
    return result;
  };

  const release = (record: SourceRecord): Settlement => {
    const delivery = take(record);
    afterSettle();
    return delivery ? 'released' : 'unknown';
  };

  const deadLetter = (record: SourceRecord, errors: readonly ErrorDetail[]): Promise<Settlement> => {
    const delivery = take(record);
    if (!delivery) return Promise.resolve('unknown');
    const work = (async (): Promise<Settlement> => {
      const { channel } = delivery.link;
      if (!delivery.link.alive) return 'stale';
      try {
        await new Promise<void>((resolve, reject) => {
          channel.publish('', deadQueue, delivery.message.content, copyProperties(delivery.message, { [ERRORS_HEADER]: errorsHeader(errors) }), (error: unknown) =>
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
    pending.add(work);
    disarmIdle();
    return work.finally(() => {
      pending.delete(work);
      afterSettle();
    });
  };

  const settle = (outcome: Outcome): Promise<Settlement> => {
    switch (outcome.status) {
      case 'created':
      case 'updated':
      case 'unchanged':
      case 'skipped':
      case 'deleted':
        return Promise.resolve(ack(outcome.record));
      case 'rejected':
        return deadLetter(outcome.record, outcome.errors);
      case 'failed':
        return Promise.resolve(requeue(outcome.record));
    }
  };

  const next = async (): Promise<IteratorResult<Step<unknown>>> => {
    if (!ended) await open();
    for (;;) {
      if (failure) throw failure;
      // Once stopped, buffered messages are not started: they go back to the queue on close.
      if (ended) return { done: true, value: undefined };
      const delivery = buffer.shift();
      if (delivery) {
        outstanding.set(delivery.where, delivery);
        return { done: false, value: toStep(delivery) };
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };

  const close = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    stop('closed');
    await Promise.allSettled([...pending]);
    await reconnecting?.catch(() => undefined);
    const current = link;
    link = undefined;
    if (current?.alive) {
      current.alive = false;
      // Closing the channel first flushes the acks sent so far; unacked messages go back to the queue.
      await current.channel.close().catch(() => undefined);
      await current.connection.close().catch(() => undefined);
    }
  };

  return {
    [Symbol.asyncIterator]: () => ({
      next,
      return: () => {
        stop('closed');
        return Promise.resolve({ done: true, value: undefined });
      },
    }),
    open,
    settle,
    ack,
    requeue,
    deadLetter,
    release,
    get inFlight() {
      return outstanding.size;
    },
    close,
  };
}
