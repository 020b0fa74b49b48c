import { asyncScheduler, defer, firstValueFrom, type SchedulerLike } from 'rxjs';
import { OroSourceError } from '../errors/oro-source-error.js';
import type { Limiter } from '../oro/limiter.js';
import type { ListPage, ListQuery, OroClient } from '../oro/types.js';
import { throttleRequests } from '../operators/throttle.js';
import type { Json, Relationship, Resource, ResourceIdentifier } from '../types/jsonapi.js';
import { retryAsync } from '../util/retry-async.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import { sleep } from '../util/sleep.js';
import { compareKeyset, firstRequest, readKeysetPage, type KeysetPoint, type KeysetQuery, type KeysetRequest } from './oro-keyset.js';
import { refusalOf, type AskedFor } from './oro-refusal.js';
import { paginate, type PaginatedSource } from './pages.js';
import { readResume } from './resume-token.js';

/**
 * One record of the Oro source: a JSON:API document for one primary resource, with the included
 * resources it refers to (directly, or through other included resources), and no others.
 */
export interface OroDocument {
  readonly data: Resource;
  readonly included: readonly Resource[];
}

/** Options of {@link oroSource}; the config's `source` of kind `oro` plus how to send. */
export interface OroSourceOptions {
  /** The JSON:API type to read, e.g. `orders`. */
  readonly type: string;
  /** Relationships whose records come along in `included` (`include=lineItems`). */
  readonly include?: readonly string[];
  /** More filters, each sent as `filter[field]=value` (not `updatedAt` nor `id`: the source owns those). */
  readonly filter?: Readonly<Record<string, string>>;
  /** Records per request (`page[size]`); default 100. */
  readonly pageSize?: number;
  /** Where a first run starts (ISO 8601): records changed at or after it. Absent: every record. */
  readonly since?: string;
  /** A checkpoint's `position.resume` (`{updatedAt, id}`): reading goes on just after that record. */
  readonly resume?: Json;
  /** Bounds the source's requests with the rest of the pipeline's (concurrency, rate, 429 pauses). */
  readonly limiter?: Limiter;
  /** How a page request is retried on transient errors (`retryAsync`); absent: not at all. */
  readonly retry?: RetryPolicy;
  /**
   * How long after its second a record counts as settled, in ms (default 1000): the margin for a
   * write whose transaction commits a moment after it stamped `updatedAt`. See `oro-keyset.ts`.
   */
  readonly settleMs?: number;
  /** Pages fetched ahead of the page being read (default 1). */
  readonly prefetch?: number;
  /** The clock of the waits (retries, a second to settle); `asyncScheduler` by default. */
  readonly scheduler?: SchedulerLike;
  /** Told once, on the first page, how many records Oro holds from the start point on. */
  readonly onTotal?: (total: number) => void;
}

/** A page request: the keyset walk's, with the run's horizon and Oro's clock once known. */
interface OroRequest {
  readonly keyset: KeysetRequest;
  readonly horizon?: number;
  /** Oro's `Date` at the last answer, and the local clock then. */
  readonly clock?: { readonly server: number; readonly local: number };
}

/**
 * Reads one Oro type incrementally, by `updatedAt` (`sort=updatedAt,id`), as documents of one
 * resource and what it includes: the config's `source.kind: "oro"` (orders out to an ERP).
 *
 * It walks a keyset, `(updatedAt, id)` of the last record delivered, rather than `page[number]`:
 * every request is page 1 of "what comes after the keyset", so records that change while it reads
 * shift nothing, and records sharing one second (Oro answers `updatedAt` to the second) are
 * drained by id. Each record's resume token is its keyset, `{updatedAt, id}`: an interrupted run
 * resumes just after the last record with an outcome, and the next run after a complete one reads
 * what changed since. A run reads what changed up to the second it started in; it passes no second
 * until Oro's clock says it is over (see `oro-keyset.ts`, which also explains the requests).
 *
 * Pull-based like every paginated source (`paginate`): a page is fetched only when the consumer
 * has taken the records already fetched. Requests go through `limiter` and are retried as `retry`
 * says; a permanent refusal (a filter or sorter Oro lacks, an include it does not know) stops the
 * source with an `OroSourceError` naming the config path to change and Oro's own words.
 *
 * @example
 * ```ts
 * const oro = createOro({ baseUrl, clientId, clientSecret });
 * const orders = oroSource(oro.client, { type: 'orders', include: ['lineItems'], limiter: oro.limiter, retry: { retries: 6 } });
 * for await (const record of orders) {
 *   const { data, included } = record.value as OroDocument;
 *   console.log(data.id, included.length, record.position.resume);   // '42' 3 { updatedAt: '2026-01-05T10:00:00Z', id: '42' }
 * }
 * ```
 *
 * @throws OroSourceError at once when `filter` names `updatedAt` or `id`, or `since` / `resume` is not a time.
 */
export function oroSource(client: OroClient, options: OroSourceOptions): PaginatedSource {
  const { type } = options;
  const pageSize = options.pageSize ?? 100;
  const settleMs = options.settleMs ?? 1000;
  const scheduler = options.scheduler ?? asyncScheduler;
  const retry: RetryPolicy = options.retry === undefined ? { retries: 0 } : { scheduler, ...options.retry };
  const asked: AskedFor = { type, filter: options.filter ?? {}, include: options.include ?? [], pageSize };
  for (const field of ['updatedAt', 'id']) {
    if (field in asked.filter) {
      throw new OroSourceError(`source.filter.${field}`, `the source filters by ${field} itself, to read what changed; remove it (source.since sets where a first run starts)`);
    }
  }
  const since = options.since === undefined ? undefined : instantOf(options.since, 'source.since');
  const first = firstRequest(resumePoint(options.resume), since);
  const start: KeysetQuery = since === undefined ? { kind: 'all' } : { kind: 'from', at: since };
  const limited = (call: () => Promise<ListPage>): Promise<ListPage> =>
    options.limiter === undefined ? call() : firstValueFrom(defer(call).pipe(throttleRequests(options.limiter)));
  // Asked of the first request only: a count is a query of its own on Oro's side.
  let askTotal = options.onTotal !== undefined;

  const fetchPage = async (request: OroRequest, signal: AbortSignal) => {
    const { keyset, clock } = request;
    if (keyset.notBefore !== undefined && clock !== undefined) {
      // The second of a record on the last page was not over: wait for Oro's clock to pass it.
      await sleep(keyset.notBefore - (clock.server + scheduler.now() - clock.local), { scheduler, signal });
    }
    const query = listQuery(keyset.query, asked, askTotal);
    const page = await retryAsync(() => limited(() => client.list(type, query)), retry, { signal }).catch((error: unknown) => {
      throw refusalOf(error, asked);
    });
    if (askTotal && page.total !== undefined) options.onTotal?.(page.total);
    askTotal = false;
    const local = scheduler.now();
    const server = page.date ?? local;
    const horizon = request.horizon ?? Math.floor(server / 1000) * 1000 + 1000;
    const points = page.data.map((resource) => pointOf(resource, type));
    inKeysetOrder(points, type, query);
    const step = readKeysetPage(keyset, points, server, { pageSize, settleMs, horizon, start });
    if (step.stuck) {
      throw new OroSourceError('source.type', `Oro answered a full page of "${type}" records already read to ${describeQuery(keyset.query)}: it did not apply filter[id][gt], so this source cannot page through one second of it`);
    }
    const included = indexOf(page.included ?? []);
    const items: OroDocument[] = step.take.map((index) => documentOf(page.data[index] as Resource, included));
    const next: OroRequest | null = step.next === null ? null : { keyset: step.next, horizon, clock: { server, local } };
    return { items, next };
  };

  return paginate<OroRequest>({
    first: { keyset: first },
    prefetch: options.prefetch ?? 1,
    fetchPage,
    describe: (_request, _index, item) => {
      const { data } = item as OroDocument;
      const updatedAt = isoOf(pointOf(data, type).at);
      return { where: `${type} ${data.id} (updatedAt ${updatedAt})`, resume: { updatedAt, id: data.id } };
    },
  });
}

/**
 * The document of one primary resource: it and the included resources it reaches through its
 * relationships (a line item's product, when that was included too), in the order reached.
 */
export function documentOf(resource: Resource, included: ReadonlyMap<string, Resource>): OroDocument {
  const picked: Resource[] = [];
  const seen = new Set([keyOf(resource)]);
  const queue: Resource[] = [resource];
  for (let i = 0; i < queue.length; i += 1) {
    for (const relationship of Object.values(queue[i]?.relationships ?? {})) {
      for (const ref of identifiersOf(relationship)) {
        const key = keyOf(ref);
        if (seen.has(key)) continue;
        seen.add(key);
        const found = included.get(key);
        if (found === undefined) continue;
        picked.push(found);
        queue.push(found);
      }
    }
  }
  return { data: resource, included: picked };
}

const keyOf = (ref: ResourceIdentifier): string => `${ref.type}\u0000${ref.id}`;

function identifiersOf({ data }: Relationship): readonly ResourceIdentifier[] {
  if (data === null) return [];
  return isList(data) ? data : [data];
}

function isList(data: ResourceIdentifier | readonly ResourceIdentifier[]): data is readonly ResourceIdentifier[] {
  return Array.isArray(data);
}

function indexOf(included: readonly Resource[]): Map<string, Resource> {
  return new Map(included.map((resource) => [keyOf(resource), resource]));
}

/** `YYYY-MM-DDTHH:MM:SSZ`, as Oro writes and reads times. */
function isoOf(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function instantOf(value: string, path: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) {
    throw new OroSourceError(path, `expected an ISO 8601 time such as 2026-01-01T00:00:00Z, got ${JSON.stringify(value)}`);
  }
  // Oro compares whole seconds: a start inside a second means that whole second.
  return Math.floor(ms / 1000) * 1000;
}

function resumePoint(resume: Json | undefined): KeysetPoint | undefined {
  if (resume === undefined || resume === null) return undefined;
  const token = readResume(resume, { updatedAt: 'string', id: 'string' }, '{updatedAt, id}');
  return { at: instantOf(token.updatedAt, 'source resume token updatedAt'), id: token.id };
}

/** A record's keyset; Oro's answer must carry `updatedAt` (the source needs it, so it checks). */
function pointOf(resource: Resource, type: string): KeysetPoint {
  const value = resource.attributes?.['updatedAt'];
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new OroSourceError('source.type', `Oro sent ${resource.type} ${resource.id} with updatedAt ${JSON.stringify(value ?? null)}: "${type}" records need a time there for this source to read what changed`);
  }
  return { at: ms, id: resource.id };
}

/** A page out of `(updatedAt, id)` order would make the keyset skip records: stop and say so. */
function inKeysetOrder(points: readonly KeysetPoint[], type: string, query: ListQuery): void {
  for (let i = 1; i < points.length; i += 1) {
    const [before, after] = [points[i - 1] as KeysetPoint, points[i] as KeysetPoint];
    if (compareKeyset(before, after) >= 0) {
      throw new OroSourceError('source.type', `Oro answered "${type}" ${before.id} before ${after.id} to sort=${query.sort ?? ''}: the records are not in (updatedAt, id) order, so this source cannot read them without skipping some`);
    }
  }
}

/** The list request for one step of the walk: the keyset's filters, the user's, sort, size, include. */
function listQuery(query: KeysetQuery, asked: AskedFor, totalCount: boolean): ListQuery {
  const filter: NonNullable<ListQuery['filter']> = { ...asked.filter, ...keysetFilter(query) };
  return {
    filter,
    sort: 'updatedAt,id',
    page: { size: asked.pageSize },
    ...(asked.include.length > 0 ? { include: asked.include } : {}),
    ...(totalCount ? { totalCount } : {}),
  };
}

function keysetFilter(query: KeysetQuery): NonNullable<ListQuery['filter']> {
  switch (query.kind) {
    case 'all':
      return {};
    case 'from':
      return { updatedAt: { gte: isoOf(query.at) } };
    case 'same-second':
      return { updatedAt: isoOf(query.at), id: { gt: query.afterId } };
    case 'after':
      return { updatedAt: { gt: isoOf(query.at) } };
  }
}

function describeQuery(query: KeysetQuery): string {
  switch (query.kind) {
    case 'all':
      return 'no filter';
    case 'from':
      return `filter[updatedAt][gte]=${isoOf(query.at)}`;
    case 'same-second':
      return `filter[updatedAt]=${isoOf(query.at)}&filter[id][gt]=${query.afterId}`;
    case 'after':
      return `filter[updatedAt][gt]=${isoOf(query.at)}`;
  }
}
