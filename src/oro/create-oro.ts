import type { SchedulerLike } from 'rxjs';
import { createTokenStream } from '../auth/token-stream.js';
import type { TokenStream } from '../auth/types.js';
import { createHttp, type Http, type RequestEvent } from '../util/http.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import { defaultTokenUrl } from '../util/url.js';
import { createOroClient } from './client.js';
import { createLimiter, type Limiter } from './limiter.js';
import type { OroClient } from './types.js';

/** Options of {@link createOro}. */
export interface CreateOroOptions {
  /** The JSON:API base URL, e.g. `https://shop.example.com/admin/api`. */
  readonly baseUrl: string;
  /** The OAuth token endpoint; default: the origin of `baseUrl` + `/oauth2-token`. */
  readonly tokenUrl?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * Requests in flight at most (the limiter) and sockets per origin (the HTTP stack); default 8.
   * `'auto'`: the limiter finds how many requests Oro serves at once from the latencies it sees,
   * up to `maxConcurrency` (see `createLimiter`).
   */
  readonly concurrency?: number | 'auto';
  /** With `concurrency: 'auto'`, the most requests in flight (and sockets per origin); default 64. */
  readonly maxConcurrency?: number;
  /** Request starts per second at most; `0` (the default) means no rate limit. */
  readonly ratePerSecond?: number;
  /** Per-request timeout in ms, covering connect, headers and body; default 30 000. */
  readonly timeoutMs?: number;
  /** Allow plain `http://` to a host that is not loopback (config `oro.allowInsecureHttp`). */
  readonly allowInsecureHttp?: boolean;
  /**
   * The token endpoint's retry budget for network errors, 429 and 5xx: a number of retries, or
   * `retries` / `baseMs` / `maxMs`. Requests to the API are retried by the sink (`toOro`'s `retry`).
   */
  readonly retry?: number | Pick<RetryPolicy, 'retries' | 'baseMs' | 'maxMs'>;
  /** The limiter's clock; `asyncScheduler` by default. */
  readonly scheduler?: SchedulerLike;
  /** Called once per API request attempt (metrics, logs); never given a header or the token. */
  readonly onRequest?: (event: RequestEvent) => void;
  /** Called after each token grant (metrics); never given the token. */
  readonly onGrant?: () => void;
  /** Told once when Oro's own URLs name another origin (Oro behind a proxy); see `createOroClient`. */
  readonly onWarning?: (message: string) => void;
  /**
   * An HTTP stack to share (several credentials of one process over one pool). It stays open on
   * `close()`: its owner closes it. Absent: one is made from `concurrency` and `timeoutMs`.
   */
  readonly http?: Http;
}

/** What {@link createOro} wires together for one Oro credential. */
export interface Oro {
  /** The JSON:API client; every request carries the shared token. */
  readonly client: OroClient;
  /** Bounds requests in flight and their rate: give it to every `toOro` of this Oro. */
  readonly limiter: Limiter;
  /** The shared, refreshable token of the credential (one grant at a time). */
  readonly tokens: TokenStream;
  /** Stops the token renewal and closes the HTTP agents made here. Idempotent. */
  close(): void;
}

/**
 * One call for what a pipeline needs to talk to Oro: the keep-alive HTTP stack, the credential's
 * token stream over it, the JSON:API client and the request limiter.
 *
 * Plain `http://` is refused for hosts that are not loopback unless `allowInsecureHttp` says
 * otherwise; TLS is always verified.
 *
 * @example
 * ```ts
 * const oro = createOro({
 *   baseUrl: 'https://shop.example.com/admin/api',
 *   clientId: process.env.ORO_CLIENT_ID!,
 *   clientSecret: process.env.ORO_CLIENT_SECRET!,
 *   concurrency: 'auto',   // as many requests at once as Oro serves without queueing
 * });
 * records$.pipe(
 *   batchRecords({ size: 100, ms: 500 }),
 *   toOro({ client: oro.client, limiter: oro.limiter, retry: 6, target }),
 * ).subscribe({ complete: () => oro.close() });
 * ```
 *
 * @throws InsecureUrlError for plain `http://` to a non-loopback `baseUrl` or `tokenUrl` without `allowInsecureHttp`
 * @throws RangeError when `concurrency`, `maxConcurrency`, `ratePerSecond` or `timeoutMs` is out of range
 */
export function createOro(options: CreateOroOptions): Oro {
  const concurrency = options.concurrency ?? 8;
  const maxConcurrency = options.maxConcurrency ?? 64;
  const allowInsecureHttp = options.allowInsecureHttp ?? false;
  const limiter = createLimiter({
    concurrency,
    maxConcurrency,
    ratePerSecond: options.ratePerSecond ?? 0,
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
  });
  const ownHttp = options.http === undefined;
  // A socket per request the limiter may allow: fewer would queue requests in the agent, and an
  // 'auto' limit would read that queue as Oro's.
  const sockets = concurrency === 'auto' ? maxConcurrency : concurrency;
  const http = options.http ?? createHttp({ concurrency: sockets, timeoutMs: options.timeoutMs ?? 30_000 });
  const retry = typeof options.retry === 'number' ? { retries: options.retry } : options.retry;
  let tokens: TokenStream | undefined;
  try {
    tokens = createTokenStream({
      tokenUrl: options.tokenUrl ?? defaultTokenUrl(options.baseUrl),
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      allowInsecureHttp,
      fetch: http.fetch,
      ...(retry ? { retry } : {}),
      ...(options.onGrant ? { onGrant: options.onGrant } : {}),
    });
    const client = createOroClient({
      baseUrl: options.baseUrl,
      tokens,
      http,
      allowInsecureHttp,
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    });
    const held = tokens;
    return {
      client,
      limiter,
      tokens: held,
      close() {
        held.shutdown();
        client.close();
        if (ownHttp) http.close();
      },
    };
  } catch (error) {
    // A refused URL must leave no renewal timer or agent behind.
    tokens?.shutdown();
    if (ownHttp) http.close();
    throw error;
  }
}
