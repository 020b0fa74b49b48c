/**
 * What the parts of one `amqpSource` share: its settings, the link to the broker, the messages
 * buffered and in flight, and the stop switch; with the moves every part makes on them (wake the
 * puller, arm the idle timer, stop, notice that a lost link's records are all settled).
 */
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { AmqpSourceEvent, AmqpSourceOptions } from './amqp-options.js';
import { deadQueueOf } from './amqp-topology.js';

/** One connection and its confirm channel; `alive` until either closes. */
export interface Link {
  readonly id: number;
  readonly connection: ChannelModel;
  readonly channel: ConfirmChannel;
  alive: boolean;
  consumerTag?: string;
}

/** A message and the link it came on: only that link's channel can settle it. */
export interface Delivery {
  readonly message: ConsumeMessage;
  readonly link: Link;
  readonly where: string;
}

type StopReason = Extract<AmqpSourceEvent, { readonly type: 'stopped' }>['reason'];

export interface AmqpSourceState {
  readonly options: AmqpSourceOptions;
  readonly url: string;
  readonly queue: string;
  readonly deadQueue: string;
  readonly prefetch: number;
  readonly scheduler: SchedulerLike;
  /** Aborted on stop: ends a reconnect's backoff wait at once. */
  readonly stopping: AbortController;
  /** The link being consumed from, once established. */
  link: Link | undefined;
  /** Links established so far: the next one's id is `links + 1`. */
  links: number;
  seq: number;
  /** Delivered, not yet pulled. */
  readonly buffer: Delivery[];
  /** Pulled and not yet settled, by `where`. */
  readonly outstanding: Map<string, Delivery>;
  /** Dead-letter publishes awaiting the broker's confirm. */
  readonly pending: Set<Promise<unknown>>;
  /** A reconnect waiting for the records pulled through a lost link to be settled. */
  readonly drainWaiters: Set<{ readonly link: Link; readonly done: () => void }>;
  /** Resolves the puller's wait for a delivery or a stop. */
  wake: (() => void) | undefined;
  opening: Promise<void> | undefined;
  reconnecting: Promise<void> | undefined;
  ended: boolean;
  closing: boolean;
  failure: Error | undefined;
  cancelIdle: (() => void) | undefined;
}

/** @throws RangeError when `prefetch` is not a positive integer. */
export function createAmqpSourceState(options: AmqpSourceOptions): AmqpSourceState {
  const { url, queue } = options;
  const prefetch = options.prefetch ?? 32;
  if (!Number.isInteger(prefetch) || prefetch < 1) throw new RangeError(`amqpSource: prefetch must be a positive integer, got ${String(prefetch)}`);
  return {
    options,
    url,
    queue,
    deadQueue: deadQueueOf(queue),
    prefetch,
    scheduler: options.scheduler ?? asyncScheduler,
    stopping: new AbortController(),
    link: undefined,
    links: 0,
    seq: 0,
    buffer: [],
    outstanding: new Map(),
    pending: new Set(),
    drainWaiters: new Set(),
    wake: undefined,
    opening: undefined,
    reconnecting: undefined,
    ended: false,
    closing: false,
    failure: undefined,
    cancelIdle: undefined,
  };
}

export function emit(state: AmqpSourceState, event: AmqpSourceEvent): void {
  state.options.onEvent?.(event);
}

/** Runs `fn` after `ms` on the source's scheduler; returns its cancel. */
export function setTimer(state: AmqpSourceState, ms: number, fn: () => void): () => void {
  const action = state.scheduler.schedule(fn, ms);
  return () => action.unsubscribe();
}

export function notify(state: AmqpSourceState): void {
  const w = state.wake;
  state.wake = undefined;
  w?.();
}

export function disarmIdle(state: AmqpSourceState): void {
  state.cancelIdle?.();
  state.cancelIdle = undefined;
}

/** (Re)starts the idle timer when the queue is quiet: connected, nothing buffered, in flight or being dead-lettered. */
export function armIdle(state: AmqpSourceState): void {
  disarmIdle(state);
  const ms = state.options.idleExitMs;
  if (ms === undefined || state.ended || !state.link?.alive || state.buffer.length > 0 || state.outstanding.size > 0 || state.pending.size > 0) return;
  state.cancelIdle = setTimer(state, ms, () => {
    state.cancelIdle = undefined;
    stop(state, 'idle');
  });
}

export function stop(state: AmqpSourceState, reason: StopReason): void {
  if (state.ended) return;
  state.ended = true;
  disarmIdle(state);
  state.stopping.abort();
  const current = state.link;
  if (current?.alive && current.consumerTag !== undefined) {
    // Best effort: further deliveries stay unacked and go back to the queue when the channel closes.
    current.channel.cancel(current.consumerTag).catch(() => undefined);
  }
  // Nothing to reconnect for any more: do not keep a pending reconnect waiting for stragglers.
  for (const waiter of [...state.drainWaiters]) waiter.done();
  emit(state, { type: 'stopped', reason });
  notify(state);
}

export function fail(state: AmqpSourceState, error: unknown): void {
  state.failure ??= error instanceof Error ? error : new Error(String(error));
  stop(state, 'closed');
}

/** Lets a waiting reconnect go once no record pulled through its lost link is in flight. */
export function checkDrained(state: AmqpSourceState): void {
  for (const waiter of state.drainWaiters) {
    if (![...state.outstanding.values()].some((d) => d.link === waiter.link)) waiter.done();
  }
}
