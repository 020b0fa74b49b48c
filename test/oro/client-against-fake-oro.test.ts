import { expect } from 'chai';
import { createTokenStream } from '../../src/auth/token-stream.js';
import type { TokenStream } from '../../src/auth/types.js';
import { HttpError } from '../../src/errors/http-error.js';
import { TokenError } from '../../src/errors/token-error.js';
import { createOroClient } from '../../src/oro/client.js';
import { createHttp, type Http } from '../../src/util/http.js';
import type { OroClient } from '../../src/oro/types.js';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';

const errorOf = <T>(promise: Promise<T>): Promise<unknown> => promise.then(() => expect.fail('expected a rejection'), (e: unknown) => e);

describe('oro client against the fake Oro', () => {
  let fake: FakeOro;
  let http: Http;
  let tokens: TokenStream;
  let oro: OroClient;

  beforeEach(async () => {
    fake = await startFakeOro({ asyncStepMs: 1 });
    http = createHttp({ concurrency: 8, timeoutMs: 10_000 });
    tokens = createTokenStream({ tokenUrl: fake.tokenUrl, clientId: fake.clientId, clientSecret: fake.clientSecret, fetch: http.fetch });
    oro = createOroClient({ baseUrl: fake.baseUrl, tokens, http });
  });

  afterEach(async () => {
    oro.close();
    tokens.shutdown();
    http.close();
    await fake.close();
  });

  it('gets one token for 64 concurrent first requests', async () => {
    await Promise.all(Array.from({ length: 64 }, () => oro.list('customers', { page: { size: 1 } })));
    expect(fake.tokenGrants).to.equal(1);
  });

  it('creates, reads, updates and deletes a customer', async () => {
    const created = await oro.create({ data: { type: 'customers', attributes: { name: 'Acme', externalId: 'ext-1' } } });
    expect(created.created).to.equal(true);
    const id = created.resource.id;
    expect((await oro.get('customers', id, { fields: { customers: ['name'] } })).attributes?.['name']).to.equal('Acme');
    await oro.update({ data: { type: 'customers', id, attributes: { name: 'Acme Ltd' } } });
    expect(fake.records('customers').find((r) => r.id === id)?.attributes?.['name']).to.equal('Acme Ltd');
    await oro.delete('customers', id);
    expect(fake.records('customers').find((r) => r.id === id)).to.equal(undefined);
    expect((await errorOf(oro.get('customers', id)) as HttpError).status).to.equal(404);
  });

  it('pages through a filtered list with totalCount and links.next', async () => {
    for (let i = 0; i < 5; i++) fake.seed('customers', { name: `C${i}`, externalId: `e${i}` });
    const first = await oro.list('customers', { filter: { externalId: ['e0', 'e1', 'e2', 'e4'] }, page: { size: 3 }, totalCount: true, sort: 'id' });
    expect(first.total).to.equal(4);
    expect(first.data).to.have.length(3);
    expect(first.next).to.be.a('string');
    const second = await oro.listNext(first.next!);
    expect(second.data.map((r) => r.attributes?.['externalId'])).to.deep.equal(['e4']);
    expect(second.next).to.equal(undefined);
  });

  it('refreshes once and replays after the tokens are revoked', async () => {
    await oro.list('customers');
    fake.revokeTokens();
    await Promise.all(Array.from({ length: 16 }, () => oro.list('customers')));
    expect(fake.tokenGrants).to.equal(2);
  });

  it('runs an async batch to the end and maps its errors to records', async () => {
    const handle = await oro.batch('customers', { data: [{ type: 'customers', attributes: { name: 'ok' } }, { type: 'customers', attributes: { name: '' } }] });
    const operation = await handle.settle({ intervalMs: 5 });
    expect(operation.status).to.equal('success');
    expect(operation.summary?.errorCount).to.equal(1);
    const errors = await handle.errors();
    expect(errors.map((e) => [e.status, e.pointer])).to.deep.equal([[400, '/data/1/attributes/name']]);
  });

  it('runs a sync batch (200) and reports a bad one (400) with pointers', async () => {
    const result = await oro.batchSync('customers', { data: [{ type: 'customers', id: 't1', attributes: { name: 'S' } }] });
    expect(result.data[0]?.meta?.['dataId']).to.equal('t1');
    const error = (await errorOf(oro.batchSync('customers', { data: [{ type: 'customers', id: 't1', attributes: { name: '' } }] }))) as HttpError;
    expect(error.status).to.equal(400);
    expect(error.errors[0]?.pointer).to.equal('/data/0/attributes/name');
  });

  it('detects the Batch API with OPTIONS', async () => {
    expect((await oro.options('customers')).batchEnabled).to.equal(true);
    expect((await oro.options('customergroups')).batchEnabled).to.equal(false);
  });

  it('reports a refused upsert on customers with its pointer', async () => {
    const error = (await errorOf(oro.create({ data: { type: 'customers', attributes: { name: 'x' }, meta: { upsert: ['externalId'] } } }))) as HttpError;
    expect(error.status).to.equal(400);
    expect(error.errors[0]?.pointer).to.equal('/meta/upsert');
  });

  it('stops with a TokenError on wrong credentials', async () => {
    const wrong = createTokenStream({ tokenUrl: fake.tokenUrl, clientId: fake.clientId, clientSecret: 'not-the-secret', fetch: http.fetch });
    const client = createOroClient({ baseUrl: fake.baseUrl, tokens: wrong, http });
    const error = await errorOf(client.list('customers'));
    expect(error).to.be.instanceOf(TokenError);
    expect((error as TokenError).oauthError).to.equal('invalid_client');
    expect((error as Error).message).not.to.contain('not-the-secret');
    wrong.shutdown();
  });
});

describe('oro client: Oro\'s clock', () => {
  it('gives a list page the Date of its answer, which the fake stamps by its own clock', async () => {
    const now = Date.parse('2026-01-05T12:00:07.400Z');
    const fake = await startFakeOro({ now: () => now });
    const http = createHttp({ concurrency: 2, timeoutMs: 10_000 });
    const tokens = createTokenStream({ tokenUrl: fake.tokenUrl, clientId: fake.clientId, clientSecret: fake.clientSecret, fetch: http.fetch });
    const oro = createOroClient({ baseUrl: fake.baseUrl, tokens, http });
    try {
      // HTTP dates are whole seconds.
      expect((await oro.list('customers')).date).to.equal(Date.parse('2026-01-05T12:00:07Z'));
    } finally {
      tokens.shutdown();
      http.close();
      await fake.close();
    }
  });
});
