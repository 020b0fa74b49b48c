import { expect } from 'chai';
import { generateCustomers, startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { call, tokenOf } from './support.js';

describe('fake Oro: inspection API', () => {
  let oro: FakeOro;
  before(async () => {
    oro = await startFakeOro({ now: () => Date.UTC(2024, 0, 1) });
  });
  after(() => oro.close());

  it('exposes base URL, token URL, port and credentials', () => {
    expect(oro.baseUrl).to.equal(`http://127.0.0.1:${oro.port}/admin/api`);
    expect(oro.tokenUrl).to.equal(`http://127.0.0.1:${oro.port}/oauth2-token`);
    expect(oro.clientId).to.equal('oro-sync-demo');
    expect(oro.clientSecret).to.equal('oro-sync-demo-secret');
  });

  it('seeds validated records, with optional timestamps, and returns deep copies id-ascending', () => {
    const a = oro.seed('customers', { name: 'A', updatedAt: '2030-01-01T00:00:00Z' });
    oro.seed('customers', { name: 'B' });
    expect(a.attributes?.['updatedAt']).to.equal('2030-01-01T00:00:00Z');
    expect(() => oro.seed('customers', { name: '' })).to.throw(/not blank constraint/);
    const records = oro.records('customers');
    expect(records.map((r) => r.id)).to.deep.equal(['1', '2']);
    (records[0]?.attributes as Record<string, unknown>)['name'] = 'changed';
    expect(oro.records('customers')[0]?.attributes?.['name']).to.equal('A');
  });

  it('logs one entry per API request with method, path, query, status and time', async () => {
    const token = await tokenOf(oro);
    oro.resetLog();
    await call(oro, token, 'GET', '/customers?filter[id]=1');
    await call(oro, token, 'GET', '/widgets');
    expect(oro.requests).to.deep.equal([
      { method: 'GET', path: '/admin/api/customers', query: 'filter[id]=1', status: 200, at: Date.UTC(2024, 0, 1) },
      { method: 'GET', path: '/admin/api/widgets', query: '', status: 404, at: Date.UTC(2024, 0, 1) },
    ]);
    oro.resetLog();
    expect(oro.requests).to.have.length(0);
  });

  it('close() ends the server even with an operation and a delayed request pending', async () => {
    const other = await startFakeOro({ asyncStepMs: 10_000, latency: 10_000 });
    const token = await tokenOf(other);
    const pending = call(other, token, 'GET', '/customers').catch(() => 'closed');
    await new Promise((r) => setTimeout(r, 20));
    await other.close();
    expect(await pending).to.equal('closed');
  });
});

describe('generateCustomers', () => {
  it('is deterministic, with every invalidEvery-th record invalid', () => {
    const a = generateCustomers(6, { invalidEvery: 3, seed: 5 });
    expect(a).to.deep.equal(generateCustomers(6, { invalidEvery: 3, seed: 5 }));
    expect(a.map((c) => c.id)).to.deep.equal(['C000001', 'C000002', 'C000003', 'C000004', 'C000005', 'C000006']);
    expect(a.map((c) => c.name)).to.deep.equal(['Customer 1', 'Customer 2', '', 'Customer 4', 'Customer 5', '']);
    expect(a[0]?.updatedAt).to.equal('2024-01-01T00:00:00.000Z');
    expect(a.every((c) => c.groupId === undefined || /^[1-5]$/.test(c.groupId))).to.equal(true);
  });
});

describe('fake Oro: changing records while a client pages', () => {
  const T0 = Date.UTC(2026, 2, 2, 10);
  const iso = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

  it('calls the hook before each API request, and touch writes as Oro would', async () => {
    let now = T0;
    const oro = await startFakeOro({ now: () => now });
    try {
      for (let i = 0; i < 4; i += 1) oro.seed('customers', { name: `C${i}`, updatedAt: iso(T0 - 60_000) });
      const token = await tokenOf(oro);
      const page = async (query: string): Promise<string[]> =>
        ((await call(oro, token, 'GET', `/customers?${query}`)).body as { data: { id: string }[] }).data.map((r) => r.id);
      const seen: string[] = [];
      oro.setBeforeRequest(({ method, query }) => {
        seen.push(`${method} ${query}`);
        now += 1000;
        if (seen.length === 2) oro.touch('customers', '1', { attributes: { name: 'changed' } });
      });
      const first = await page('sort=updatedAt,id&page[size]=2');
      const second = await page('sort=updatedAt,id&page[size]=2&page[number]=2');
      // Customer 1 changed between the two pages and moved to the end: offset paging skips customer 3.
      expect([...first, ...second]).to.deep.equal(['1', '2', '4', '1']);
      expect(seen).to.deep.equal(['GET sort=updatedAt,id&page[size]=2', 'GET sort=updatedAt,id&page[size]=2&page[number]=2']);
      expect(oro.records('customers').find((r) => r.id === '1')?.attributes).to.include({ name: 'changed', updatedAt: iso(T0 + 2000) });
      oro.touch('customers', '2', { attributes: { updatedAt: iso(T0 - 1000) } });
      expect(oro.records('customers').find((r) => r.id === '2')?.attributes?.['updatedAt']).to.equal(iso(T0 - 1000));
      oro.setBeforeRequest(undefined);
      await page('page[size]=1');
      expect(seen).to.have.length(2);
      expect(() => oro.touch('customers', '99', {})).to.throw('there is no customers 99');
      expect(() => oro.touch('customers', '1', { attributes: { name: '' } })).to.throw(/not blank constraint/);
    } finally {
      await oro.close();
    }
  });
});
