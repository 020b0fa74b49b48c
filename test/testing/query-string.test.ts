import { expect } from 'chai';
import fc from 'fast-check';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { sortedPage } from '../../src/testing/list.js';
import { oroQuery } from '../../src/testing/query-string.js';
import { client, tokenOf } from './support.js';

type Api = ReturnType<typeof client>;
const ids = (body: { data: { id: string }[] }): string[] => body.data.map((r) => r.id);

describe('fake Oro: filters and sorting as Oro 6.1+ reads them', () => {
  let oro: FakeOro;
  let api: Api;
  beforeEach(async () => {
    oro = await startFakeOro();
    api = client(oro, await tokenOf(oro));
  });
  afterEach(() => oro.close());

  it('reads parameters with Oro\'s pattern', () => {
    expect([...oroQuery('filter[id][gt]=5&sort=-updatedAt,id&page%5Bsize%5D=10')]).to.deep.equal([['filter[id][gt]', '5'], ['sort', '-updatedAt,id'], ['page[size]', '10']]);
    expect([...oroQuery('filter[updatedAt]>=2026-01-01T00:00:00Z')]).to.deep.equal([['3E', '2026-01-01T00:00:00Z']]);
    expect([...oroQuery('filter[id]>5')]).to.deep.equal([]);
  });

  it('refuses the outdated filter[f]>=v form: Oro reads a parameter "3E" and does not support it', async () => {
    for (const type of ['customers', 'customerusers', 'products']) {
      const res = await api.get(`/${type}?filter[updatedAt]>=2026-01-01T00:00:00Z`);
      expect(res.status, type).to.equal(400);
      expect(res.body.errors, type).to.deep.equal([{ status: '400', title: 'filter constraint', detail: 'The filter is not supported.', source: { parameter: '3E' } }]);
    }
  });

  it('ignores filter[f]>v (no "="): Oro finds no parameter in it and answers the whole list', async () => {
    for (let i = 0; i < 3; i += 1) oro.seed('customers', { name: `C${i}` });
    expect(ids((await api.get('/customers?filter[id]>1')).body)).to.deep.equal(['1', '2', '3']);
  });

  it('takes [gte] and the other operators for every type that filters by a date, and says what it lacks', async () => {
    for (const type of ['customers', 'customergroups', 'customerusers', 'products']) {
      expect((await api.get(`/${type}?filter[updatedAt][gte]=2026-01-01T00:00:00Z&filter[updatedAt][lt]=2030-01-01T00:00:00Z&filter[id][gt]=0`)).status, type).to.equal(200);
    }
    const unknown = await api.get('/customers?filter[colour]=red');
    expect(unknown.body.errors).to.deep.equal([{ status: '400', title: 'filter constraint', detail: 'The filter is not supported.', source: { parameter: 'filter[colour]' } }]);
    const operator = await api.get('/customers?filter[name][gt]=a');
    expect(operator.body.errors).to.deep.equal([{ status: '400', title: 'filter constraint', detail: 'The operator "gt" is not supported.', source: { parameter: 'filter[name][gt]' } }]);
    // Not an operator name: Oro reads it as part of the filter's path, an unknown filter.
    const path = await api.get('/customers?filter[updatedAt][after]=2026-01-01T00:00:00Z');
    expect(path.body.errors).to.deep.equal([{ status: '400', title: 'filter constraint', detail: 'The filter is not supported.', source: { parameter: 'filter[updatedAt][after]' } }]);
  });

  it('gives rows with equal sort keys in an order that is not id order, the same on every request', async () => {
    for (let i = 0; i < 20; i += 1) oro.seed('customers', { name: `C${i}`, updatedAt: '2026-03-02T10:00:00Z' });
    const first = ids((await api.get('/customers?sort=updatedAt&page[size]=-1')).body);
    expect(ids((await api.get('/customers?sort=updatedAt&page[size]=-1')).body)).to.deep.equal(first);
    expect(first).to.not.deep.equal([...first].sort((a, b) => Number(a) - Number(b)));
    // Page by page, the same order: offset paging over unchanged rows is consistent.
    const paged = [...ids((await api.get('/customers?sort=updatedAt&page[size]=2')).body), ...ids((await api.get('/customers?sort=updatedAt&page[size]=2&page[number]=2')).body)];
    expect(paged).to.deep.equal(first.slice(0, 4));
    expect(ids((await api.get('/customers?sort=updatedAt,id&page[size]=-1')).body)).to.deep.equal(Array.from({ length: 20 }, (_, i) => String(i + 1)));
  });

  it('property: a keyset page answered from the sorted table is the page of the matching rows', async () => {
    for (let i = 0; i < 60; i += 1) oro.seed('customers', { name: `C${i % 7}`, updatedAt: `2026-03-02T10:00:${String(i % 13).padStart(2, '0')}Z` });
    const at = (s: number): string => `2026-03-02T10:00:${String(s).padStart(2, '0')}Z`;
    const query = fc.record({
      op: fc.constantFrom('gte', 'gt', 'eq'),
      second: fc.nat({ max: 13 }),
      upper: fc.option(fc.record({ op: fc.constantFrom('lt', 'lte'), second: fc.nat({ max: 13 }) }), { nil: undefined }),
      afterId: fc.option(fc.nat({ max: 60 }), { nil: undefined }),
      name: fc.option(fc.constantFrom('C1', 'C3'), { nil: undefined }),
      sort: fc.constantFrom('updatedAt,id', 'updatedAt', 'updatedAt,-id', 'name,id'),
      size: fc.integer({ min: 1, max: 9 }),
      page: fc.integer({ min: 1, max: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const parts = [`filter[updatedAt]${q.op === 'eq' ? '' : `[${q.op}]`}=${at(q.second)}`, `sort=${q.sort}`, `page[size]=${q.size}`, `page[number]=${q.page}`];
        if (q.upper) parts.push(`filter[updatedAt][${q.upper.op}]=${at(q.upper.second)}`);
        if (q.afterId !== undefined) parts.push(`filter[id][gt]=${q.afterId}`);
        if (q.name !== undefined) parts.push(`filter[name]=${q.name}`);
        const path = `/customers?${parts.join('&')}`;
        // Asking for the total takes the path that reads every matching row.
        const [fast, slow] = await Promise.all([api.get(path), api.get(path, { 'X-Include': 'totalCount' })]);
        expect(ids(fast.body), path).to.deep.equal(ids(slow.body));
        expect(fast.body.links.next, path).to.equal(slow.body.links.next);
      }),
      { numRuns: 150 },
    );
  });

  it('property: a page picked without sorting every row is the page a full sort gives', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }), fc.nat({ max: 40 }), fc.integer({ min: 1, max: 20 }), (values, start, size) => {
        const order = (a: number, b: number): number => a - b;
        const expected = [...values].sort(order);
        const page = sortedPage([...values], order, start, size);
        expect(page.rows).to.deep.equal(expected.slice(start, start + size));
        expect(page.hasNext).to.equal(values.length > start + size);
      }),
    );
  });
});
