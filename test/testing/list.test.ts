import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { client, tokenOf } from './support.js';

type Client = ReturnType<typeof client>;
const ids = (body: { data: { id: string }[] }) => body.data.map((r) => r.id);

describe('fake Oro: lists (docs/oro-api.md §3)', () => {
  let oro: FakeOro;
  let api: Client;
  let clock = Date.UTC(2024, 0, 1);
  before(async () => {
    oro = await startFakeOro({ now: () => clock, maxPageSize: { customergroups: 5 } });
    api = client(oro, await tokenOf(oro));
    const g = oro.seed('customergroups', { name: 'Group A' });
    for (let i = 1; i <= 25; i++) {
      clock = Date.UTC(2024, 0, 1) + (i % 5) * 3_600_000 + i * 1000;
      oro.seed('customers', { name: `Customer ${i}`, externalId: i % 3 === 0 ? null : `E${i}` }, i <= 2 ? { group: { data: { type: 'customergroups', id: g.id } } } : {});
    }
  });
  after(() => oro.close());

  it('pages 10 by default, id ascending, with self and next only on page 1, no last or total', async () => {
    const res = await api.get('/customers');
    expect(res.status).to.equal(200);
    expect(ids(res.body)).to.deep.equal(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(res.body.links).to.deep.equal({
      self: `${oro.baseUrl}/customers`,
      next: `${oro.baseUrl}/customers?page%5Bnumber%5D=2`,
    });
    expect(res.body).not.to.have.property('meta');
    for (const r of res.body.data) expect(r.links.self).to.equal(`${oro.baseUrl}/customers/${r.id}`);
  });

  it('adds prev on later pages and omits next on the last one; page 1 links omit page[number]', async () => {
    const res = await api.get('/customers?page[size]=10&page[number]=3');
    expect(ids(res.body)).to.deep.equal(['21', '22', '23', '24', '25']);
    // Oro sorts the parameters by name and keeps self without a query string.
    expect(res.body.links).to.deep.equal({
      self: `${oro.baseUrl}/customers`,
      first: `${oro.baseUrl}/customers?page%5Bsize%5D=10`,
      prev: `${oro.baseUrl}/customers?page%5Bnumber%5D=2&page%5Bsize%5D=10`,
    });
    const second = await api.get('/customers?page[number]=2');
    expect(second.body.links.prev).to.equal(`${oro.baseUrl}/customers`);
  });

  it('returns everything with page[size]=-1', async () => {
    expect(ids((await api.get('/customers?page[size]=-1')).body)).to.have.length(25);
  });

  it('enforces maxPageSize with 400 and source.parameter page[size]; -1 reads the maximum, as Oro normalizes it', async () => {
    const res = await api.get('/customergroups?page[size]=6');
    expect(res.status).to.equal(400);
    expect(res.body.errors).to.deep.equal([{ status: '400', title: 'filter constraint', detail: 'The value should be less than or equals to 5.', source: { parameter: 'page[size]' } }]);
    for (let i = 0; i < 6; i++) oro.seed('customergroups', { name: `Capped ${i}` });
    const all = await api.get('/customergroups?page[size]=-1');
    expect(all.status).to.equal(200);
    expect(all.body.data).to.have.length(5);
    expect(all.body.links).to.deep.equal({ self: `${oro.baseUrl}/customergroups`, next: `${oro.baseUrl}/customergroups?page%5Bsize%5D=-1&page%5Bnumber%5D=2` });
    expect((await api.get('/customergroups?page[size]=5')).status).to.equal(200);
  });

  it('filters with OR lists, ranges and operators', async () => {
    expect(ids((await api.get('/customers?filter[id]=5,7')).body)).to.deep.equal(['5', '7']);
    expect(ids((await api.get('/customers?filter[id]=5..7')).body)).to.deep.equal(['5', '6', '7']);
    expect(ids((await api.get('/customers?filter[id][gt]=23')).body)).to.deep.equal(['24', '25']);
    expect(ids((await api.get('/customers?filter[id][lte]=2')).body)).to.deep.equal(['1', '2']);
    expect(ids((await api.get('/customers?filter[id][neq]=1&filter[id][lt]=4')).body)).to.deep.equal(['2', '3']);
    expect(ids((await api.get('/customers?filter[externalId]=E1,E2,E4')).body)).to.deep.equal(['1', '2', '4']);
    expect(ids((await api.get('/customers?filter[externalId][exists]=false&page[size]=-1')).body)).to.deep.equal(['3', '6', '9', '12', '15', '18', '21', '24']);
    expect(ids((await api.get('/customers?filter[externalId][neq_or_null]=E1&filter[id]=1..3')).body)).to.deep.equal(['2', '3']);
    expect(ids((await api.get('/customers?filter[name]=Customer%2010')).body)).to.deep.equal(['10']);
  });

  it('filters by updatedAt and by a to-one relationship', async () => {
    const since = await api.get('/customers?filter[updatedAt][gte]=2024-01-01T04:00:00Z&page[size]=-1');
    expect(ids(since.body)).to.deep.equal(['4', '9', '14', '19', '24']);
    expect(ids((await api.get('/customers?filter[group]=1')).body)).to.deep.equal(['1', '2']);
  });

  it('answers 400 "filter constraint" with source.parameter for an unknown filter', async () => {
    const res = await api.get('/customers?filter[color]=red');
    expect(res.status).to.equal(400);
    expect(res.body.errors[0]).to.deep.include({ status: '400', title: 'filter constraint', source: { parameter: 'filter[color]' } });
    const op = await api.get('/customers?filter[name][gt]=a');
    expect(op.body.errors[0]).to.deep.include({ title: 'filter constraint', source: { parameter: 'filter[name][gt]' } });
  });

  it('sorts by -updatedAt,id', async () => {
    const res = await api.get('/customers?sort=-updatedAt,id&page[size]=3');
    expect(ids(res.body)).to.deep.equal(['24', '19', '14']);
    expect((await api.get('/customers?sort=color')).body.errors[0].title).to.equal('sort constraint');
  });

  it('applies sparse fieldsets', async () => {
    const res = await api.get('/customers?fields[customers]=name,group&page[size]=1');
    expect(res.body.data[0].attributes).to.deep.equal({ name: 'Customer 1' });
    expect(Object.keys(res.body.data[0].relationships)).to.deep.equal(['group']);
  });

  it('puts included related records in top-level included, once each', async () => {
    const res = await api.get('/customers?filter[id]=1,2,3&include=group');
    expect(res.body.included).to.have.length(1);
    expect(res.body.included[0]).to.deep.include({ type: 'customergroups', id: '1' });
    const one = await api.get('/customers/1?include=group,owner');
    expect(one.body.included.map((r: { type: string }) => r.type)).to.deep.equal(['customergroups', 'users']);
  });

  it('answers X-Include: totalCount with X-Include-Total-Count and noHateoas without links; keys split by ;', async () => {
    const res = await api.get('/customers?filter[id][gt]=20', { 'X-Include': 'totalCount;noHateoas' });
    expect(res.headers.get('x-include-total-count')).to.equal('5');
    expect(res.body).not.to.have.property('links');
    expect(res.body.data[0]).not.to.have.property('links');
    const plain = await api.get('/customers');
    expect(plain.headers.get('x-include-total-count')).to.equal(null);
  });

  it('returns one resource by id', async () => {
    const res = await api.get('/customers/2');
    expect(res.body.data).to.deep.include({ type: 'customers', id: '2' });
    expect(res.body.data.links.self).to.equal(`${oro.baseUrl}/customers/2`);
  });
});

describe('fake Oro: indexed lookups on large tables', () => {
  let oro: FakeOro;
  let api: Client;
  before(async () => {
    oro = await startFakeOro();
    api = client(oro, await tokenOf(oro));
    for (let i = 1; i <= 20_000; i++) oro.seed('customers', { name: `Customer ${i}`, externalId: `K${i}` });
  });
  after(() => oro.close());

  it('answers filter[externalId] with 100 keys over 20,000 records quickly, id ascending', async () => {
    const keys = Array.from({ length: 100 }, (_, i) => `K${20_000 - i * 199}`);
    const started = performance.now();
    for (let round = 0; round < 20; round++) {
      const res = await api.get(`/customers?filter[externalId]=${keys.join(',')}&page[size]=100&fields[customers]=externalId`);
      expect(res.body.data).to.have.length(100);
    }
    const res = await api.get(`/customers?filter[externalId]=${keys.join(',')}&page[size]=100`);
    const got = ids(res.body).map(Number);
    expect(got).to.deep.equal([...got].sort((a, b) => a - b));
    expect(performance.now() - started).to.be.below(3000);
    expect(oro.records('customers')).to.have.length(20_000);
  });
});
