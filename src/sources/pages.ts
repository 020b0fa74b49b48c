import type { Json } from '../types/jsonapi.js';
import type { SourceRecord } from '../types/record.js';

/** One fetched page: its records and the request for the page after it (`null`: last page). */
export interface Page<P> {
  readonly items: readonly unknown[];
  readonly next: P | null;
}

export interface PaginateOptions<P> {
  /**
   * Fetches one page. `signal` aborts when the consumer stops early (`return()`), so a pending
   * request does not keep the process alive.
   */
  readonly fetchPage: (request: P, signal: AbortSignal) => Promise<Page<P>>;
  /** The request for the first page (or for the resume point). */
  readonly first: P;
  /**
   * Pages fetched ahead of the page being read (default 1; 0 = the next page is fetched only once
   * every record of the current one has been taken). Bounds memory to `(prefetch + 1) × page size`.
   */
  readonly prefetch?: number;
  /** Records of the first page to drop: the ones a resumed run had already read (default 0). */
  readonly skip?: number;
  /**
   * Where the record at `index` (zero-based, within the page fetched by `request`) is, and the
   * token from which the source can restart just *after* it. `item` is the record itself, for
   * sources whose resume point is a value of the record (a keyset) rather than a place on a page.
   */
  readonly describe: (request: P, index: number, item: unknown) => { where: string; resume: Json };
}

/** Page counters of one iteration, for tests and metrics. */
export interface PageCounters {
  /** Pages whose fetch has started (including the one in flight). */
  readonly pagesFetched: number;
  /** Pages whose every record has been taken by the consumer. */
  readonly pagesConsumed: number;
  /**
   * The bound the paginator keeps: `pagesFetched - pagesConsumed <= maxPagesHeld`, that is the
   * page being read plus `prefetch` pages ahead of it.
   */
  readonly maxPagesHeld: number;
}

/** A paginated source: iterable, with live counters of the current (latest) iteration. */
export interface PaginatedSource extends AsyncIterable<SourceRecord> {
  readonly counters: PageCounters;
}

interface HeldPage<P> {
  readonly request: P;
  readonly items: readonly unknown[];
  /** Index of the next record to hand out. */
  taken: number;
}

/**
 * The generic, pull-based paginator behind every paginated source.
 *
 * It fetches the next page only when the consumer has taken (nearly) all records of the pages it
 * already holds: at most `prefetch` pages are fetched ahead of the page being read, never more, so
 * `pagesFetched - pagesConsumed <= prefetch + 1` at every moment. Pages are fetched one after the
 * other (each request comes from the page before it). Records carry a `Position`: `seq`
 * contiguous from 0 at the start point of this run, `where` and `resume` from `describe`.
 *
 * A failed fetch surfaces after the records already fetched have been handed out, so the
 * consumer's checkpoint can advance over them. `return()` aborts the fetch in flight.
 *
 * @example
 * ```ts
 * const source = paginate({
 *   first: 1,
 *   fetchPage: async (page, signal) => {
 *     const items = await getJson(`/things?page=${page}`, signal);
 *     return { items, next: items.length < 100 ? null : page + 1 };
 *   },
 *   describe: (page, i) => ({ where: `page ${page} #${i}`, resume: { page, skip: i + 1 } }),
 * });
 * for await (const record of source) console.log(record.position.where, record.value);
 * ```
 */
export function paginate<P>(options: PaginateOptions<P>): PaginatedSource {
  const prefetch = options.prefetch ?? 1;
  if (!Number.isInteger(prefetch) || prefetch < 0) {
    throw new RangeError(`paginate: prefetch must be a non-negative integer, got ${String(prefetch)}`);
  }
  let counters: PageCounters = { pagesFetched: 0, pagesConsumed: 0, maxPagesHeld: prefetch + 1 };
  return {
    get counters() {
      return counters;
    },
    [Symbol.asyncIterator](): AsyncIterator<SourceRecord> {
      const run = new PageRun(options, prefetch);
      counters = run;
      return run;
    },
  };
}

/** One iteration over the pages: the state machine behind {@link paginate}. */
class PageRun<P> implements AsyncIterator<SourceRecord>, PageCounters {
  pagesFetched = 0;
  pagesConsumed = 0;
  readonly maxPagesHeld: number;

  private readonly held: HeldPage<P>[] = [];
  private nextRequest: P | null;
  private fetching: Promise<void> | null = null;
  private failure: { error: unknown } | null = null;
  private closed = false;
  private seq = 0;
  private skip: number;
  private readonly abort = new AbortController();
  /** Serialises `next()` calls, so that concurrent callers cannot interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly options: PaginateOptions<P>,
    prefetch: number,
  ) {
    this.maxPagesHeld = prefetch + 1;
    this.nextRequest = options.first;
    this.skip = options.skip ?? 0;
  }

  next(): Promise<IteratorResult<SourceRecord>> {
    const result = this.queue.then(() => this.take());
    this.queue = result.catch(() => undefined);
    return result;
  }

  return(): Promise<IteratorResult<SourceRecord>> {
    this.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  private close(): void {
    this.closed = true;
    this.held.length = 0;
    this.nextRequest = null;
    this.abort.abort();
  }

  private async take(): Promise<IteratorResult<SourceRecord>> {
    for (;;) {
      if (this.closed) return { done: true, value: undefined };
      const page = this.held[0];
      if (page) {
        if (page.taken >= page.items.length) {
          this.held.shift();
          this.pagesConsumed += 1;
          this.maybeFetch();
          continue;
        }
        const index = page.taken;
        page.taken += 1;
        const { where, resume } = this.options.describe(page.request, index, page.items[index]);
        const record: SourceRecord = { value: page.items[index], position: { seq: this.seq, where, resume } };
        this.seq += 1;
        if (page.taken >= page.items.length) {
          // The last record of the page is taken: the page is consumed, its slot frees now.
          this.held.shift();
          this.pagesConsumed += 1;
        }
        this.maybeFetch();
        return { done: false, value: record };
      }
      if (this.failure) {
        const { error } = this.failure;
        this.close();
        throw error;
      }
      this.maybeFetch();
      if (!this.fetching) {
        this.close();
        return { done: true, value: undefined };
      }
      await this.fetching;
    }
  }

  /** Starts the next fetch if there is one, none is in flight and the bound allows it. */
  private maybeFetch(): void {
    if (this.closed || this.fetching || this.failure || this.nextRequest === null) return;
    if (this.pagesFetched - this.pagesConsumed >= this.maxPagesHeld) return;
    const request = this.nextRequest;
    this.pagesFetched += 1;
    this.fetching = this.options.fetchPage(request, this.abort.signal).then(
      (page) => {
        this.fetching = null;
        if (this.closed) return;
        const { items } = page;
        // Records of the resume page that a previous run had already read are never handed out.
        const held: HeldPage<P> = { request, items, taken: Math.min(this.skip, items.length) };
        this.skip = 0;
        this.held.push(held);
        this.nextRequest = page.next;
        this.maybeFetch();
      },
      (error: unknown) => {
        this.fetching = null;
        if (!this.closed) this.failure = { error };
      },
    );
  }
}
