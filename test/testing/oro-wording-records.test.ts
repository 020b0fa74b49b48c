/**
 * The fake answers reads and customer writes as Oro 7.0 does, word for word (issue 24), from
 * Oro's own functional tests (platform ApiBundle, customer-portal CustomerBundle).
 */
import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { client, tokenOf, waitForOperation } from './support.js';

type Client = ReturnType<typeof client>;

describe('fake Oro answers as Oro 7.0: reading', () => {
  let oro: FakeOro;
  let token: string;
  let api: Client;
  before(async () => {
    oro = await startFakeOro({ asyncStepMs: 1 });
    token = await tokenOf(oro);
    api = client(oro, token);
    for (let i = 1; i <= 25; i++) oro.seed('customers', { name: `Customer ${i}` });
  });
  after(() => oro.close());

  it('answers an id it does not have with 404 "An entity with the requested identifier does not exist."', async () => {
    const expected = [{ status: '404', title: 'not found http exception', detail: 'An entity with the requested identifier does not exist.' }];
    const read = await api.get('/customers/999');
    expect(read.status).to.equal(404);
    expect(read.body.errors).to.deep.equal(expected);
    expect((await api.patch('/customers/999', { data: { type: 'customers', id: '999', attributes: { name: 'x' } } })).body.errors).to.deep.equal(expected);
    expect((await api.delete('/customers/999')).body.errors).to.deep.equal(expected);
  });

  // The parameters and details of Oro's GetWithFiltersTest::testPagination*.
  for (const [query, parameter, detail] of [
    ['page[size]=-2', 'page[size]', 'The value should be greater than or equals to -1.'],
    ['page[size]=str', 'page[size]', 'Expected integer value. Given "str".'],
    ['page[number]=0', 'page[number]', 'The value should be greater than or equals to 1.'],
    ['page[number]=-1', 'page[number]', 'Expected unsigned integer value. Given "-1".'],
    ['page[number]=str', 'page[number]', 'Expected unsigned integer value. Given "str".'],
  ] as const)
    it(`refuses ${query} with Oro's paging message`, async () => {
      const res = await api.get(`/customers?${query}`);
      expect(res.status).to.equal(400);
      expect(res.body.errors).to.deep.equal([{ status: '400', title: 'filter constraint', detail, source: { parameter } }]);
    });

  it('links page 1 with exactly self and next, no first', async () => {
    const res = await api.get('/customers');
    expect(res.body.links).to.deep.equal({ self: `${oro.baseUrl}/customers`, next: `${oro.baseUrl}/customers?page%5Bnumber%5D=2` });
  });

  it("links a later page with self as the list's URL without its query string, and the other parameters sorted by name", async () => {
    // Oro's HateoasTest::testGetListWithPaginationLinksWhenThereAreOtherFilters, with our fields.
    const res = await api.get('/customers?page[number]=2&sort=-id&fields[customers]=name&page[size]=5');
    const url = `${oro.baseUrl}/customers`;
    expect(res.body.links).to.deep.equal({
      self: url,
      first: `${url}?fields%5Bcustomers%5D=name&page%5Bsize%5D=5&sort=-id`,
      prev: `${url}?fields%5Bcustomers%5D=name&page%5Bsize%5D=5&sort=-id`,
      next: `${url}?fields%5Bcustomers%5D=name&page%5Bnumber%5D=3&page%5Bsize%5D=5&sort=-id`,
    });
  });

  it("links an async operation's error list with self as its URL without the query string", async () => {
    // Oro's AsyncOperationErrorsTest::testPaginationLinksForSecondPage.
    const batch = await api.patch('/customers', { data: Array.from({ length: 7 }, () => ({ type: 'customers', attributes: { name: '' } })) });
    const id: string = batch.body.data.id;
    await waitForOperation(oro, token, id);
    const url = `${oro.baseUrl}/asyncoperations/${id}/errors`;
    const page2 = await api.get(`/asyncoperations/${id}/errors?page[size]=2&page[number]=2`);
    expect(page2.body.links).to.deep.equal({
      self: url,
      first: `${url}?page%5Bsize%5D=2`,
      prev: `${url}?page%5Bsize%5D=2`,
      next: `${url}?page%5Bnumber%5D=3&page%5Bsize%5D=2`,
    });
    const page1 = await api.get(`/asyncoperations/${id}/errors?page[size]=2&page[number]=1`);
    expect(page1.body.links).to.deep.equal({ self: url, next: `${url}?page%5Bnumber%5D=2&page%5Bsize%5D=2` });
  });
});

describe('fake Oro answers as Oro 7.0: customers and users', () => {
  let oro: FakeOro;
  let api: Client;
  beforeEach(async () => {
    oro = await startFakeOro();
    api = client(oro, await tokenOf(oro));
  });
  afterEach(() => oro.close());

  const customerWithGroup = (data: unknown) => ({ data: { type: 'customers', attributes: { name: 'Acme' }, relationships: { group: { data } } } });

  it('answers a related id it does not have with "The entity does not exist." at the relationship data', async () => {
    const res = await api.post('/customers', customerWithGroup({ type: 'customergroups', id: '999' }));
    expect(res.status).to.equal(400);
    expect(res.body.errors).to.deep.equal([{ status: '400', title: 'form constraint', detail: 'The entity does not exist.', source: { pointer: '/data/relationships/group/data' } }]);
  });

  it('answers a related id that is not an integer with "entity identifier constraint" at /data/relationships/group/data/id', async () => {
    const res = await api.post('/customers', customerWithGroup({ type: 'customergroups', id: 'foo' }));
    expect(res.status).to.equal(400);
    expect(res.body.errors).to.deep.equal([
      { status: '400', title: 'entity identifier constraint', detail: 'Expected integer value. Given "foo".', source: { pointer: '/data/relationships/group/data/id' } },
    ]);
  });

  it("changes a customer's group with PATCH /customers/{id}/relationships/group (204)", async () => {
    // CustomerBundle's CustomerTest::testUpdateRelationshipForGroup.
    const [g1, g2] = [oro.seed('customergroups', { name: 'G1' }), oro.seed('customergroups', { name: 'G2' })];
    const customer = oro.seed('customers', { name: 'Acme' }, { group: { data: { type: 'customergroups', id: g1.id } } });
    const res = await api.raw('PATCH', `/customers/${customer.id}/relationships/group`, { body: { data: { type: 'customergroups', id: g2.id } } });
    expect(res.status).to.equal(204);
    expect((await api.get(`/customers/${customer.id}/relationships/group`)).body).to.deep.equal({ data: { type: 'customergroups', id: g2.id } });
    const missing = await api.raw('PATCH', `/customers/${customer.id}/relationships/group`, { body: { data: { type: 'customergroups', id: '999' } } });
    expect(missing.body.errors).to.deep.equal([{ status: '400', title: 'form constraint', detail: 'The entity does not exist.', source: { pointer: '/data' } }]);
  });

  it('answers OPTIONS of relationship routes as Oro: to-one OPTIONS, GET, PATCH; to-many adds POST, DELETE; related records OPTIONS, GET', async () => {
    const customer = oro.seed('customers', { name: 'Acme' });
    const allow = async (path: string) => (await api.raw('OPTIONS', `/customers/${customer.id}${path}`)).headers.get('allow');
    expect(await allow('/relationships/group')).to.equal('OPTIONS, GET, PATCH');
    expect(await allow('/relationships/children')).to.equal('OPTIONS, GET, PATCH, POST, DELETE');
    expect(await allow('/group')).to.equal('OPTIONS, GET');
  });

  it("adds, replaces and removes a customer's children through /relationships/children", async () => {
    // CustomerBundle's CustomerTest::test{Add,Update,Delete}RelationshipForChildren.
    const parent = oro.seed('customers', { name: 'Parent' });
    const [a, b, c] = ['A', 'B', 'C'].map((name) => oro.seed('customers', { name }, name === 'A' ? { parent: { data: { type: 'customers', id: parent.id } } } : {}));
    const children = async () => (await api.get(`/customers/${parent.id}/relationships/children`)).body.data.map((r: { id: string }) => r.id);
    const route = `/customers/${parent.id}/relationships/children`;
    expect((await api.raw('POST', route, { body: { data: [{ type: 'customers', id: b?.id }] } })).status).to.equal(204);
    expect(await children()).to.deep.equal([a?.id, b?.id]);
    expect((await api.raw('PATCH', route, { body: { data: [{ type: 'customers', id: c?.id }] } })).status).to.equal(204);
    expect(await children()).to.deep.equal([c?.id]);
    expect((await api.raw('DELETE', route, { body: { data: [{ type: 'customers', id: c?.id }] } })).status).to.equal(204);
    expect(await children()).to.deep.equal([]);
    const cycle = await api.raw('PATCH', `/customers/${a?.id}/relationships/children`, { body: { data: [{ type: 'customers', id: a?.id }] } });
    expect(cycle.body.errors[0]).to.deep.include({ title: 'circular customer reference constraint', source: { pointer: '/data' } });
  });

  it("adds and removes a customer user's roles through /relationships/userRoles", async () => {
    // CustomerBundle's CustomerUserTest::test{Add,Delete}RelationshipForRoles.
    const customer = oro.seed('customers', { name: 'Acme' });
    const user = oro.seed('customerusers', { email: 'roles@example.com', firstName: 'R', lastName: 'S' }, { customer: { data: { type: 'customers', id: customer.id } } });
    const route = `/customerusers/${user.id}/relationships/userRoles`;
    const roles = async () => (await api.get(route)).body.data.map((r: { id: string }) => r.id);
    expect(await roles()).to.deep.equal(['2']);
    expect((await api.raw('POST', route, { body: { data: [{ type: 'customeruserroles', id: '1' }] } })).status).to.equal(204);
    expect(await roles()).to.deep.equal(['2', '1']);
    expect((await api.raw('DELETE', route, { body: { data: [{ type: 'customeruserroles', id: '2' }] } })).status).to.equal(204);
    expect(await roles()).to.deep.equal(['1']);
  });

  it('refuses an upsert in a PATCH of a customer: its id is generated', async () => {
    const customer = oro.seed('customers', { name: 'Acme' });
    for (const upsert of [true, ['name']]) {
      const res = await api.patch(`/customers/${customer.id}`, { data: { type: 'customers', id: customer.id, meta: { upsert }, attributes: { name: 'B' } } });
      expect(res.status).to.equal(400);
      expect(res.body.errors).to.deep.equal([
        { status: '400', title: 'value constraint', detail: 'The upsert operation is not supported for resources with auto-generated identifier value.', source: { pointer: '/meta/upsert' } },
      ]);
    }
    expect(oro.records('customers')[0]?.attributes?.['name']).to.equal('Acme');
  });

  it('answers a meta flag that is not a boolean with "This value should be a boolean." at its pointer', async () => {
    const res = await api.post('/customers', { data: { type: 'customers', meta: { validate: 'yes' }, attributes: { name: 'A' } } });
    expect(res.body.errors).to.deep.equal([{ status: '400', title: 'value constraint', detail: 'This value should be a boolean.', source: { pointer: '/meta/validate' } }]);
  });

  it('answers a related record of another type with "entity type constraint" at the relationship type, before any field error', async () => {
    const res = await api.post('/customers', { data: { type: 'customers', attributes: { name: '' }, relationships: { group: { data: { type: 'customers', id: '1' } } } } });
    expect(res.body.errors).to.deep.equal([{ status: '400', title: 'entity type constraint', detail: 'Not acceptable entity type.', source: { pointer: '/data/relationships/group/data/type' } }]);
  });
});

describe('fake Oro answers as Oro 7.0: customer user emails', () => {
  let oro: FakeOro;
  let api: Client;
  before(async () => {
    oro = await startFakeOro();
    api = client(oro, await tokenOf(oro));
  });
  after(() => oro.close());

  it('answers a customer user email already used with "unique customer user name and email constraint"', async () => {
    // CustomerBundle's UserCaseInsensitiveEmailTest::testCreateAndUpdateCaseInsensitive.
    const customer = oro.seed('customers', { name: 'Acme' });
    const user = (email: string) => ({
      data: { type: 'customerusers', attributes: { email, firstName: 'Bob', lastName: 'Fedeson' }, relationships: { customer: { data: { type: 'customers', id: customer.id } } } },
    });
    expect((await api.post('/customerusers', user('test@test.com'))).status).to.equal(201);
    const res = await api.post('/customerusers', user('Test@Test.Com'));
    expect(res.status).to.equal(400);
    expect(res.body.errors).to.deep.equal([
      { status: '400', title: 'unique customer user name and email constraint', detail: 'This email is already used.', source: { pointer: '/data/attributes/email' } },
    ]);
  });
});

describe('fake Oro answers as Oro 7.0: customer addresses', () => {
  let oro: FakeOro;
  let api: Client;
  before(async () => {
    oro = await startFakeOro();
    api = client(oro, await tokenOf(oro));
  });
  after(() => oro.close());

  it('accepts primary, types, organization and region on a customer address in included', async () => {
    // The attributes of CustomerBundle's create_customer_address.yml, in a customer's included.
    const attributes = { primary: true, street: 'Street 1', city: 'Los Angeles', postalCode: '90001', organization: 'Acme', types: [{ default: true, addressType: 'billing' }, { default: false, addressType: 'shipping' }] };
    const res = await api.post('/customers', {
      data: { type: 'customers', attributes: { name: 'Acme' }, relationships: { addresses: { data: [{ type: 'customeraddresses', id: 'a1' }] } } },
      included: [
        { type: 'customeraddresses', id: 'a1', attributes, relationships: { country: { data: { type: 'countries', id: 'US' } }, region: { data: { type: 'regions', id: 'US-CA' } } } },
      ],
    });
    expect(res.status).to.equal(201);
    const [address] = res.body.included;
    expect(address.attributes).to.deep.include(attributes);
    expect(address.relationships.region.data).to.deep.equal({ type: 'regions', id: 'US-CA' });
    expect(address.relationships.systemOrganization.data).to.deep.equal({ type: 'organizations', id: '1' });
    expect(address.relationships.customer.data).to.deep.equal({ type: 'customers', id: res.body.data.id });
  });

  it("keeps an address's customer on update and refuses to change it through its relationship route, as Oro does", async () => {
    const [a, b] = [oro.seed('customers', { name: 'A' }), oro.seed('customers', { name: 'B' })];
    const address = oro.seed('customeraddresses', { street: 'S', city: 'C', postalCode: 'P' }, { customer: { data: { type: 'customers', id: a.id } }, country: { data: { type: 'countries', id: 'DE' } } });
    const res = await api.patch(`/customeraddresses/${address.id}`, { data: { type: 'customeraddresses', id: address.id, relationships: { customer: { data: { type: 'customers', id: b.id } } } } });
    expect(res.status).to.equal(200);
    expect(res.body.data.relationships.customer.data).to.deep.equal({ type: 'customers', id: a.id });
    const route = await api.raw('PATCH', `/customeraddresses/${address.id}/relationships/customer`, { body: { data: { type: 'customers', id: b.id } } });
    expect(route.status).to.equal(405);
    expect(route.headers.get('allow')).to.equal('OPTIONS, GET');
  });
});
