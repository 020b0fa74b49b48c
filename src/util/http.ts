import http from 'node:http';
import https from 'node:https';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import nodeFetch, { type Headers as NodeFetchHeaders, type RequestInit as NodeFetchInit, type Response as NodeFetchResponse } from 'node-fetch';
import { NetworkError } from '../errors/network-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { redactUrl } from './url.js';

/** Per-request hooks (metrics, logs). Never given the token. */
export interface RequestEvent {
  readonly method: string;
  readonly url: string;
  /** HTTP status, or `undefined` for a network error / timeout. */
  readonly status?: number;
  readonly durationMs: number;
  /** True when this attempt was the replay after a 401. */
  readonly replayed?: boolean;
  /** Records the request's body carried (JSON:API `data`: one object, or an array), when it had one. */
  readonly records?: number;
  /** The source keys of those records, when the caller said (the Oro client's writes). */
  readonly keys?: readonly string[];
  /** Why no answer came (a network error, a timeout), when none did. */
  readonly error?: string;
}

/** What {@link HttpFetch} accepts: the subset of `RequestInit` that Oro requests and openid-client use. */
export interface HttpRequestInit {
  readonly method?: string;
  readonly headers?: Record<string, string> | NodeFetchHeaders | Headers;
  readonly body?: string | URLSearchParams | Buffer | null;
  /** The caller's own cancellation; its abort is passed through as is (not turned into a TimeoutError). */
  readonly signal?: AbortSignal | null;
  readonly redirect?: 'follow' | 'manual' | 'error';
  /** This request's timeout instead of the stack's `timeoutMs` (a sync batch may take Oro 25 s). */
  readonly timeoutMs?: number;
}

/**
 * A `fetch` over the shared keep-alive agents. The response body is read completely inside the
 * timeout window, so the returned `Response` can be read without any further I/O (and the socket
 * is already back in the pool). It is a standard (WHATWG) `Response`, as openid-client expects.
 *
 * @throws TimeoutError when no complete answer came within `timeoutMs`
 * @throws NetworkError when the request got no HTTP answer (refused, reset, DNS, TLS)
 */
export type HttpFetch = (url: string, init?: HttpRequestInit) => Promise<Response>;

const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([204, 205, 304]);

/** An answer read whole: what the Oro client needs of a response, without building a WHATWG one. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: string;
}

/** Sends one request and reads its answer whole, within the timeout. */
export type HttpSend = (url: string, init?: HttpRequestInit) => Promise<HttpAnswer>;

/** The HTTP stack shared by the Oro client and the token stream (one agent, one pool). */
export interface Http {
  /** A standard `fetch` (openid-client needs a WHATWG `Response`). */
  readonly fetch: HttpFetch;
  /** The same stack for the Oro client: the answer as status, headers and text. */
  readonly send: HttpSend;
  readonly timeoutMs: number;
  /** Destroy the agents' sockets. Requests still in flight fail with a `NetworkError`. */
  close(): void;
}

export interface HttpOptions {
  /** Max sockets per origin (the pipeline's concurrency). */
  readonly concurrency: number;
  /** Per-request timeout covering connect, headers and body. */
  readonly timeoutMs: number;
  /** Called once per request when it ends (answered, failed or timed out). Never given headers. */
  readonly onRequest?: (event: RequestEvent) => void;
  /**
   * The clock of the request timeout and of `durationMs`; `asyncScheduler` by default. A virtual
   * scheduler here times out real sockets on virtual time: give it only to tests of the timeout,
   * not the scheduler a test moves for retry waits.
   */
  readonly scheduler?: SchedulerLike;
}

/**
 * Create the keep-alive HTTP stack: an `http.Agent` and an `https.Agent` with
 * `maxSockets = concurrency` (TLS verification stays on: `rejectUnauthorized` is never touched),
 * and a {@link HttpFetch} over node-fetch 3 with a per-request timeout.
 *
 * Give the same `fetch` to `createTokenStream` so token requests share the pool.
 *
 * @example
 * const http = createHttp({ concurrency: 8, timeoutMs: 30_000 });
 * const tokens = createTokenStream({ tokenUrl, clientId, clientSecret, fetch: http.fetch });
 * const oro = createOroClient({ baseUrl, tokens, http });
 * // ...
 * oro.close(); tokens.shutdown();
 */
export function createHttp(options: HttpOptions): Http {
  const { concurrency, timeoutMs, onRequest } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${timeoutMs}`);
  const scheduler = options.scheduler ?? asyncScheduler;

  const agentOptions = { keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency, scheduling: 'lifo' as const };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  let closed = false;

  /**
   * One request through node-fetch and the shared agent, with the timeout covering the body too;
   * `read` turns node-fetch's response into what the caller needs while the timer still runs.
   */
  async function exchange<R>(url: string, init: HttpRequestInit, read: (response: NodeFetchResponse) => Promise<R>): Promise<R> {
    const method = (init.method ?? 'GET').toUpperCase();
    const shownUrl = redactUrl(url);
    if (closed) throw new NetworkError(method, shownUrl, new Error('HTTP stack closed'));
    const started = scheduler.now();
    const controller = new AbortController();
    let timedOut = false;
    const limitMs = init.timeoutMs ?? timeoutMs;
    const timer = scheduler.schedule(() => {
      timedOut = true;
      controller.abort();
    }, limitMs);
    const callerSignal = init.signal ?? undefined;
    const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted) onCallerAbort();
    else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

    let status: number | undefined;
    try {
      const requestInit: NodeFetchInit = {
        method,
        headers: init.headers as NodeFetchInit['headers'],
        body: init.body ?? null,
        signal: controller.signal as NodeFetchInit['signal'],
        redirect: init.redirect ?? 'manual',
        agent: (parsed: URL) => (parsed.protocol === 'http:' ? httpAgent : httpsAgent),
      };
      const response = await nodeFetch(url, requestInit);
      status = response.status;
      return await read(response);
    } catch (error) {
      status = undefined;
      if (timedOut) throw new TimeoutError(method, shownUrl, limitMs);
      if (callerSignal?.aborted) throw callerSignal.reason ?? error;
      throw new NetworkError(method, shownUrl, error);
    } finally {
      timer.unsubscribe();
      callerSignal?.removeEventListener('abort', onCallerAbort);
      onRequest?.({ method, url: shownUrl, status, durationMs: scheduler.now() - started });
    }
  }

  const fetch: HttpFetch = (url, init = {}) =>
    exchange(url, init, async (response) => {
      const body = Buffer.from(await response.arrayBuffer());
      const headers = new Headers();
      for (const [name, values] of Object.entries(response.headers.raw())) {
        for (const value of values) headers.append(name, value);
      }
      return new Response(body.length > 0 && !NULL_BODY_STATUSES.has(response.status) ? body : null, {
        status: response.status,
        statusText: response.statusText,
        headers,
      });
    });

  // The Oro client's path: node-fetch's own headers and text, no second Response per request
  // (building one cost more CPU than the rest of the request handling).
  const send: HttpSend = (url, init = {}) =>
    exchange(url, init, async (response) => ({ status: response.status, headers: response.headers, body: await response.text() }));

  return {
    fetch,
    send,
    timeoutMs,
    close() {
      closed = true;
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
