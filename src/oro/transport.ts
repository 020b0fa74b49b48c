import type { Type } from 'io-ts';
import type { TokenStream } from '../auth/types.js';
import { DecodeError } from '../errors/decode-error.js';
import { HttpError } from '../errors/http-error.js';
import { errorsOf } from '../errors/errors-of.js';
import { decodeOrThrow } from './codecs.js';
import type { HttpSend } from '../util/http.js';
import { parseRetryAfter } from '../util/retry-after.js';
import { onOwnOrigin } from './own-origin.js';
import type { RequestEvent } from '../util/http.js';

/** The JSON:API media type, sent exactly (Oro answers 406/415 to any parameter on it). */
export const JSON_API = 'application/vnd.api+json';

/** One request to Oro, before authentication. */
export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'OPTIONS';
  readonly url: string;
  /** Serialised as JSON with `Content-Type: application/vnd.api+json`. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Overrides the HTTP stack's timeout for this request. */
  readonly timeoutMs?: number;
  /** The source keys of the records the body carries, for the request's event (never sent). */
  readonly keys?: readonly string[];
}

/** A 2xx answer, body read. */
export interface Answer {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: string;
}

/** Authenticated requests to one Oro: the 401 handling and error mapping every client call shares. */
export interface Transport {
  readonly origin: string;
  /**
   * Send `spec` with the current bearer token. On a 401 (whatever the body), ask the token
   * stream for a newer token once and replay once; a second 401 is an `HttpError` of class `auth`.
   * Any other non-2xx is an `HttpError` with Oro's errors (when the body is a JSON:API error
   * document) and the `Retry-After` delay.
   */
  request(spec: RequestSpec): Promise<Answer>;
  /** Parse and decode a 2xx body or throw a `DecodeError` naming the request and the path. */
  decode<A>(answer: Answer, codec: Type<A, unknown, unknown>): A;
  /**
   * Resolve a URL Oro gave us (`links.next`, `Content-Location`) against the request URL. One on
   * another origin (Oro behind a proxy builds them from its inside view) is moved onto the base
   * URL's origin ({@link onOwnOrigin}), with one warning: the bearer token goes nowhere else.
   */
  followUrl(answer: Answer, raw: string, field: string): string;
}

export interface TransportOptions {
  /** The configured base URL: URLs Oro hands back are followed on its origin only. */
  readonly baseUrl: string;
  readonly tokens: TokenStream;
  readonly send: HttpSend;
  readonly onRequest?: (event: RequestEvent) => void;
  readonly now: () => number;
  /** Told once when Oro's URLs name another origin (a proxy in front of Oro). */
  readonly onWarning?: (message: string) => void;
}

export function createTransport(options: TransportOptions): Transport {
  const { tokens, send, onRequest, now, onWarning } = options;
  const base = new URL(options.baseUrl);
  const origin = base.origin;
  let warned = false;

  async function attempt(spec: RequestSpec, token: string, replayed: boolean): Promise<Answer> {
    const headers: Record<string, string> = { Accept: JSON_API, ...spec.headers, Authorization: `Bearer ${token}` };
    const hasBody = spec.body !== undefined;
    if (hasBody || spec.method === 'POST' || spec.method === 'PATCH' || spec.method === 'DELETE') headers['Content-Type'] = JSON_API;
    const started = now();
    let status: number | undefined;
    let failure: string | undefined;
    try {
      const response = await send(spec.url, {
        method: spec.method,
        headers,
        body: hasBody ? JSON.stringify(spec.body) : null,
        signal: spec.signal ?? null,
        ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
      });
      status = response.status;
      return { method: spec.method, url: spec.url, status: response.status, headers: response.headers, body: response.body };
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      // The one place a request's end is told (metrics, `--log-level debug`): what it carried, never the body.
      const records = hasBody ? recordsIn(spec.body) : undefined;
      onRequest?.({
        method: spec.method, url: spec.url, status, durationMs: now() - started,
        ...(replayed ? { replayed } : {}),
        ...(records !== undefined ? { records } : {}),
        ...(spec.keys !== undefined ? { keys: spec.keys } : {}),
        ...(failure !== undefined ? { error: failure } : {}),
      });
    }
  }

  return {
    origin,
    async request(spec) {
      const token = await tokens.current();
      let answer = await attempt(spec, token, false);
      if (answer.status === 401) {
        const fresh = await tokens.refresh(token);
        answer = await attempt(spec, fresh, true);
      }
      if (answer.status < 200 || answer.status > 299) {
        throw new HttpError(spec.method, spec.url, answer.status, errorsOf(answer.body), parseRetryAfter(answer.headers.get('retry-after'), now()));
      }
      return answer;
    },
    decode(answer, codec) {
      const what = `${answer.method} ${answer.url} (${answer.status}) response`;
      if (answer.body.trim() === '') throw new DecodeError(what, ['(body): expected a JSON:API document, got an empty body']);
      let value: unknown;
      try {
        value = JSON.parse(answer.body);
      } catch (error) {
        throw new DecodeError(what, [`(body): expected JSON, got ${(error as Error).message}`]);
      }
      return decodeOrThrow(codec, value, what);
    },
    followUrl(answer, raw, field) {
      const what = `${answer.method} ${answer.url} (${answer.status}) response`;
      let url: URL;
      try {
        url = new URL(raw, answer.url);
      } catch {
        throw new DecodeError(what, [`${field}: expected a URL, got ${JSON.stringify(raw)}`]);
      }
      const own = onOwnOrigin(url, base);
      if (own.moved && !warned) {
        warned = true;
        onWarning?.(
          `Oro's ${field} names ${url.origin}, not the configured ${origin} (Oro behind a proxy builds its URLs from its own view): following its path on ${origin}`,
        );
      }
      return own.url.toString();
    },
  };
}

/** How many records a JSON:API body carries: the length of its `data` array, 1 for one object. */
function recordsIn(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null || !('data' in body)) return undefined;
  const { data } = body as { readonly data: unknown };
  return Array.isArray(data) ? data.length : data === null || data === undefined ? 0 : 1;
}
