import { expect } from 'chai';
import { createHttp, type Http } from '../../src/util/http.js';
import { createLimiter } from '../../src/oro/limiter.js';
import { deliveryDigest, idempotencyKey } from '../../src/sink/delivery.js';
import { httpSink, type HttpSinkOptions } from '../../src/sink/http-sink.js';
import type { Delivery } from '../../src/types/delivery.js';
import type { ErrorDetail } from '../../src/types/outcome.js';
import { instantScheduler } from '../helpers/instant-scheduler.js';
import { send, startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';

const delivery = (id: string): Delivery => {
  const content = { orderNumber: `SO-${id}` };
  return { record: { value: {}, position: { seq: Number(id), where: `#${id}` } }, key: `orders/${id}`, content, text: JSON.stringify(content), digest: deliveryDigest(`orders/${id}`, content) };
};

describe('sink/httpSink', () => {
  let server: ScriptedServer;
  let http: Http;
  beforeEach(async () => {
    server = await startScriptedServer((_req, res) => send(res, 201, { ok: true }, {}, 'application/json'));
    http = createHttp({ concurrency: 4, timeoutMs: 5_000 });
  });
  afterEach(async () => {
    http.close();
    await server.close();
  });

  const sink = (options: Partial<HttpSinkOptions> = {}) => httpSink({
    url: `${server.origin}/api/orders`,
    send: http.send,
    retry: { retries: 3, baseMs: 10, scheduler: instantScheduler() },
    ...options,
  });

  it('POSTs each record as JSON with an Idempotency-Key that is the digest of its content', async () => {
    const results = await sink({ headers: { Authorization: 'Bearer erp-secret' } })([delivery('1'), delivery('2')]);
    expect(results).to.deep.equal([{ status: 'sent' }, { status: 'sent' }]);
    const [first] = server.requests.filter((r) => r.body === '{"orderNumber":"SO-1"}');
    expect(first).to.include({ method: 'POST', path: '/api/orders' });
    expect(first!.headers).to.include({
      'content-type': 'application/json',
      authorization: 'Bearer erp-secret',
      'idempotency-key': deliveryDigest('orders/1', { orderNumber: 'SO-1' }),
    });
  });

  it('sends batchSize records per request as an array, keyed by their digests together', async () => {
    const batch = ['1', '2', '3', '4', '5'].map(delivery);
    const results = await sink({ batchSize: 2, method: 'PUT' })(batch);
    expect(results).to.have.length(5);
    expect(server.requests.map((r) => JSON.parse(r.body) as unknown).sort()).to.have.deep.members([
      [{ orderNumber: 'SO-1' }, { orderNumber: 'SO-2' }], [{ orderNumber: 'SO-3' }, { orderNumber: 'SO-4' }], [{ orderNumber: 'SO-5' }],
    ]);
    expect(server.requests.every((r) => r.method === 'PUT')).to.equal(true);
    const firstTwo = server.requests.find((r) => r.body.includes('SO-1'));
    expect(firstTwo!.headers['idempotency-key']).to.equal(idempotencyKey(batch.slice(0, 2)));
  });

  it('retries 500, 502 and 408 with the same Idempotency-Key, then says sent', async () => {
    const answers = [500, 502, 408, 201];
    server.handle = (_req, res) => send(res, answers.shift() ?? 201, '{}', {}, 'application/json');
    expect(await sink()([delivery('1')])).to.deep.equal([{ status: 'sent' }]);
    expect(server.requests).to.have.length(4);
    expect(new Set(server.requests.map((r) => r.headers['idempotency-key']))).to.have.property('size', 1);
  });

  it('waits what Retry-After asks before retrying a 429', async () => {
    let first = true;
    server.handle = (_req, res) => {
      if (first) send(res, 429, 'slow down', { 'Retry-After': '7' }, 'text/plain');
      else send(res, 200);
      first = false;
    };
    const scheduler = instantScheduler();
    expect(await sink({ retry: { retries: 3, baseMs: 10, scheduler } })([delivery('1')])).to.deep.equal([{ status: 'sent' }]);
    expect(scheduler.delays).to.include(7000);
  });

  it('says failed, with the status and the start of the answer, once the retries are spent', async () => {
    server.handle = (_req, res) => send(res, 503, 'maintenance until noon', {}, 'text/plain');
    const [result] = await sink()([delivery('1')]);
    expect(result).to.deep.equal({
      status: 'failed',
      errors: [{ status: '503', title: `POST ${server.origin}/api/orders answered 503`, detail: 'maintenance until noon' }],
    });
    expect(server.requests).to.have.length(4);
  });

  it('says failed when the endpoint cannot be reached', async () => {
    const gone = `${server.origin}/api/orders`;
    await server.close();
    const [result] = await httpSink({ url: gone, send: http.send, retry: { retries: 1, baseMs: 1, scheduler: instantScheduler() } })([delivery('1')]);
    expect(result).to.have.property('status', 'failed');
    expect(JSON.stringify(result)).to.contain('ECONNREFUSED');
    server = await startScriptedServer();
  });

  it('rejects at once on another 4xx, a 401 or a redirect, with the status and the start of the answer', async () => {
    const long = `{"error":"unknown customer","help":"${'x'.repeat(400)}"}`;
    server.handle = (_req, res) => send(res, 400, long, {}, 'application/json');
    const [refused] = await sink()([delivery('1')]);
    expect(server.requests).to.have.length(1);
    expect(refused).to.have.property('status', 'rejected');
    const [error] = (refused as { readonly errors: readonly ErrorDetail[] }).errors;
    expect(error).to.include({ status: '400', title: `POST ${server.origin}/api/orders answered 400` });
    expect(error!.detail).to.equal(`${long.slice(0, 200)}…`);

    server.handle = (_req, res) => send(res, 401);
    expect(await sink()([delivery('2')])).to.deep.equal([{ status: 'rejected', errors: [{ status: '401', title: `POST ${server.origin}/api/orders answered 401`, detail: '(empty answer)' }] }]);
    server.handle = (_req, res) => send(res, 302, undefined, { Location: '/elsewhere' });
    expect(await sink()([delivery('3')])).to.have.nested.property('[0].status', 'rejected');
    expect(server.requests.map((r) => r.path)).to.deep.equal(['/api/orders', '/api/orders', '/api/orders']);
  });

  it('never quotes a header value: an answer that echoes the token is scrubbed', async () => {
    server.handle = (req, res) => send(res, 400, `bad request; you sent x-api-key=${String(req.headers['x-erp-key'])} and ${String(req.headers.authorization)}`, {}, 'text/plain');
    const results = await sink({ headers: { Authorization: 'Token s3cr3t-erp-token', 'X-Erp-Key': 'k3y-k3y-k3y' } })([delivery('1')]);
    const text = JSON.stringify(results);
    expect(text).not.to.contain('s3cr3t-erp-token');
    expect(text).not.to.contain('k3y-k3y-k3y');
    expect(text).to.contain('[redacted]');
  });

  it('keeps to the limiter: no more requests in flight than it allows', async () => {
    let inFlight = 0;
    let most = 0;
    server.handle = async (_req, res) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      send(res, 200);
    };
    const results = await sink({ limiter: createLimiter({ concurrency: 2 }) })(['1', '2', '3', '4', '5', '6'].map(delivery));
    expect(results.every((r) => r.status === 'sent')).to.equal(true);
    expect(most).to.equal(2);
  });
});
