import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { call, client, tokenOf, waitForOperation } from './support.js';

type Client = ReturnType<typeof client>;
const SYNC = { 'X-Mode': 'sync' };

describe("fake Oro: rules from Oro's functional tests", () => {
  let oro: FakeOro;
  let api: Client;
  let token: string;
  before(async () => {
    oro = await startFakeOro({ asyncStepMs: 1 });
    token = await tokenOf(oro);
    api = client(oro, token);
  });
  after(() => oro.close());

  for (const [name, relationships] of [
    ['parent', { parent: { data: { type: 'customers', id: 'new-parent' } } }],
    ['child', { children: { data: [{ type: 'customers', id: 'new-parent' }] } }],
  ] as const)
    it(`refuses a new ${name} customer inside included with "new included entity existence constraint"`, async () => {
      const res = await api.post('/customers', { data: { type: 'customers', attributes: { name: 'Kid' }, relationships }, included: [{ type: 'customers', id: 'new-parent', attributes: { name: 'Mum' } }] });
      expect(res.status).to.equal(400);
      expect(res.body.errors).to.deep.equal([
        { status: '400', title: 'new included entity existence constraint', detail: 'Creation a new include entity that can lead to a circular dependency is forbidden.', source: { pointer: '/included/0' } },
      ]);
    });

  it('refuses a circular parent / child reference', async () => {
    const parent = oro.seed('customers', { name: 'parent' });
    const child = oro.seed('customers', { name: 'customer' }, { parent: { data: { type: 'customers', id: parent.id } } });
    const res = await api.patch(`/customers/${parent.id}`, { data: { type: 'customers', id: parent.id, relationships: { parent: { data: { type: 'customers', id: child.id } } } } });
    expect(res.status).to.equal(400);
    expect(res.body.errors[0]).to.deep.include({
      title: 'circular customer reference constraint',
      detail: "Circular reference detected. 'customer' cannot be a parent of 'parent' because it is its child.",
      source: { pointer: '/data/relationships/parent/data' },
    });
    const children = await api.patch(`/customers/${child.id}`, { data: { type: 'customers', id: child.id, relationships: { children: { data: [{ type: 'customers', id: parent.id }] } } } });
    expect(children.body.errors[0]).to.deep.include({ title: 'circular customer reference constraint', source: { pointer: '/data/relationships/children/data' } });
  });

  it("lets an included customer user point at the primary record's temporary id", async () => {
    const res = await api.post('/customers', {
      data: { type: 'customers', id: 'tmp-c', attributes: { name: 'With user' } },
      included: [{ type: 'customerusers', id: 'tmp-u', attributes: { email: 'tmp.user@example.com', firstName: 'T', lastName: 'U' }, relationships: { customer: { data: { type: 'customers', id: 'tmp-c' } } } }],
    });
    expect(res.status).to.equal(201);
    expect(res.body.included[0].relationships.customer.data).to.deep.equal({ type: 'customers', id: res.body.data.id });
    expect(res.body.data.relationships.users.data).to.deep.equal([{ type: 'customerusers', id: res.body.included[0].id }]);
  });

  it("refuses a duplicated item in a sync batch's included with a 400 at /included/N", async () => {
    const g = oro.seed('customergroups', { name: 'G' });
    const res = await api.patch(
      '/customers',
      {
        data: [{ type: 'customers', attributes: { name: 'D' }, relationships: { group: { data: { type: 'customergroups', id: g.id } } } }],
        included: [0, 1].map(() => ({ type: 'customergroups', id: g.id, meta: { update: true }, attributes: { name: 'G2' } })),
      },
      SYNC,
    );
    expect(res.status).to.equal(400);
    expect(res.body.errors).to.deep.include({ status: '400', title: 'request data constraint', detail: 'The item duplicates the item with the index 0', source: { pointer: '/included/1' } });
  });

  it('deletes at most 100 records of a filtered list and answers 204 with the count headers', async () => {
    for (let i = 0; i < 105; i++) oro.seed('customergroups', { name: 'bulk' });
    const res = await call(oro, token, 'DELETE', '/customergroups?filter[name]=bulk', { headers: { 'X-Include': 'totalCount;deletedCount' } });
    expect(res.status).to.equal(204);
    expect([res.headers.get('x-include-total-count'), res.headers.get('x-include-deleted-count')]).to.deep.equal(['105', '100']);
    expect(oro.records('customergroups').filter((g) => g.attributes?.['name'] === 'bulk')).to.have.length(5);
  });

  it('answers OPTIONS without a token', async () => {
    const res = await call(oro, undefined, 'OPTIONS', '/customers');
    expect(res.status).to.equal(200);
    expect(res.headers.get('allow')).to.contain('PATCH');
  });

  it('answers page[size]=0 with an empty page, not an error', async () => {
    const res = await api.get('/customers?page[size]=0');
    expect(res.status).to.equal(200);
    expect(res.body.data).to.deep.equal([]);
    expect(res.body.links).to.not.have.property('next');
  });

  it('ends an async batch whose body is not JSON "failed" with an "async operation exception" <op>-0-1, progress null', async () => {
    const res = await api.raw('PATCH', '/customers', { raw: '{"data": [{test}]}' });
    expect(res.status).to.equal(202);
    const op = await waitForOperation(oro, token, res.body.data.id);
    expect(op.body.data.attributes).to.include({ status: 'failed', progress: null });
    expect(op.body.data.attributes).to.not.have.property('hasErrors');
    const errors = await api.get(`/asyncoperations/${res.body.data.id}/errors?page[size]=5`);
    expect(errors.body.data[0]).to.deep.include({ id: `${res.body.data.id}-0-1` });
    expect(errors.body.data[0].attributes.title).to.equal('async operation exception');
    expect(errors.body.links.self).to.equal(`${oro.baseUrl}/asyncoperations/${res.body.data.id}/errors`);
  });

  it('accepts X-Mode exactly "sync" or "async", else 400', async () => {
    const doc = { data: [{ type: 'customers', attributes: { name: 'M' } }] };
    expect((await api.patch('/customers', doc, { 'X-Mode': 'async' })).status).to.equal(202);
    for (const mode of ['SYNC', 'batch']) {
      const res = await api.patch('/customers', doc, { 'X-Mode': mode });
      expect(res.status, mode).to.equal(400);
    }
  });

  it('refuses batch items with a wrong or missing type with 400 "entity type constraint" at /data/N', async () => {
    const res = await api.patch('/customers', { data: [{ type: 'customergroups', attributes: { name: 'x' } }, { attributes: { name: 'y' } }] }, SYNC);
    expect(res.status).to.equal(400);
    expect(res.body.errors.map((e: { title: string; source: { pointer: string } }) => [e.title, e.source.pointer])).to.deep.equal([
      ['entity type constraint', '/data/0'],
      ['entity type constraint', '/data/1'],
    ]);
  });

  it('answers an empty or wrong-grant token request 401 invalid_client', async () => {
    for (const body of ['', 'grant_type=password&client_id=oro-sync-demo&client_secret=oro-sync-demo-secret&username=a&password=b']) {
      const res = await fetch(oro.tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
      expect(res.status, body).to.equal(401);
      expect(((await res.json()) as { error: string }).error).to.equal('invalid_client');
    }
  });

  it("reads a customer's to-one relationship at /customers/{id}/relationships/group", async () => {
    const g = oro.seed('customergroups', { name: 'Rel' });
    const c = oro.seed('customers', { name: 'Rel' }, { group: { data: { type: 'customergroups', id: g.id } } });
    const res = await api.get(`/customers/${c.id}/relationships/group`);
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ data: { type: 'customergroups', id: g.id } });
    expect((await api.get(`/customers/${c.id}/group`)).body.data.attributes.name).to.equal('Rel');
  });
});
