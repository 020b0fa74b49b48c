import { expect } from 'chai';
import { lastValueFrom, map, take, toArray } from 'rxjs';
import type { Socket } from 'node:net';
import { ConfigError, DecodeError, HttpError, NetworkError, TimeoutError } from '../../src/errors/index.js';
import { createHttp } from '../../src/util/http.js';
import { httpSource, type HttpSourceOptions } from '../../src/sources/http.js';
import { backoffDelay, type RetryPolicy } from '../../src/util/retry-policy.js';
import { VirtualClock } from '../helpers/virtual-time.js';
import { pullThrough } from '../../src/sources/pull-through.js';
import type { SourceRecord } from '../../src/types/record.js';
import { exportRoute } from './export-routes.js';
import { collect, serve, slice, type Reply, type TestServer } from './serve.js';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A retry policy of `max` retries on `clock`, recording each retried error and wait. */
function retryOn(clock: VirtualClock, max: number, seen: unknown[] = []): RetryPolicy {
  return { retries: max, baseMs: 100, jitter: 'none', scheduler: clock, onRetry: ({ error }) => seen.push(error) };
}

/** Runs a source to its end on virtual time (retry waits pass at once; request timeouts, 30 s away, never). */
const onClock = <T>(clock: VirtualClock, promise: Promise<T>): Promise<T> => clock.run(promise, 10_000);

/** Drains a source, returning what came before the error and the error. */
async function drain(source: AsyncIterable<SourceRecord>): Promise<{ records: SourceRecord[]; error: unknown }> {
  const records: SourceRecord[] = [];
  try {
    for await (const record of source) records.push(record);
  } catch (error) {
    return { records, error };
  }
  return { records, error: undefined };
}

const ids = (records: readonly SourceRecord[]) => records.map((r) => (r.value as { id: number }).id);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('httpSource', () => {
  let server: TestServer;
  let total = 23;
  /** Per-test override: answer this instead of the export when it returns a reply. */
  let fault: ((url: URL) => Reply | undefined) | undefined;

  beforeEach(async () => {
    total = 23;
    fault = undefined;
    server = await serve((url) => fault?.(url) ?? exportRoute(total, () => server.origin)(url));
  });
  afterEach(() => server.close());

  const kinds: { name: string; options: (origin: string) => HttpSourceOptions; where: (origin: string) => string }[] = [
    {
      name: 'page',
      options: (o) => ({ url: `${o}/page`, pagination: { kind: 'page', size: 5 } }),
      where: () => 'page 2 #3',
    },
    {
      name: 'offset',
      options: (o) => ({ url: `${o}/offset`, itemsPath: 'items', pagination: { kind: 'offset', limit: 5 } }),
      where: () => 'offset 5 #3',
    },
    {
      name: 'cursor',
      options: (o) => ({ url: `${o}/cursor`, itemsPath: 'data', pagination: { kind: 'cursor', size: 5 } }),
      where: () => 'cursor c5 #3',
    },
    {
      name: 'next-link in the body (Oro links.next)',
      options: (o) => ({ url: `${o}/oro/customers?page%5Bsize%5D=5`, itemsPath: 'data', pagination: { kind: 'next-link' } }),
      where: (o) => `${o}/oro/customers?page%5Bnumber%5D=2&page%5Bsize%5D=5 #3`,
    },
    {
      name: 'next-link in a relative Link header',
      options: (o) => ({ url: `${o}/linked?size=5`, pagination: { kind: 'next-link', nextHeader: 'Link' } }),
      where: (o) => `${o}/linked?p=2&size=5 #3`,
    },
  ];

  for (const kind of kinds) {
    describe(`${kind.name} pagination`, () => {
      it('reads every record once, in order, stopping at the end (short last page)', async () => {
        const records = await collect(httpSource(kind.options(server.origin)));
        expect(ids(records)).to.deep.equal(range(0, 23));
        expect(records.map((r) => r.position.seq)).to.deep.equal(range(0, 23));
        expect(records[8]!.position.where).to.equal(kind.where(server.origin));
        expect(server.requests).to.have.length(5);
      });

      it('stops at the end when the last page is full', async () => {
        total = 25;
        const records = await collect(httpSource(kind.options(server.origin)));
        expect(ids(records)).to.deep.equal(range(0, 25));
        // page and offset only know the end from the empty page after it
        const extra = kind.name === 'page' || kind.name === 'offset' ? 1 : 0;
        expect(server.requests).to.have.length(5 + extra);
      });

      it('an empty export yields nothing after one request', async () => {
        total = 0;
        expect(await collect(httpSource(kind.options(server.origin)))).to.deep.equal([]);
        expect(server.requests).to.have.length(1);
      });

      it('resumes just after any record, from its resume token, reading no record twice', async () => {
        const all = await collect(httpSource(kind.options(server.origin)));
        for (const k of [0, 4, 5, 12, 21, 22]) {
          const resume = all[k]!.position.resume!;
          const again = await collect(httpSource({ ...kind.options(server.origin), resume }));
          expect(ids(again), `resume after #${k} from ${JSON.stringify(resume)}`).to.deep.equal(range(k + 1, 23));
          expect(again.map((r) => r.position.seq)).to.deep.equal(range(0, 22 - k));
        }
      });
    });
  }

  it('uses the documented parameter defaults', async () => {
    total = 0;
    await collect(httpSource({ url: `${server.origin}/page`, pagination: { kind: 'page' } }));
    await collect(httpSource({ url: `${server.origin}/offset`, itemsPath: 'items', pagination: { kind: 'offset' } }));
    await collect(httpSource({ url: `${server.origin}/cursor`, itemsPath: 'data', pagination: { kind: 'cursor' } }));
    expect(server.requests).to.deep.equal(['/page?page=1&per_page=100', '/offset?offset=0&limit=100', '/cursor?limit=100']);
  });

  it('follows Oro links.next with percent-encoded brackets and no last link', async () => {
    const records = await collect(
      httpSource({ url: `${server.origin}/oro/customers?page%5Bsize%5D=10`, itemsPath: 'data', pagination: { kind: 'next-link' } }),
    );
    expect(ids(records)).to.deep.equal(range(0, 23));
    expect(server.requests).to.deep.equal([
      '/oro/customers?page%5Bsize%5D=10',
      '/oro/customers?page%5Bnumber%5D=2&page%5Bsize%5D=10',
      '/oro/customers?page%5Bnumber%5D=3&page%5Bsize%5D=10',
    ]);
    expect(records[22]!.position.resume).to.deep.equal({
      url: `${server.origin}/oro/customers?page%5Bnumber%5D=3&page%5Bsize%5D=10`,
      skip: 3,
    });
  });

  it('without pagination makes one request; itemsPath finds the records', async () => {
    const records = await collect(httpSource({ url: `${server.origin}/offset?limit=4`, itemsPath: 'items' }));
    expect(records.map((r) => r.value)).to.deep.equal(slice(0, 4, 23));
    expect(records[1]!.position).to.deep.equal({ seq: 1, where: `${server.origin}/offset?limit=4 #1`, resume: { skip: 2 } });
    expect(server.requests).to.have.length(1);
  });

  it('503 twice on page 7: the injected retry retries it, and the export goes on from page 8', async () => {
    total = 50;
    let failures = 0;
    fault = (url) => {
      if (url.pathname === '/page' && url.searchParams.get('page') === '7' && failures < 2) {
        failures += 1;
        return { status: 503, text: 'busy' };
      }
      return undefined;
    };
    const seen: unknown[] = [];
    const clock = new VirtualClock();
    const records = await onClock(clock, collect(
      httpSource({ url: `${server.origin}/page`, pagination: { kind: 'page', size: 5 }, retry: retryOn(clock, 3, seen) }),
    ));
    expect(ids(records)).to.deep.equal(range(0, 50));
    const pages = server.requests.map((r) => Number(new URL(r, server.origin).searchParams.get('page')));
    expect(pages).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 7, 7, 8, 9, 10, 11]);
    expect(seen).to.have.length(2);
    expect(seen[0]).to.be.instanceOf(HttpError).and.include({ status: 503 });
    expect(clock.delays.filter((ms) => ms < 30_000)).to.deep.equal([100, 200]);
  });

  it('a transient error that outlasts the retry budget stops the source after the records before it', async () => {
    fault = (url) => (url.searchParams.get('page') === '3' ? { status: 502 } : undefined);
    const clock = new VirtualClock();
    const { records, error } = await onClock(clock, drain(
      httpSource({ url: `${server.origin}/page`, pagination: { kind: 'page', size: 5 }, retry: retryOn(clock, 2) }),
    ));
    expect(ids(records)).to.deep.equal(range(0, 10));
    expect(error).to.be.instanceOf(HttpError).and.include({ status: 502 });
    expect(server.requests.filter((r) => r.includes('page=3'))).to.have.length(3);
  });

  it('a 404 mid-export stops it with an error naming the URL and status, not retried', async () => {
    fault = (url) =>
      url.searchParams.get('page') === '4' ? { status: 404, json: { errors: [{ status: '404', title: 'not found' }] } } : undefined;
    const clock = new VirtualClock();
    const { records, error } = await onClock(clock, drain(
      httpSource({ url: `${server.origin}/page`, pagination: { kind: 'page', size: 5 }, retry: retryOn(clock, 5) }),
    ));
    expect(ids(records)).to.deep.equal(range(0, 15));
    expect(error).to.be.instanceOf(HttpError);
    expect((error as Error).message).to.equal(`GET ${server.origin}/page?page=4&per_page=5 answered 404: not found`);
    expect(server.requests.filter((r) => r.includes('page=4'))).to.have.length(1);
  });

  it('429 with Retry-After: the retry waits the delay the server asked for (backoffDelay of the policy)', async () => {
    let first = true;
    fault = () => {
      if (!first) return undefined;
      first = false;
      return { status: 429, headers: { 'Retry-After': '3' } };
    };
    const seen: unknown[] = [];
    const clock = new VirtualClock();
    const policy = retryOn(clock, 1, seen);
    const records = await onClock(clock, collect(httpSource({ url: `${server.origin}/page`, retry: policy })));
    expect(records).to.have.length(23);
    expect(seen[0]).to.be.instanceOf(HttpError).and.include({ status: 429, retryAfterMs: 3000 });
    expect(clock.delays.filter((ms) => ms < 30_000)).to.deep.equal([backoffDelay(0, seen[0], policy)]);
    expect(clock.delays.filter((ms) => ms < 30_000)).to.deep.equal([3_000]);
  });

  it('a network failure is a NetworkError handed to the retry', async () => {
    const url = `${server.origin}/page`;
    await server.close();
    const seen: unknown[] = [];
    const clock = new VirtualClock();
    const { error } = await onClock(clock, drain(httpSource({ url, retry: retryOn(clock, 2, seen) })));
    expect(seen).to.have.length(2);
    expect(seen[0]).to.be.instanceOf(NetworkError);
    expect(error).to.be.instanceOf(NetworkError);
    expect((error as Error).message).to.match(/^GET http:\/\/127\.0\.0\.1:\d+\/page failed: ECONNREFUSED/);
    server = await serve(() => ({ json: [] })); // for afterEach
  });

  it('no answer within timeoutMs is a TimeoutError (virtual time)', async () => {
    fault = () => ({ hang: true });
    const clock = new VirtualClock();
    const it = httpSource({ url: `${server.origin}/page`, timeoutMs: 5000, scheduler: clock })[Symbol.asyncIterator]();
    let error: unknown;
    const next = it.next().then(
      () => undefined,
      (e: unknown) => (error = e),
    );
    while (server.requests.length === 0) await settle();
    await clock.advance(4999);
    expect(error).to.equal(undefined);
    await clock.advance(1);
    await next;
    expect(error).to.be.instanceOf(TimeoutError);
    expect((error as Error).message).to.equal(`GET ${server.origin}/page timed out after 5000 ms`);
  });

  it('a body without an array at itemsPath is an error naming the URL and the path', async () => {
    const { error } = await drain(httpSource({ url: `${server.origin}/offset`, itemsPath: 'data.rows' }));
    expect(error).to.be.instanceOf(DecodeError);
    expect((error as Error).message).to.equal(
      `GET ${server.origin}/offset: itemsPath "data.rows": expected an array, got undefined`,
    );
  });

  it('a body that is not JSON is an error naming the URL', async () => {
    fault = () => ({ text: '<html>maintenance</html>' });
    const { error } = await drain(httpSource({ url: `${server.origin}/page` }));
    expect(error).to.be.instanceOf(DecodeError);
    expect((error as Error).message).to.match(new RegExp(`^GET ${server.origin}/page: response body is not JSON`));
  });

  it('sends auth, headers and query; Accept defaults to application/json', async () => {
    total = 3;
    await collect(
      httpSource({
        url: `${server.origin}/page`,
        auth: { bearer: 'tok-123' },
        headers: { 'X-Tenant': 'acme' },
        query: { 'filter[updatedAt][gte]': '2024-01-01T00:00:00Z' },
        pagination: { kind: 'page', size: 2 },
      }),
    );
    expect(server.requestHeaders[0]).to.include({ authorization: 'Bearer tok-123', 'x-tenant': 'acme', accept: 'application/json' });
    for (const request of server.requests) {
      expect(new URL(request, server.origin).searchParams.get('filter[updatedAt][gte]')).to.equal('2024-01-01T00:00:00Z');
    }
    await collect(
      httpSource({
        url: `${server.origin}/page`,
        auth: { username: 'u', password: 'p' },
        headers: { accept: 'application/vnd.api+json' },
      }),
    );
    expect(server.requestHeaders.at(-1)).to.include({
      authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
      accept: 'application/vnd.api+json',
    });
  });

  it('reports the total once, from X-Include-Total-Count or a body path', async () => {
    const totals: number[] = [];
    fault = (url) => (url.pathname === '/page' ? { ...exportRoute(total, () => server.origin)(url), headers: { 'X-Include-Total-Count': '23' } } : undefined);
    await collect(httpSource({ url: `${server.origin}/page`, pagination: { kind: 'page', size: 10 }, onTotal: (n) => totals.push(n) }));
    expect(totals).to.deep.equal([23]);
    fault = () => ({ json: { items: [], meta: { total: 7 } } });
    await collect(httpSource({ url: `${server.origin}/x`, itemsPath: 'items', totalPath: 'meta.total', onTotal: (n) => totals.push(n) }));
    expect(totals).to.deep.equal([23, 7]);
  });

  it('stopping early (take) ends the fetching: no page beyond the bound is requested', async () => {
    total = 1000;
    const out = await lastValueFrom(
      pullThrough(httpSource({ url: `${server.origin}/page`, pagination: { kind: 'page', size: 5 } }), map((r) => r), {
        maxInFlight: 2,
      }).pipe(take(7), toArray()),
    );
    expect(out).to.have.length(7);
    await settle();
    await settle();
    expect(server.requests.length).to.be.at.most(3);
  });

  it('reads all pages over one keep-alive socket and closes it when the iteration ends, also on error', async () => {
    const sockets = new Set<Socket>();
    /** Sockets the server closed itself, after its keep-alive timeout: the client had left them open. */
    const idled = new Set<Socket>();
    const closedByClient = (socket: Socket) =>
      new Promise<boolean>((resolve) => (socket.closed ? resolve(!idled.has(socket)) : socket.once('close', () => resolve(!idled.has(socket)))));
    let failPage: string | undefined;
    const own = await serve((url, request) => {
      if (!sockets.has(request.socket)) request.socket.once('timeout', () => idled.add(request.socket));
      sockets.add(request.socket);
      return url.searchParams.get('page') === failPage ? { status: 404 } : exportRoute(23, () => own.origin)(url);
    });
    try {
      await collect(httpSource({ url: `${own.origin}/page`, pagination: { kind: 'page', size: 5 } }));
      expect(own.requests).to.have.length(5);
      expect(sockets.size).to.equal(1);
      expect(await Promise.all([...sockets].map(closedByClient))).to.deep.equal([true]);

      sockets.clear();
      failPage = '2';
      const { error } = await drain(httpSource({ url: `${own.origin}/page`, pagination: { kind: 'page', size: 5 } }));
      expect(error).to.be.instanceOf(HttpError);
      expect(sockets.size).to.equal(1);
      expect(await Promise.all([...sockets].map(closedByClient))).to.deep.equal([true]);
    } finally {
      await own.close();
    }
  });

  it('sends through an injected HTTP stack, which it leaves open', async () => {
    const http = createHttp({ concurrency: 1, timeoutMs: 5000 });
    const urls: string[] = [];
    try {
      const records = await collect(
        httpSource({ url: `${server.origin}/page`, pagination: { kind: 'page', size: 10 }, send: (url, init) => (urls.push(url), http.send(url, init)) }),
      );
      expect(records).to.have.length(23);
      expect(urls).to.have.length(3);
      expect((await http.send(`${server.origin}/page`)).status).to.equal(200);
    } finally {
      http.close();
    }
  });

  it('a resume token of another shape stops the run with a clear message', () => {
    expect(() => httpSource({ url: `${server.origin}/page`, pagination: { kind: 'page' }, resume: { line: 4 } })).to.throw(
      ConfigError,
      /source resume token: expected \{page, skip\}, got \{"line":4\}/,
    );
  });
});
