/**
 * The vocabulary of the `amqp` source: its options, the connection events it reports and what
 * became of a settled message. Apart from `amqp.ts` so that the files the source is made of
 * (link, consumer loop, settling) can share it without importing the source itself.
 */
import type { RetryPolicy } from '../util/retry-policy.js';
import type { SchedulerLike } from 'rxjs';
import type { ConnectOptions } from './amqp-connection.js';

/** Options of `amqpSource`. */
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
