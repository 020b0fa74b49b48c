import { DecodeError } from '../errors/decode-error.js';
import { HttpError } from '../errors/http-error.js';
import type { Json } from '../types/jsonapi.js';
import { getPath, jsonTypeOf } from '../util/path.js';
import { nextFromLinkHeader } from './link-header.js';
import { paginate, type PaginatedSource } from './pages.js';
import { readResume } from './resume-token.js';
import { redactUrl } from '../util/url.js';
import { createHttp, type HttpAnswer, type HttpSend } from '../util/http.js';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { parseRetryAfter } from '../util/retry-after.js';
import { retryAsync } from '../util/retry-async.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import { errorsOf } from '../errors/errors-of.js';

/** `?page=1&per_page=100`, then 2, 3, … until an empty or short page. */
export interface PagePagination {
  readonly kind: 'page';
  /** Default `page`. */
  readonly pageParam?: string;
  /** Default `per_page`. */
  readonly sizeParam?: string;
  /** Default 100. */
  readonly size?: number;
  /** Default 1. */
  readonly firstPage?: number;
}

/** `?offset=0&limit=100`, then 100, 200, … until an empty or short page. */
export interface OffsetPagination {
  readonly kind: 'offset';
  /** Default `offset`. */
  readonly offsetParam?: string;
  /** Default `limit`. */
  readonly limitParam?: string;
  /** Default 100. */
  readonly limit?: number;
}

/** `?limit=100`, then `?cursor=<value at cursorPath>&limit=100` until that value is null or absent. */
export interface CursorPagination {
  readonly kind: 'cursor';
  /** Default `cursor`. */
  readonly cursorParam?: string;
  /** Default `meta.next_cursor`. */
  readonly cursorPath?: string;
  /** Default `limit`. */
  readonly sizeParam?: string;
  /** Default 100. */
  readonly size?: number;
}

/**
 * Follows the next link the server gives, from the body (`nextPath`, default `links.next`; a string
 * or a JSON:API link object `{href}`) or from a response header in RFC 8288 form (`nextHeader:
 * "Link"`, `rel="next"`). Relative links resolve against the URL of the page they came in.
 * This is how Oro's own lists are read.
 */
export type NextLinkPagination =
  | { readonly kind: 'next-link'; readonly nextPath?: string; readonly nextHeader?: undefined }
  | { readonly kind: 'next-link'; readonly nextHeader: string; readonly nextPath?: undefined };

export type HttpPagination = PagePagination | OffsetPagination | CursorPagination | NextLinkPagination;

/**
 * Where and how `httpSource` reads a paginated JSON export: the URL, where the records are in each
 * page, credentials, and how the next page is addressed.
 *
 * @example
 * ```ts
 * const options: HttpSourceOptions = {
 *   url: 'https://erp.example.com/api/customers',
 *   itemsPath: 'items',
 *   auth: { bearer: process.env.ERP_TOKEN ?? '' },
 *   pagination: { kind: 'page', pageParam: 'page', sizeParam: 'per_page', size: 500 },
 * };
 * pullThrough(httpSource(options), (records$) => records$.pipe(decodeWith(Customer)), { maxInFlight: 1_000 });
 * ```
 */
export interface HttpSourceOptions {
  readonly url: string;
  /** Dot path to the records in each response body; absent: the body is the array. */
  readonly itemsPath?: string;
  /** Extra request headers, already `${ENV}`-substituted. `Accept` defaults to `application/json`. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly auth?: { readonly bearer: string } | { readonly username: string; readonly password: string };
  /** Absent: one request. */
  readonly pagination?: HttpPagination;
  /** Extra query parameters (e.g. "changed since the watermark"); on the first URL only for next-link. */
  readonly query?: Readonly<Record<string, string>>;
  /** A checkpoint's `position.resume`: reading restarts just after that record. */
  readonly resume?: Json;
  /** Pages fetched ahead of the page being read (default 1). */
  readonly prefetch?: number;
  /**
   * The HTTP stack to send through (its own timeout applies, not `timeoutMs`). Absent: each
   * iteration makes its own keep-alive stack ({@link createHttp}) and closes it when the iteration
   * ends, however it ends.
   */
  readonly send?: HttpSend;
  /** Per attempt, covering the answer's headers and body (default 30 000); for the source's own stack. */
  readonly timeoutMs?: number;
  /**
   * How a page request is retried (`retryAsync`: `backoffDelay`, a `Retry-After` honoured; the
   * `RetryPolicy` defaults for fields not given). Absent: no retry. Transient failures reach its
   * `isRetryable` and `onRetry` as `NetworkError`, `TimeoutError`, `HttpError`. A wait ends when
   * the iteration does.
   */
  readonly retry?: RetryPolicy;
  /** The clock of the retry waits (unless `retry` names one) and of the own stack's timeout; `asyncScheduler` by default. */
  readonly scheduler?: SchedulerLike;
  /** Called once with the export's total record count, when the server tells it. */
  readonly onTotal?: (total: number) => void;
  /** Dot path to a total count in the body. */
  readonly totalPath?: string;
  /** Response header with a total count (default `X-Include-Total-Count`, Oro's). */
  readonly totalHeader?: string;
}

/** One request of a run: what to ask for, in the terms of the pagination kind. */
type Request =
  | { readonly kind: 'single'; readonly url: string }
  | { readonly kind: 'page'; readonly page: number }
  | { readonly kind: 'offset'; readonly offset: number }
  | { readonly kind: 'cursor'; readonly cursor: string | null }
  | { readonly kind: 'next-link'; readonly url: string };

interface Plan {
  readonly first: Request;
  readonly skip: number;
  readonly urlOf: (request: Request) => string;
  readonly nextOf: (request: Request, items: readonly unknown[], body: unknown, headers: HttpAnswer['headers'], url: string) => Request | null;
  readonly describe: (request: Request, index: number) => { where: string; resume: Json };
}

/**
 * Records from a JSON HTTP API (the config's `http` source kind), page by page, pulled: a page is
 * fetched only when the consumer has taken (nearly) all records already fetched (see `paginate`).
 *
 * - page and offset stop at an empty or short page; cursor when the cursor is null or absent;
 *   next-link when there is no next link; no pagination: one request.
 * - resume tokens: page `{page, skip}`, offset `{offset}`, cursor `{cursor, skip}`, next-link
 *   `{url, skip}`, single `{skip}`. Resuming refetches that page and drops the records already done.
 * - a 4xx stops the source with an `HttpError` naming the URL and status; transient failures
 *   (network, timeout, 408/429/5xx) are retried as `retry` says (not at all by default), then stop it.
 * - a body that is not JSON, or has no array at `itemsPath`: a `DecodeError` naming URL and path.
 *
 * @example
 * ```ts
 * const source = httpSource({
 *   url: 'https://erp.example.com/api/customers',
 *   itemsPath: 'data',
 *   headers: { Authorization: `Bearer ${process.env.ERP_TOKEN}` },
 *   pagination: { kind: 'cursor', cursorPath: 'meta.next_cursor' },
 *   resume: checkpoint?.resume,
 * });
 * ```
 */
export function httpSource(options: HttpSourceOptions): PaginatedSource {
  const given = options.send;
  const scheduler = options.scheduler ?? asyncScheduler;
  const sendOf = given === undefined ? sendPerRun(options.timeoutMs ?? 30_000, scheduler) : () => given;
  const retry: RetryPolicy = options.retry === undefined ? { retries: 0 } : { scheduler, ...options.retry };
  const headers = requestHeaders(options);
  const plan = planOf(options);
  let totalReported = false;

  const fetchPage = async (request: Request, signal: AbortSignal) => {
    const url = plan.urlOf(request);
    const send = sendOf(signal);
    const { body, headers: responseHeaders } = await retryAsync(() => getJson(send, url, headers, signal), retry, { signal });
    const items = options.itemsPath === undefined ? body : getPath(body, options.itemsPath);
    if (!Array.isArray(items)) {
      const where = options.itemsPath === undefined ? 'response body' : `itemsPath "${options.itemsPath}"`;
      throw new DecodeError(`GET ${redactUrl(url)}`, [`${where}: expected an array, got ${jsonTypeOf(items)}`]);
    }
    if (!totalReported && options.onTotal) {
      const total = totalOf(body, responseHeaders, options);
      if (total !== undefined) {
        totalReported = true;
        options.onTotal(total);
      }
    }
    return { items, next: plan.nextOf(request, items, body, responseHeaders, url) };
  };

  return paginate<Request>({
    first: plan.first,
    skip: plan.skip,
    prefetch: options.prefetch ?? 1,
    fetchPage,
    describe: plan.describe,
  });
}

/**
 * The source's own HTTP stack, one per iteration: made on the iteration's first request, closed
 * when `paginate` aborts the iteration's signal, which it does however the iteration ends
 * (return, error, last page), so no keep-alive socket outlives it.
 */
function sendPerRun(timeoutMs: number, scheduler: SchedulerLike): (signal: AbortSignal) => HttpSend {
  const stacks = new WeakMap<AbortSignal, HttpSend>();
  return (signal) => {
    let send = stacks.get(signal);
    if (send === undefined) {
      // Pages are fetched one at a time; the second socket lets a retry start while the socket of
      // a timed-out attempt is still being torn down.
      const http = createHttp({ concurrency: 2, timeoutMs, scheduler });
      signal.addEventListener('abort', () => http.close(), { once: true });
      send = http.send;
      stacks.set(signal, send);
    }
    return send;
  };
}

function requestHeaders(options: HttpSourceOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const given = options.headers ?? {};
  if (!Object.keys(given).some((name) => name.toLowerCase() === 'accept')) headers['Accept'] = 'application/json';
  Object.assign(headers, given);
  const { auth } = options;
  if (auth && 'bearer' in auth) headers['Authorization'] = `Bearer ${auth.bearer}`;
  else if (auth) {
    headers['Authorization'] = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  }
  return headers;
}

/** The URL with the given query parameters set (replacing any of the same name). */
function withParams(url: string, params: Readonly<Record<string, string>>): string {
  const u = new URL(url);
  for (const [name, value] of Object.entries(params)) u.searchParams.set(name, value);
  return u.toString();
}

/** An item's place on its page, in its `where`. */
const at = (index: number): string => `#${index}`;

/** How to request each page, find the next one and name each item, for the pagination configured. */
function planOf(options: HttpSourceOptions): Plan {
  const query = options.query ?? {};
  const resume = options.resume;
  const pagination = options.pagination;

  if (pagination === undefined) {
    const url = withParams(options.url, query);
    const token = resume === undefined ? { skip: 0 } : readResume(resume, { skip: 'count' }, '{skip}');
    return {
      first: { kind: 'single', url },
      skip: token.skip,
      urlOf: () => url,
      nextOf: () => null,
      describe: (_request, index) => ({ where: `${redactUrl(url)} ${at(index)}`, resume: { skip: index + 1 } }),
    };
  }

  switch (pagination.kind) {
    case 'page':
      return pagePlan(options, pagination);
    case 'offset':
      return offsetPlan(options, pagination);
    case 'cursor':
      return cursorPlan(options, pagination);
    case 'next-link':
      return nextLinkPlan(options, pagination);
  }
}

function pagePlan(options: HttpSourceOptions, pagination: PagePagination): Plan {
  const query = options.query ?? {};
  const resume = options.resume;
  const pageParam = pagination.pageParam ?? 'page';
  const sizeParam = pagination.sizeParam ?? 'per_page';
  const size = pagination.size ?? 100;
  const token =
    resume === undefined
      ? { page: pagination.firstPage ?? 1, skip: 0 }
      : readResume(resume, { page: 'count', skip: 'count' }, '{page, skip}');
  return {
    first: { kind: 'page', page: token.page },
    skip: token.skip,
    urlOf: (r) => withParams(options.url, { ...query, [pageParam]: String(pageOf(r)), [sizeParam]: String(size) }),
    nextOf: (r, items) => (items.length === 0 || items.length < size ? null : { kind: 'page', page: pageOf(r) + 1 }),
    describe: (r, index) => ({ where: `page ${pageOf(r)} ${at(index)}`, resume: { page: pageOf(r), skip: index + 1 } }),
  };
}

function offsetPlan(options: HttpSourceOptions, pagination: OffsetPagination): Plan {
  const query = options.query ?? {};
  const resume = options.resume;
  const offsetParam = pagination.offsetParam ?? 'offset';
  const limitParam = pagination.limitParam ?? 'limit';
  const limit = pagination.limit ?? 100;
  const token = resume === undefined ? { offset: 0 } : readResume(resume, { offset: 'count' }, '{offset}');
  return {
    first: { kind: 'offset', offset: token.offset },
    skip: 0,
    urlOf: (r) => withParams(options.url, { ...query, [offsetParam]: String(offsetOf(r)), [limitParam]: String(limit) }),
    nextOf: (r, items) =>
      items.length === 0 || items.length < limit ? null : { kind: 'offset', offset: offsetOf(r) + items.length },
    describe: (r, index) => ({
      where: `offset ${offsetOf(r)} ${at(index)}`,
      resume: { offset: offsetOf(r) + index + 1 },
    }),
  };
}

function cursorPlan(options: HttpSourceOptions, pagination: CursorPagination): Plan {
  const query = options.query ?? {};
  const resume = options.resume;
  const cursorParam = pagination.cursorParam ?? 'cursor';
  const cursorPath = pagination.cursorPath ?? 'meta.next_cursor';
  const sizeParam = pagination.sizeParam ?? 'limit';
  const size = pagination.size ?? 100;
  const token =
    resume === undefined
      ? { cursor: null, skip: 0 }
      : readResume(resume, { cursor: 'cursor', skip: 'count' }, '{cursor, skip}');
  return {
    first: { kind: 'cursor', cursor: token.cursor },
    skip: token.skip,
    urlOf: (r) => {
      const cursor = cursorOf(r);
      return withParams(options.url, {
        ...query,
        ...(cursor === null ? {} : { [cursorParam]: cursor }),
        [sizeParam]: String(size),
      });
    },
    nextOf: (_r, _items, body) => {
      const next = getPath(body, cursorPath);
      if (next === null || next === undefined || next === '') return null;
      return { kind: 'cursor', cursor: typeof next === 'string' ? next : JSON.stringify(next) };
    },
    describe: (r, index) => ({
      where: `cursor ${cursorOf(r) ?? '(first)'} ${at(index)}`,
      resume: { cursor: cursorOf(r), skip: index + 1 },
    }),
  };
}

function nextLinkPlan(options: HttpSourceOptions, pagination: NextLinkPagination): Plan {
  const query = options.query ?? {};
  const resume = options.resume;
  const token =
    resume === undefined
      ? { url: withParams(options.url, query), skip: 0 }
      : readResume(resume, { url: 'string', skip: 'count' }, '{url, skip}');
  const { nextHeader } = pagination;
  const nextPath = pagination.nextPath ?? 'links.next';
  return {
    first: { kind: 'next-link', url: token.url },
    skip: token.skip,
    urlOf: (r) => linkOf(r),
    nextOf: (_r, _items, body, headers, url) => {
      const link = nextHeader === undefined ? hrefOf(getPath(body, nextPath)) : nextFromLinkHeader(headers.get(nextHeader));
      return link === null ? null : { kind: 'next-link', url: new URL(link, url).toString() };
    },
    describe: (r, index) => ({ where: `${redactUrl(linkOf(r))} ${at(index)}`, resume: { url: linkOf(r), skip: index + 1 } }),
  };
}

// The plan of each kind only ever sees requests of its own kind; these read them back.
const pageOf = (r: Request): number => (r.kind === 'page' ? r.page : 0);
const offsetOf = (r: Request): number => (r.kind === 'offset' ? r.offset : 0);
const cursorOf = (r: Request): string | null => (r.kind === 'cursor' ? r.cursor : null);
const linkOf = (r: Request): string => (r.kind === 'next-link' || r.kind === 'single' ? r.url : '');

/** A next link as a string: JSON:API allows a plain string or a link object `{href}`. */
function hrefOf(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { href?: unknown }).href === 'string') {
    return (value as { href: string }).href;
  }
  return null;
}

function totalOf(body: unknown, headers: HttpAnswer['headers'], options: HttpSourceOptions): number | undefined {
  if (options.totalPath !== undefined) {
    const value = getPath(body, options.totalPath);
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  const header = headers.get(options.totalHeader ?? 'X-Include-Total-Count');
  if (header !== null && /^\d+$/.test(header.trim())) return Number(header.trim());
  return undefined;
}

/**
 * One GET: status classified, body parsed. `send` reads the answer within its timeout and turns
 * network failures and timeouts into `NetworkError` and `TimeoutError`.
 */
async function getJson(
  send: HttpSend,
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<{ body: unknown; headers: HttpAnswer['headers'] }> {
  signal.throwIfAborted();
  const shown = redactUrl(url);
  // An export API may redirect (node-fetch's default); the shared stack does not unless asked.
  const answer = await send(url, { method: 'GET', headers, signal, redirect: 'follow' });
  if (answer.status < 200 || answer.status >= 300) {
    throw new HttpError('GET', shown, answer.status, errorsOf(answer.body), parseRetryAfter(answer.headers.get('Retry-After'), Date.now()));
  }
  try {
    return { body: JSON.parse(answer.body) as unknown, headers: answer.headers };
  } catch (error) {
    throw new DecodeError(`GET ${shown}`, [`response body is not JSON: ${(error as Error).message}`]);
  }
}
