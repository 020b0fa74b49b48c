import { expect } from 'chai';
import { createTokenStream } from '../../src/auth/token-stream.js';
import type { TokenStream } from '../../src/auth/types.js';
import { DecodeError } from '../../src/errors/decode-error.js';
import { HttpError } from '../../src/errors/http-error.js';
import { InsecureUrlError } from '../../src/errors/insecure-url-error.js';
import { NetworkError } from '../../src/errors/network-error.js';
import { TimeoutError } from '../../src/errors/timeout-error.js';
import { createOroClient } from '../../src/oro/client.js';
import { createHttp, type Http } from '../../src/util/http.js';
import type { OroClient } from '../../src/oro/types.js';
import type { RequestEvent } from '../../src/util/http.js';
import { JSON_API, startScriptedOro, type ScriptedOro } from '../helpers/scripted-oro.js';
import { send, until } from '../helpers/scripted-server.js';
import { VirtualClock } from '../helpers/virtual-time.js';
import { staticTokens } from '../helpers/tokens.js';

const customer = (id: string, name = `Customer ${id}`) => ({ type: 'customers', id, attributes: { name } });
const errorOf = <T>(promise: Promise<T>): Promise<unknown> => promise.then(() => expect.fail('expected a rejection'), (e: unknown) => e);

describe('oro/createOroClient', () => {
  let oro: ScriptedOro;
  let http: Http;
  let tokens: TokenStream;
  let client: OroClient;
  let events: RequestEvent[];
  let clock: VirtualClock;

  beforeEach(async () => {
    oro = await startScriptedOro();
    http = createHttp({ concurrency: 8, timeoutMs: 5_000 });
    tokens = createTokenStream({ tokenUrl: oro.tokenUrl, clientId: 'client', clientSecret: 'secret', fetch: http.fetch });
    events = [];
    clock = new VirtualClock(Date.now());
    client = createOroClient({ baseUrl: `${oro.baseUrl}/`, tokens, http, onRequest: (e) => events.push(e), scheduler: clock });
  });

  afterEach(async () => {
    client.close();
    tokens.shutdown();
    http.close();
    await oro.close();
  });

  it('drops a trailing slash from the base URL', () => {
    expect(client.baseUrl).to.equal(oro.baseUrl);
  });

  describe('list / listNext', () => {
    it('sends filters, paging, sort, sparse fields, include and X-Include: totalCount; reads total and next', async () => {
      const next = `${oro.baseUrl}/customers?filter%5BexternalId%5D=a,b&page%5Bnumber%5D=3&page%5Bsize%5D=2`;
      oro.api = (req, res) => {
        expect(req.method).to.equal('GET');
        expect(req.apiPath).to.equal('/customers');
        expect([...req.query.entries()]).to.deep.equal([
          ['filter[externalId]', 'a,b'],
          ['filter[updatedAt][gte]', '2024-01-01T00:00:00Z'],
          ['page[number]', '2'],
          ['page[size]', '2'],
          ['sort', '-updatedAt,id'],
          ['fields[customers]', 'name,updatedAt'],
          ['include', 'owner'],
        ]);
        expect(req.headers['x-include']).to.equal('totalCount');
        send(res, 200, { data: [customer('1'), customer('2')], included: [{ type: 'users', id: '1' }], links: { self: 's', next } }, { 'X-Include-Total-Count': '42' });
      };
      const page = await client.list('customers', {
        filter: { externalId: ['a', 'b'], updatedAt: { gte: '2024-01-01T00:00:00Z' } },
        page: { number: 2, size: 2 },
        sort: '-updatedAt,id',
        fields: { customers: ['name', 'updatedAt'] },
        include: ['owner'],
        totalCount: true,
      });
      expect(page.data.map((r) => r.id)).to.deep.equal(['1', '2']);
      expect(page.included).to.deep.equal([{ type: 'users', id: '1' }]);
      expect(page.total).to.equal(42);
      expect(page.next).to.equal(next);
    });

    it('sends no X-Include unless asked, and has no next on the last page', async () => {
      oro.api = (req, res) => {
        expect(req.headers['x-include']).to.equal(undefined);
        send(res, 200, { data: [], links: { self: 's' } });
      };
      const before = Math.floor(Date.now() / 1000) * 1000;
      const { date, ...page } = await client.list('customers');
      expect(page).to.deep.equal({ data: [] });
      // Node's server stamps every answer with Date: the page carries Oro's clock, to the second.
      expect(date).to.be.within(before, Date.now());
    });

    it('follows an absolute links.next with percent-encoded brackets', async () => {
      oro.api = (req, res) => {
        expect(req.url).to.equal('/admin/api/customers?page%5Bnumber%5D=2');
        send(res, 200, { data: [customer('3')] });
      };
      const page = await client.listNext(`${oro.baseUrl}/customers?page%5Bnumber%5D=2`);
      expect(page.data[0]?.id).to.equal('3');
      expect(page.next).to.equal(undefined);
    });

    it('follows a links.next on another origin (Oro behind a proxy) on the base origin, warning once', async () => {
      const warnings: string[] = [];
      const behindProxy = createOroClient({ baseUrl: oro.baseUrl, tokens, http, onWarning: (w) => warnings.push(w), scheduler: clock });
      const inside = 'http://oro-app-1.internal:8080/admin/api/customers';
      oro.api = (req, res) => {
        const number = new URLSearchParams(req.url.split('?')[1] ?? '').get('page[number]');
        if (number === null) return send(res, 200, { data: [customer('1')], links: { next: `${inside}?page%5Bnumber%5D=2` } });
        if (number === '2') return send(res, 200, { data: [customer('2')], links: { next: `${inside}?page%5Bnumber%5D=3` } });
        return send(res, 200, { data: [customer('3')] });
      };
      const first = await behindProxy.list('customers');
      expect(first.next).to.equal(`${oro.baseUrl}/customers?page%5Bnumber%5D=2`);
      const second = await behindProxy.listNext(first.next!);
      await behindProxy.listNext(second.next!);
      // Every request (token included) went to the configured origin: the scripted server saw all three.
      expect(oro.apiRequests().map((r) => r.url)).to.deep.equal([
        '/admin/api/customers',
        '/admin/api/customers?page%5Bnumber%5D=2',
        '/admin/api/customers?page%5Bnumber%5D=3',
      ]);
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.contain('http://oro-app-1.internal:8080').and.contain(new URL(oro.baseUrl).origin);
    });

    it('never sends the token to the origin a links.next names', async () => {
      oro.api = (req, res) => send(res, 200, { data: [], links: { self: req.url } });
      await client.listNext('https://elsewhere.example.com/admin/api/customers?page%5Bnumber%5D=2');
      expect(oro.apiRequests().map((r) => r.url)).to.deep.equal(['/admin/api/customers?page%5Bnumber%5D=2']);
      expect(oro.apiRequests()[0]?.headers.authorization).to.match(/^Bearer /);
    });
  });

  describe('get / create / update / delete', () => {
    it('gets one resource with fields and include', async () => {
      oro.api = (req, res) => {
        expect(req.apiPath).to.equal('/customers/7');
        expect(req.query.get('fields[customers]')).to.equal('name');
        expect(req.query.get('include')).to.equal('owner');
        send(res, 200, { data: customer('7') });
      };
      expect(await client.get('customers', '7', { fields: { customers: ['name'] }, include: ['owner'] })).to.deep.equal(customer('7'));
    });

    it('maps a 404 to a permanent HttpError carrying Oro\'s error', async () => {
      oro.api = (_req, res) => send(res, 404, { errors: [{ status: '404', title: 'not found http exception', detail: 'An entity with the requested identifier does not exist.' }] });
      const error = await errorOf(client.get('customers', '999'));
      expect(error).to.be.instanceOf(HttpError);
      const httpError = error as HttpError;
      expect(httpError.status).to.equal(404);
      expect(httpError.errorClass).to.equal('permanent');
      expect(httpError.url).to.equal(`${oro.baseUrl}/customers/999`);
      expect(httpError.errors).to.deep.equal([{ status: '404', title: 'not found http exception', detail: 'An entity with the requested identifier does not exist.' }]);
      expect(httpError.message).to.contain('GET').and.contain('404').and.contain('not found http exception');
    });

    it('creates (201 -> created: true) with the exact media types', async () => {
      const document = { data: { type: 'customers', attributes: { name: 'Acme' } } };
      oro.api = (req, res) => {
        expect(req.method).to.equal('POST');
        expect(req.apiPath).to.equal('/customers');
        expect(req.headers['content-type']).to.equal(JSON_API);
        expect(req.headers.accept).to.equal(JSON_API);
        expect(JSON.parse(req.body)).to.deep.equal(document);
        send(res, 201, { data: customer('10', 'Acme') }, { Location: `${oro.baseUrl}/customers/10` });
      };
      expect(await client.create(document)).to.deep.equal({ created: true, resource: customer('10', 'Acme') });
    });

    it('reports an upsert that updated (200 -> created: false)', async () => {
      oro.api = (_req, res) => send(res, 200, { data: customer('10', 'Acme') });
      const result = await client.create({ data: { type: 'customers', attributes: { name: 'Acme' }, meta: { upsert: ['externalId'] } } });
      expect(result.created).to.equal(false);
      expect(result.resource.id).to.equal('10');
    });

    it('keeps a 400 validation error\'s pointer', async () => {
      oro.api = (_req, res) =>
        send(res, 400, { errors: [{ status: '400', title: 'not blank constraint', detail: 'This value should not be blank.', source: { pointer: '/data/attributes/name' } }] });
      const error = (await errorOf(client.create({ data: { type: 'customers', attributes: {} } }))) as HttpError;
      expect(error.errors[0]?.pointer).to.equal('/data/attributes/name');
      expect(error.errorClass).to.equal('permanent');
    });

    it('updates with PATCH on the item', async () => {
      oro.api = (req, res) => {
        expect(req.method).to.equal('PATCH');
        expect(req.apiPath).to.equal('/customers/10');
        expect(req.headers['content-type']).to.equal(JSON_API);
        send(res, 200, { data: customer('10', 'Renamed') });
      };
      const resource = await client.update({ data: { type: 'customers', id: '10', attributes: { name: 'Renamed' } } });
      expect(resource.attributes).to.deep.equal({ name: 'Renamed' });
    });

    it('deletes with DELETE on the item (204)', async () => {
      oro.api = (req, res) => {
        expect(req.method).to.equal('DELETE');
        expect(req.apiPath).to.equal('/customers/10');
        expect(req.headers['content-type']).to.equal(JSON_API);
        send(res, 204);
      };
      await client.delete('customers', '10');
      expect(oro.apiRequests()).to.have.length(1);
    });

    it('encodes ids in the path', async () => {
      oro.api = (req, res) => {
        expect(req.url).to.equal('/admin/api/customerratings/1_of_5%2Fx');
        send(res, 200, { data: { type: 'customerratings', id: '1_of_5/x' } });
      };
      await client.get('customerratings', '1_of_5/x');
    });
  });

  describe('batch', () => {
    const op = (status: string, extra: Record<string, unknown> = {}) => ({
      data: { type: 'asyncoperations', id: '5', attributes: { status, progress: status === 'new' ? null : 0.5, elapsedTime: 0, entityType: 'customers', summary: null, ...extra } },
    });

    it('sends the Batch API request, settles the operation and reads every page of its errors', async () => {
      const polls = ['new', 'running', 'success'];
      oro.api = (req, res) => {
        if (req.method === 'PATCH' && req.apiPath === '/customers') {
          expect(req.headers['content-type']).to.equal(JSON_API);
          expect(req.headers['x-mode']).to.equal(undefined);
          expect(JSON.parse(req.body).data).to.have.length(3);
          return send(res, 202, op('new'), { 'Content-Location': `${oro.baseUrl}/asyncoperations/5` });
        }
        if (req.apiPath === '/asyncoperations/5') {
          return send(res, 200, op(polls.shift() ?? 'success', { summary: { readCount: 3, writeCount: 2, errorCount: 2, createCount: 2, updateCount: 0, aggregateTime: 5 } }));
        }
        if (req.apiPath === '/asyncoperations/5/errors') {
          const page = req.query.get('page[number]') ?? '1';
          const item = (n: number, status: number) => ({
            type: 'asyncoperationerrors', id: `5-1-${n}`,
            attributes: { status, title: 'not blank constraint', detail: 'This value should not be blank.', source: { pointer: `/data/${n}/attributes/name` } },
          });
          if (page === '1') return send(res, 200, { data: [item(0, 400)], links: { next: `${oro.baseUrl}/asyncoperations/5/errors?page%5Bnumber%5D=2` } });
          return send(res, 200, { data: [{ ...item(2, 400), attributes: { status: 400, title: 't', source: { propertyPath: 'name' } } }] });
        }
        return send(res, 404);
      };
      const handle = await client.batch('customers', { data: [{ type: 'customers', attributes: { name: 'a' } }, { type: 'customers', attributes: { name: '' } }, { type: 'customers', attributes: {} }] });
      expect(handle.id).to.equal('5');
      expect(handle.url).to.equal(`${oro.baseUrl}/asyncoperations/5`);
      const settled = await clock.run(handle.settle({ intervalMs: 10 }));
      expect(settled.status).to.equal('success');
      expect(clock.delays).to.deep.equal([10, 20]);
      expect(settled.summary?.errorCount).to.equal(2);
      expect(await handle.errors()).to.deep.equal([
        { id: '5-1-0', status: 400, title: 'not blank constraint', detail: 'This value should not be blank.', pointer: '/data/0/attributes/name' },
        { id: '5-1-2', status: 400, title: 't', pointer: 'name' },
      ]);
    });

    it('polls a Content-Location that Oro behind a TLS-terminating proxy built as http:// on an internal host, on the base origin', async () => {
      oro.api = (req, res) => {
        if (req.method === 'PATCH') return send(res, 202, op('new'), { 'Content-Location': 'http://oro-app-1.internal/admin/api/asyncoperations/5' });
        return send(res, 200, op('success', { summary: { readCount: 1, writeCount: 1, errorCount: 0, createCount: 1, updateCount: 0, aggregateTime: 1 } }));
      };
      const handle = await client.batch('customers', { data: [customer('tmp-1')] });
      expect((await handle.settle()).status).to.equal('success');
      expect(oro.apiRequests().map((r) => `${r.method} ${r.url}`)).to.deep.equal(['PATCH /admin/api/customers', 'GET /admin/api/asyncoperations/5']);
    });

    it('fails clearly when a 202 has no Content-Location', async () => {
      oro.api = (_req, res) => send(res, 202, op('new'));
      const error = await errorOf(client.batch('customers', { data: [] }));
      expect(error).to.be.instanceOf(DecodeError).with.property('message').that.contains('Content-Location');
    });

    it('sends X-Mode: sync and returns the records in order (200)', async () => {
      oro.api = (req, res) => {
        expect(req.headers['x-mode']).to.equal('sync');
        expect(req.headers['content-type']).to.equal(JSON_API);
        send(res, 200, { data: [{ ...customer('1'), meta: { dataId: 'a' } }, { ...customer('2'), meta: { dataId: 'b' } }] });
      };
      const result = await client.batchSync('customers', { data: [{ type: 'customers', id: 'a', attributes: { name: 'x' } }, { type: 'customers', id: 'b', attributes: { name: 'y' } }] });
      expect(result.data.map((r) => r.id)).to.deep.equal(['1', '2']);
    });

    it('surfaces a sync 400 as an HttpError with a pointer per bad record', async () => {
      oro.api = (_req, res) => send(res, 400, { errors: [
        { status: '400', title: 'not blank constraint', detail: 'd', source: { pointer: '/data/1/attributes/name' } },
        { status: '400', title: 'length constraint', detail: 'd', source: { pointer: '/data/3/attributes/name' } },
      ] });
      const error = (await errorOf(client.batchSync('customers', { data: [] }))) as HttpError;
      expect(error.status).to.equal(400);
      expect(error.errors.map((e) => e.pointer)).to.deep.equal(['/data/1/attributes/name', '/data/3/attributes/name']);
    });

    it('hands back the async operation when Oro falls back from a sync batch (202), without polling it', async () => {
      oro.api = (req, res) => {
        if (req.method === 'PATCH') return send(res, 202, '', { 'Content-Location': '/admin/api/asyncoperations/9' });
        if (req.apiPath === '/asyncoperations/9') return send(res, 200, { data: { type: 'asyncoperations', id: '9', attributes: { status: 'success', progress: 1, summary: { errorCount: 1 } } } });
        if (req.apiPath === '/asyncoperations/9/errors') {
          return send(res, 200, { data: [{ type: 'asyncoperationerrors', id: '9-1-1', attributes: { status: 400, title: 'x', source: { pointer: '/data/1/attributes/name' } } }] });
        }
        return send(res, 404);
      };
      const result = await client.batchSync('customers', { data: [] });
      expect(result.data).to.deep.equal([]);
      expect(result.asyncFallback?.id).to.equal('9');
      expect(events.map((e) => e.method)).to.deep.equal(['PATCH']);
      expect((await result.asyncFallback?.settle())?.status).to.equal('success');
      expect((await result.asyncFallback?.errors())?.map((e) => e.pointer)).to.deep.equal(['/data/1/attributes/name']);
    });
  });

  describe('options', () => {
    it('reads Allow: PATCH means the Batch API is enabled', async () => {
      oro.api = (req, res) => {
        expect(req.method).to.equal('OPTIONS');
        expect(req.headers['content-type']).to.equal(undefined);
        send(res, 200, '', { Allow: 'OPTIONS, GET, POST, PATCH, DELETE' });
      };
      expect(await client.options('customers')).to.deep.equal({ allow: ['OPTIONS', 'GET', 'POST', 'PATCH', 'DELETE'], batchEnabled: true });
    });

    it('without PATCH the Batch API is disabled', async () => {
      oro.api = (_req, res) => send(res, 200, '', { Allow: 'OPTIONS, GET, POST' });
      expect((await client.options('countries')).batchEnabled).to.equal(false);
    });
  });

  describe('401 handling', () => {
    it('refreshes once for a storm of 32 concurrent 401s and replays each request once', async () => {
      oro.api = (_req, res) => send(res, 200, { data: customer('1') });
      await client.get('customers', '1');
      oro.revokeTokens();
      events.length = 0;
      const results = await Promise.all(Array.from({ length: 32 }, () => client.get('customers', '1')));
      expect(results).to.have.length(32);
      expect(oro.tokens.issued).to.deep.equal(['token-1', 'token-2']);
      expect(events.filter((e) => e.status === 401)).to.have.length(32);
      expect(events.filter((e) => e.replayed === true && e.status === 200)).to.have.length(32);
      expect(events).to.have.length(64);
    });

    it('treats a 401 after the replay as an auth error, not a loop', async () => {
      oro.refuseAllTokens = true;
      const error = await errorOf(client.get('customers', '1'));
      expect(error).to.be.instanceOf(HttpError);
      expect((error as HttpError).status).to.equal(401);
      expect((error as HttpError).errorClass).to.equal('auth');
      expect(oro.tokens.issued).to.have.length(2); // the first token and one refresh
      expect(oro.apiRequests()).to.have.length(2); // the request and one replay
    });

    it('asks the token stream to refresh exactly the token that got the 401', async () => {
      const stub = staticTokens();
      const stubbed = createOroClient({ baseUrl: oro.baseUrl, tokens: stub, http });
      await errorOf(stubbed.get('customers', '1')); // the scripted Oro knows no 'static-token'
      expect(stub.refreshed).to.deep.equal(['static-token']);
    });

    it('makes one grant for 64 concurrent first requests', async () => {
      oro.api = (_req, res) => send(res, 200, { data: customer('1') });
      await Promise.all(Array.from({ length: 64 }, () => client.get('customers', '1')));
      expect(oro.tokens.issued).to.deep.equal(['token-1']);
      expect(events.filter((e) => e.status === 401)).to.have.length(0);
    });

    it('never hands the token to onRequest', async () => {
      oro.api = (_req, res) => send(res, 200, { data: customer('1') });
      await client.get('customers', '1');
      expect(JSON.stringify(events)).not.to.contain('token-1');
    });
  });

  describe('errors', () => {
    it('carries Retry-After in seconds', async () => {
      oro.api = (_req, res) => send(res, 503, '', { 'Retry-After': '12' });
      const error = (await errorOf(client.get('customers', '1'))) as HttpError;
      expect(error.errorClass).to.equal('transient');
      expect(error.retryAfterMs).to.equal(12_000);
      expect(error.errors).to.deep.equal([]);
    });

    it('carries Retry-After as an HTTP date (429 from a proxy)', async () => {
      const now = Date.UTC(2030, 0, 1, 0, 0, 0);
      const timed = createOroClient({ baseUrl: oro.baseUrl, tokens, http, scheduler: new VirtualClock(now) });
      oro.api = (_req, res) => send(res, 429, '<html>slow down</html>', { 'Retry-After': new Date(now + 30_000).toUTCString() }, 'text/html');
      const error = (await errorOf(timed.list('customers'))) as HttpError;
      expect(error.status).to.equal(429);
      expect(error.retryAfterMs).to.equal(30_000);
    });

    it('throws a DecodeError naming the path of an undecodable response', async () => {
      oro.api = (_req, res) => send(res, 200, { data: [{ type: 'customers', id: 1 }] });
      const error = await errorOf(client.list('customers'));
      expect(error).to.be.instanceOf(DecodeError);
      expect((error as DecodeError).problems).to.deep.equal(['data.0.id: expected string, got 1']);
      expect((error as DecodeError).message).to.contain(`GET ${oro.baseUrl}/customers`);
    });

    it('throws a DecodeError for a body that is not JSON', async () => {
      oro.api = (_req, res) => send(res, 200, '<html>', {}, 'text/html');
      expect(await errorOf(client.get('customers', '1'))).to.be.instanceOf(DecodeError);
    });

    it('refuses plain http:// to a non-loopback base URL', () => {
      expect(() => createOroClient({ baseUrl: 'http://shop.example.com/admin/api', tokens: staticTokens() })).to.throw(InsecureUrlError);
      createOroClient({ baseUrl: 'http://shop.example.com/admin/api', tokens: staticTokens(), allowInsecureHttp: true }).close();
    });

    it('times out with a TimeoutError', async () => {
      const requestClock = new VirtualClock();
      const slowHttp = createHttp({ concurrency: 1, timeoutMs: 30_000, scheduler: requestClock });
      const slow = createOroClient({ baseUrl: oro.baseUrl, tokens: staticTokens(), http: slowHttp });
      oro.server.handle = () => void requestClock.advance(30_000); // never answers; 30 s pass
      const error = await errorOf(slow.get('customers', '1'));
      expect(error).to.be.instanceOf(TimeoutError);
      expect((error as TimeoutError).message).to.equal(`GET ${oro.baseUrl}/customers/1 timed out after 30000 ms`);
      slowHttp.close();
    });

    it('gives sync batches a timeout well above Oro\'s 25 s: max(request timeout, 60 s) by default, or syncBatchTimeoutMs', async () => {
      const requestClock = new VirtualClock();
      const timedHttp = createHttp({ concurrency: 2, timeoutMs: 30_000, scheduler: requestClock });
      const timed = createOroClient({ baseUrl: oro.baseUrl, tokens: staticTokens(), http: timedHttp });
      const tuned = createOroClient({ baseUrl: oro.baseUrl, tokens: staticTokens(), http: timedHttp, syncBatchTimeoutMs: 90_000 });
      let arrived = 0;
      oro.server.handle = () => void arrived++; // never answers
      const failedAt: Record<string, number> = {};
      const watch = (name: string, promise: Promise<unknown>): Promise<unknown> => errorOf(promise).finally(() => (failedAt[name] = requestClock.now()));
      const both = [watch('default', timed.batchSync('customers', { data: [] })), watch('tuned', tuned.batchSync('customers', { data: [] }))];
      await until(() => arrived === 2);
      for (const step of [30_000, 30_000, 30_000]) await requestClock.advance(step);
      const [error] = await Promise.all(both);
      expect(failedAt).to.deep.equal({ default: 60_000, tuned: 90_000 });
      expect((error as TimeoutError).message).to.equal(`PATCH ${oro.baseUrl}/customers timed out after 60000 ms`);
      timedHttp.close();
    });

    it('turns a reset connection into a NetworkError', async () => {
      await tokens.current();
      oro.api = (_req, res) => {
        res.socket?.destroy();
      };
      const error = await errorOf(client.get('customers', '1'));
      expect(error).to.be.instanceOf(NetworkError);
      expect((error as NetworkError).errorClass).to.equal('transient');
    });
  });
});
