/**
 * Connecting to RabbitMQ with bounded exponential backoff, and naming the broker safely.
 */
import amqp, { type ChannelModel } from 'amqplib';
import type { SchedulerLike } from 'rxjs';
import { retryAsync } from '../util/retry-async.js';
import type { RetryPolicy } from '../util/retry-policy.js';

/**
 * The reconnect's retry policy unless the caller says otherwise: 8 retries (9 attempts), waits of
 * 250 ms doubling up to 8 s, without jitter (attempts are few and slow), 31.75 s of waiting in all.
 */
export const DEFAULT_AMQP_RETRY = { retries: 8, baseMs: 250, maxMs: 8_000, jitter: 'none' } as const satisfies RetryPolicy;

/** What `connectWithBackoff` needs besides the URL; every field is optional. */
export interface ConnectOptions {
  /** Opens one connection (default `amqplib.connect`); injectable for tests. */
  readonly connect?: (url: string) => Promise<ChannelModel>;
  /**
   * How to retry: fields not given come from {@link DEFAULT_AMQP_RETRY}. Every error is worth a
   * retry unless `isRetryable` says otherwise; `onRetry` is told before each wait (e.g. to log
   * `attempt 2 failed, retrying in 500 ms`).
   */
  readonly retry?: RetryPolicy;
  /** Where the waits run when `retry` names no scheduler; `asyncScheduler` by default. */
  readonly scheduler?: SchedulerLike;
  /** Aborting stops retrying: the last error is thrown at once. */
  readonly signal?: AbortSignal;
}

/** `amqp://user:secret@host/vhost` -> `amqp://user:***@host/vhost`: safe for logs and errors. */
export function redactAmqpUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable AMQP URL)';
  }
}

/**
 * Opens a connection to `url`, retrying with exponential backoff (defaults: 9 attempts, about 30 s
 * in all). Every error names the broker without its password; the thrown error's `cause` is the
 * last attempt's error.
 *
 * @throws Error `RabbitMQ at amqp://guest:***@host:5672 unreachable after 9 attempt(s) (31.8 s): ECONNREFUSED`
 *
 * @example
 * ```ts
 * const connection = await connectWithBackoff('amqp://guest:guest@127.0.0.1:5672', { retry: { retries: 2 } });
 * ```
 */
export function connectWithBackoff(url: string, options: ConnectOptions = {}): Promise<ChannelModel> {
  const connect = options.connect ?? ((u: string) => amqp.connect(u));
  return withBackoff(url, () => connect(url), options);
}

/**
 * Runs `attempt` until it resolves, through `retryAsync` with the `retry` policy (defaults
 * {@link DEFAULT_AMQP_RETRY}). An error for which `permanent` (or the policy's `isRetryable`) says
 * so is thrown at once, as it is (a refused login or a queue declared otherwise will not get
 * better by waiting). Otherwise the final error, after the last attempt or an abort, names the
 * broker (`url`, password hidden), the attempts and the time waited; its `cause` is the last error.
 */
export async function withBackoff<T>(
  url: string,
  attempt: () => Promise<T>,
  options: ConnectOptions & { readonly permanent?: (error: unknown) => boolean } = {},
): Promise<T> {
  const policy: RetryPolicy = { ...DEFAULT_AMQP_RETRY, ...options.retry };
  const permanent = (error: unknown): boolean => options.permanent?.(error) === true || policy.isRetryable?.(error) === false;
  let attempts = 0;
  let waited = 0;
  let last: unknown;
  try {
    return await retryAsync(
      () => {
        attempts += 1;
        return attempt().catch((error: unknown) => {
          last = error;
          throw error;
        });
      },
      {
        ...policy,
        scheduler: policy.scheduler ?? options.scheduler,
        isRetryable: (error) => !permanent(error),
        onRetry: (info) => {
          waited += info.delayMs;
          policy.onRetry?.(info);
        },
      },
      { signal: options.signal },
    );
  } catch (error) {
    if (error === last && permanent(error)) throw error;
    throw new Error(
      `RabbitMQ at ${redactAmqpUrl(url)} unreachable after ${attempts} attempt(s) (${(waited / 1000).toFixed(1)} s): ${scrubUrl(reasonOf(last), url)}`,
      { cause: last },
    );
  }
}

/** `text` with any copy of `url` replaced by its redacted form. */
function scrubUrl(text: string, url: string): string {
  return url === '' ? text : text.split(url).join(redactAmqpUrl(url));
}

/** A short reason: the socket error code (`ECONNREFUSED`) and/or the message. */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || error.message.includes(code)) return error.message || error.name;
  return error.message ? `${code} (${error.message})` : code;
}
