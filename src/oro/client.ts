import type { TokenStream } from '../auth/types.js';
import { assertSecureUrl } from '../util/url.js';
import { DecodeError } from '../errors/decode-error.js';
import type { BatchDocument, Resource, ResourceObject, SingleDocument } from '../types/jsonapi.js';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { createAsyncOperationHandle } from './async-operation.js';
import { AsyncOperationDocument, ListDocument, SingleResourceDocument } from './codecs.js';
import { createHttp, type Http } from '../util/http.js';
import { buildQuery, withQuery } from './query.js';
import { createTransport, type Answer } from './transport.js';
import type { AsyncOperationHandle, CreateResult, ListPage, ListQuery, OroClient, RequestNote, SyncBatchResult, TypeCapabilities } from './types.js';
import type { RequestEvent } from '../util/http.js';

export interface OroClientOptions {
  /** e.g. `https://shop.example.com/admin/api` (a trailing slash is dropped). */
  readonly baseUrl: string;
  /** The shared token stream of this credential. */
  readonly tokens: TokenStream;
  /** The shared HTTP stack (give the token stream its `fetch` too); made here when absent. */
  readonly http?: Http;
  /** Max sockets of the HTTP stack made here (default 8). */
  readonly concurrency?: number;
  /** Per-request timeout of the HTTP stack made here (default 30 000). */
  readonly timeoutMs?: number;
  /**
   * Timeout of a sync batch (`X-Mode: sync`): Oro works on one for up to 25 s before it answers
   * 202, so the per-request timeout would cut it off. Default: the larger of the HTTP stack's
   * timeout and 60 000.
   */
  readonly syncBatchTimeoutMs?: number;
  /** Allow plain `http://` to a non-loopback `baseUrl` (config `oro.allowInsecureHttp`). */
  readonly allowInsecureHttp?: boolean;
  /** Told once when Oro's own URLs (`Content-Location`, `links.next`) name another origin: a proxy in front of Oro. */
  readonly onWarning?: (message: string) => void;
  /**
   * Called once per request attempt, including the replay after a 401 (`replayed: true`), with
   * what it carried (records, the keys a write's `note` named); never a body, a header or the token.
   */
  readonly onRequest?: (event: RequestEvent) => void;
  /** The clock of async-operation polling and of `Retry-After` dates; `asyncScheduler` by default. */
  readonly scheduler?: SchedulerLike;
}

/**
 * The Oro JSON:API client (`docs/oro-api.md` §2–§6).
 *
 * Every request carries `Accept: application/vnd.api+json`, `Content-Type:
 * application/vnd.api+json` on POST/PATCH/DELETE and `Authorization: Bearer <token>` from the
 * shared token stream. A 401 (Oro's has an empty body) makes one `tokens.refresh(usedToken)` and
 * one replay; a second 401 is an `HttpError` of class `auth`. Other non-2xx answers are
 * `HttpError`s carrying Oro's title / detail / pointer and the `Retry-After` delay; network
 * failures and timeouts are `NetworkError` / `TimeoutError`. Nothing else is retried here: that is
 * the retry operator's job. Every body read is checked with the io-ts codecs (`DecodeError`).
 *
 * URLs Oro hands back (`links.next`, `Content-Location`) are followed only on the base URL's
 * origin, so the bearer token never leaves it: behind a proxy, Oro builds them from its inside
 * view (`http://`, an internal host), and their path and query are followed on the base URL.
 *
 * @throws InsecureUrlError for plain `http://` to a non-loopback `baseUrl` without `allowInsecureHttp`
 *
 * @example
 * const http = createHttp({ concurrency: 8, timeoutMs: 30_000 });
 * const tokens = createTokenStream({ tokenUrl, clientId, clientSecret, fetch: http.fetch });
 * const oro = createOroClient({ baseUrl: 'https://shop.example.com/admin/api', tokens, http });
 * const page = await oro.list('customers', { filter: { externalId: ['a', 'b'] }, fields: { customers: ['name'] } });
 */
export function createOroClient(options: OroClientOptions): OroClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  assertSecureUrl(baseUrl, options.allowInsecureHttp ?? false, 'oro.allowInsecureHttp');
  const ownHttp = options.http === undefined;
  const http = options.http ?? createHttp({ concurrency: options.concurrency ?? 8, timeoutMs: options.timeoutMs ?? 30_000 });
  const scheduler = options.scheduler ?? asyncScheduler;
  const syncBatchTimeoutMs = options.syncBatchTimeoutMs ?? Math.max(http.timeoutMs, SYNC_BATCH_TIMEOUT_MS);
  const transport = createTransport({
    baseUrl,
    tokens: options.tokens,
    send: http.send,
    now: () => scheduler.now(),
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
  const collection = (type: string): string => `${baseUrl}/${encodeURIComponent(type)}`;
  const item = (type: string, id: string): string => `${collection(type)}/${encodeURIComponent(id)}`;

  function page(answer: Answer): ListPage {
    const document = transport.decode(answer, ListDocument);
    const next = document.links?.next;
    const total = totalOf(answer);
    const date = dateOf(answer);
    return {
      data: document.data,
      ...(document.included !== undefined ? { included: document.included } : {}),
      ...(next !== undefined ? { next: transport.followUrl(answer, next, 'links.next') } : {}),
      ...(total !== undefined ? { total } : {}),
      ...(date !== undefined ? { date } : {}),
    };
  }

  function handleOf(answer: Answer): AsyncOperationHandle {
    const location = answer.headers.get('content-location');
    if (location === null || location === '') {
      throw new DecodeError(`${answer.method} ${answer.url} (${answer.status}) response`, ['Content-Location header: expected the async operation URL, got nothing']);
    }
    const url = transport.followUrl(answer, location, 'Content-Location header');
    // The body is the operation itself; when it is absent, the id is the URL's last segment.
    const id = answer.body.trim() === ''
      ? decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '')
      : transport.decode(answer, AsyncOperationDocument).data.id;
    return createAsyncOperationHandle(id, url, transport, scheduler);
  }

  return {
    baseUrl,

    async list(type: string, query: ListQuery = {}) {
      const url = withQuery(collection(type), buildQuery(query));
      const answer = await transport.request({ method: 'GET', url, ...(query.totalCount ? { headers: { 'X-Include': 'totalCount' } } : {}) });
      return page(answer);
    },

    async listNext(url: string) {
      const from: Answer = { method: 'GET', url: `${baseUrl}/`, status: 200, headers: NO_HEADERS, body: '' };
      return page(await transport.request({ method: 'GET', url: transport.followUrl(from, url, 'links.next') }));
    },

    async get(type: string, id: string, query: Pick<ListQuery, 'fields' | 'include'> = {}) {
      const answer = await transport.request({ method: 'GET', url: withQuery(item(type, id), buildQuery(query)) });
      return transport.decode(answer, SingleResourceDocument).data;
    },

    async create(document: SingleDocument, note?: RequestNote): Promise<CreateResult> {
      const answer = await transport.request({ method: 'POST', url: collection(document.data.type), body: document, ...note });
      expectStatus(answer, [200, 201]);
      const decoded = transport.decode(answer, SingleResourceDocument);
      return {
        created: answer.status === 201,
        resource: decoded.data,
        ...(decoded.included !== undefined ? { included: decoded.included } : {}),
      };
    },

    async update(document: SingleDocument & { readonly data: ResourceObject & { readonly id: string } }, note?: RequestNote): Promise<Resource> {
      const answer = await transport.request({ method: 'PATCH', url: item(document.data.type, document.data.id), body: document, ...note });
      // Oro answers 200 with the record; a 204 (no content) means "done as sent".
      if (answer.status === 204) return document.data;
      return transport.decode(answer, SingleResourceDocument).data;
    },

    async delete(type: string, id: string, note?: RequestNote): Promise<void> {
      await transport.request({ method: 'DELETE', url: item(type, id), ...note });
    },

    async batch(type: string, document: BatchDocument, note?: RequestNote): Promise<AsyncOperationHandle> {
      const answer = await transport.request({ method: 'PATCH', url: collection(type), body: document, ...note });
      expectStatus(answer, [202]);
      return handleOf(answer);
    },

    async batchSync(type: string, document: BatchDocument, note?: RequestNote): Promise<SyncBatchResult> {
      const answer = await transport.request({
        method: 'PATCH',
        url: collection(type),
        body: document,
        ...note,
        headers: { 'X-Mode': 'sync' },
        timeoutMs: syncBatchTimeoutMs,
      });
      // Past 25 s (or with its queue consumer down) Oro goes on asynchronously: the caller polls,
      // outside whatever slot this request held.
      if (answer.status === 202) return { data: [], asyncFallback: handleOf(answer) };
      expectStatus(answer, [200]);
      const decoded = transport.decode(answer, ListDocument);
      return { data: decoded.data, ...(decoded.included !== undefined ? { included: decoded.included } : {}) };
    },

    async options(type: string): Promise<TypeCapabilities> {
      const answer = await transport.request({ method: 'OPTIONS', url: collection(type) });
      const allow = (answer.headers.get('allow') ?? '').split(',').map((m) => m.trim().toUpperCase()).filter((m) => m !== '');
      return { allow, batchEnabled: allow.includes('PATCH') };
    },

    close() {
      if (ownHttp) http.close();
    },
  };
}

/** Oro waits 25 s for a sync batch before it answers 202; its answer needs time on top. */
const SYNC_BATCH_TIMEOUT_MS = 60_000;

const NO_HEADERS: Answer['headers'] = { get: () => null };

function totalOf(answer: Answer): number | undefined {
  const header = answer.headers.get('x-include-total-count');
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

function dateOf(answer: Answer): number | undefined {
  const header = answer.headers.get('date');
  const ms = header === null ? Number.NaN : Date.parse(header);
  return Number.isNaN(ms) ? undefined : ms;
}

function expectStatus(answer: Answer, expected: readonly number[]): void {
  if (!expected.includes(answer.status)) {
    throw new DecodeError(`${answer.method} ${answer.url} response`, [`status: expected ${expected.join(' or ')}, got ${answer.status}`]);
  }
}
