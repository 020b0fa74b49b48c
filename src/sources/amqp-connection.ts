/**
 * Connecting to RabbitMQ with bounded exponential backoff, and naming the broker safely.
 */
import amqp, { type ChannelModel } from 'amqplib';

/** How `connectWithBackoff` retries. */
export interface AmqpBackoff {
  /** Connection attempts in all (default 9: about 30 s of waiting with the defaults). */
  readonly attempts?: number;
  /** Wait after the first failed attempt, doubled after each next one (default 250 ms). */
  readonly baseMs?: number;
  /** Longest single wait (default 8000 ms). */
  readonly maxMs?: number;
}

/** What `connectWithBackoff` needs besides the URL; every field is optional. */
export interface ConnectOptions extends AmqpBackoff {
  /** Opens one connection (default `amqplib.connect`); injectable for tests. */
  readonly connect?: (url: string) => Promise<ChannelModel>;
  /** Waits `ms` (default a timer); injectable so backoff is tested on virtual time. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Aborting stops retrying: the last error is thrown at once. */
  readonly signal?: AbortSignal;
  /** Called before each wait, e.g. to log `attempt 2 failed, retrying in 500 ms`. */
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

export const DEFAULT_AMQP_BACKOFF: Required<AmqpBackoff> = { attempts: 9, baseMs: 250, maxMs: 8000 };

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

/** The waits between attempts: base, 2·base, 4·base, … capped at `maxMs` (no jitter: attempts are few). */
export function backoffDelays(backoff: AmqpBackoff = {}): number[] {
  const { attempts, baseMs, maxMs } = { ...DEFAULT_AMQP_BACKOFF, ...backoff };
  return Array.from({ length: Math.max(0, attempts - 1) }, (_, i) => Math.min(maxMs, baseMs * 2 ** i));
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
 * const connection = await connectWithBackoff('amqp://guest:guest@127.0.0.1:5672', { attempts: 3 });
 * ```
 */
export function connectWithBackoff(url: string, options: ConnectOptions = {}): Promise<ChannelModel> {
  const connect = options.connect ?? ((u: string) => amqp.connect(u));
  return withBackoff(url, () => connect(url), options);
}

/**
 * Runs `attempt` until it resolves, waiting `backoffDelays(options)` between failures. An error for
 * which `permanent` says true is thrown at once (a refused login or a queue declared otherwise will
 * not get better by waiting). The final error names the broker (`url`, password hidden).
 */
export async function withBackoff<T>(
  url: string,
  attempt: () => Promise<T>,
  options: ConnectOptions & { readonly permanent?: (error: unknown) => boolean } = {},
): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  const delays = backoffDelays(options);
  let waited = 0;
  for (let n = 1; ; n += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (options.permanent?.(error)) throw error;
      const delayMs = delays[n - 1];
      if (delayMs === undefined || options.signal?.aborted) {
        throw new Error(
          `RabbitMQ at ${redactAmqpUrl(url)} unreachable after ${n} attempt(s) (${(waited / 1000).toFixed(1)} s): ${scrubUrl(reasonOf(error), url)}`,
          { cause: error },
        );
      }
      options.onRetry?.({ attempt: n, delayMs, error });
      await sleep(delayMs, options.signal);
      waited += delayMs;
    }
  }
}

/** `text` with any copy of `url` replaced by its redacted form. */
export function scrubUrl(text: string, url: string): string {
  return url === '' ? text : text.split(url).join(redactAmqpUrl(url));
}

/** A short reason: the socket error code (`ECONNREFUSED`) and/or the message. */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || error.message.includes(code)) return error.message || error.name;
  return error.message ? `${code} (${error.message})` : code;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
