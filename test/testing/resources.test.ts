import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { client, productDocument, tokenOf } from './support.js';

type Client = ReturnType<typeof client>;
const titlesAndPointers = (body: { errors: { title: string; source?: { pointer?: string } }[] }) => body.errors.map((e) => [e.title, e.source?.pointer]);

describe('fake Oro: resource types and validation (docs/oro-api.md §2, §4)', () => {
  let oro: FakeOro;
  let api: Client;
  let clock = Date.UTC(2024, 4, 1, 12, 0, 0, 500);
  before(async () => {
    oro = await startFakeOro({ now: () => clock });
    api = client(oro, await tokenOf(oro));
  });
  after(() => oro.close());

  it('creates a customer with server timestamps and default owner/organization, ignoring sent timestamps', async () => {
    const res = await api.post('/customers', { data: { type: 'customers', attributes: { name: 'Acme', externalId: 'EXT-1', createdAt: '2000-01-01T00:00:00Z' } } });
    expect(res.status).to.equal(201);
    const data = res.body.data;
    expect(data.attributes).to.deep.equal({ name: 'Acme', externalId: 'EXT-1', createdAt: '2024-05-01T12:00:00Z', updatedAt: '2024-05-01T12:00:00Z' });
    expect(data.relationships.owner.data).to.deep.equal({ type: 'users', id: '1' });
    expect(data.relationships.organization.data).to.deep.equal({ type: 'organizations', id: '1' });
    expect(data.relationships.children.data).to.deep.equal([]);
  });

  it('reports every validation error at once with string status, lower-case titles and pointers', async () => {
    const res = await api.post('/customers', { data: { type: 'customers', attributes: { name: ' ', externalId: 'x'.repeat(37), color: 'red' } } });
    expect(res.status).to.equal(400);
    expect(res.body.errors[0]).to.include({ status: '400' });
    expect(titlesAndPointers(res.body)).to.have.deep.members([
      ['not blank constraint', '/data/attributes/name'],
      ['length constraint', '/data/attributes/externalId'],
      ['extra fields constraint', '/data/attributes/color'],
    ]);
    const blank = res.body.errors.find((e: { title: string }) => e.title === 'not blank constraint');
    expect(blank.detail).to.equal('This value should not be blank.');
  });

  it('requires name when it is missing and checks its 255 length', async () => {
    const missing = await api.post('/customers', { data: { type: 'customers' } });
    expect(titlesAndPointers(missing.body)).to.deep.equal([['not blank constraint', '/data/attributes/name']]);
    const long = await api.post('/customers', { data: { type: 'customers', attributes: { name: 'n'.repeat(256) } } });
    expect(titlesAndPointers(long.body)).to.deep.equal([['length constraint', '/data/attributes/name']]);
    expect((await api.post('/customers', { data: { type: 'customers', attributes: { name: 'n'.repeat(255), externalId: null } } })).status).to.equal(201);
  });

  it('rejects relationships to missing records with a pointer to the relationship data', async () => {
    const res = await api.post('/customers', {
      data: { type: 'customers', attributes: { name: 'B' }, relationships: { group: { data: { type: 'customergroups', id: '999' } }, parent: { data: { type: 'customers', id: '999' } } } },
    });
    expect(res.status).to.equal(400);
    expect(titlesAndPointers(res.body)).to.deep.equal([
      ['form constraint', '/data/relationships/group/data'],
      ['form constraint', '/data/relationships/parent/data'],
    ]);
  });

  it('links group and parent and shows children on the parent', async () => {
    const group = await api.post('/customergroups', { data: { type: 'customergroups', attributes: { name: 'Retail' } } });
    const parent = await api.post('/customers', { data: { type: 'customers', attributes: { name: 'Parent' } } });
    const child = await api.post('/customers', {
      data: {
        type: 'customers',
        attributes: { name: 'Child' },
        relationships: { group: { data: { type: 'customergroups', id: group.body.data.id } }, parent: { data: { type: 'customers', id: parent.body.data.id } } },
      },
    });
    expect(child.status).to.equal(201);
    const read = await api.get(`/customers/${parent.body.data.id}`);
    expect(read.body.data.relationships.children.data).to.deep.equal([{ type: 'customers', id: child.body.data.id }]);
  });

  it('rejects an unknown relationship name', async () => {
    const res = await api.post('/customers', { data: { type: 'customers', attributes: { name: 'C' }, relationships: { nope: { data: null } } } });
    expect(titlesAndPointers(res.body)).to.deep.equal([['extra fields constraint', '/data/relationships/nope']]);
  });

  it('validates customerusers: email, names and a required existing customer', async () => {
    const bad = await api.post('/customerusers', { data: { type: 'customerusers', attributes: { email: 'not-an-email' } } });
    expect(bad.status).to.equal(400);
    expect(titlesAndPointers(bad.body)).to.have.deep.members([
      ['email constraint', '/data/attributes/email'],
      ['not blank constraint', '/data/attributes/firstName'],
      ['not blank constraint', '/data/attributes/lastName'],
      ['not blank constraint', '/data/relationships/customer/data'],
    ]);
    const customer = oro.seed('customers', { name: 'Owner co' });
    const ok = await api.post('/customerusers', {
      data: { type: 'customerusers', attributes: { email: 'a@b.example', firstName: 'A', lastName: 'B' }, relationships: { customer: { data: { type: 'customers', id: customer.id } } } },
    });
    expect(ok.status).to.equal(201);
  });

  it('validates customeraddresses against the pre-seeded countries', async () => {
    expect(oro.records('countries').map((c) => c.id)).to.deep.equal(['DE', 'FR', 'GB', 'US']);
    const customer = oro.seed('customers', { name: 'Addr co' });
    const rel = (country: string) => ({ customer: { data: { type: 'customers', id: customer.id } }, country: { data: { type: 'countries', id: country } } });
    const ok = await api.post('/customeraddresses', { data: { type: 'customeraddresses', attributes: { street: '1 Main St', city: 'Austin', postalCode: '73301' }, relationships: rel('US') } });
    expect(ok.status).to.equal(201);
    expect(ok.body.data.relationships.country.data).to.deep.equal({ type: 'countries', id: 'US' });
    const bad = await api.post('/customeraddresses', { data: { type: 'customeraddresses', attributes: { street: 'x' }, relationships: rel('XX') } });
    expect(titlesAndPointers(bad.body)).to.have.deep.members([
      ['not blank constraint', '/data/attributes/city'],
      ['not blank constraint', '/data/attributes/postalCode'],
      ['form constraint', '/data/relationships/country/data'],
    ]);
  });

  it('serves read-only organizations and countries and refuses writes with 405', async () => {
    expect((await api.get('/users/1')).body.data.attributes.username).to.equal('admin');
    expect((await api.get('/organizations/1')).status).to.equal(200);
    expect((await api.get('/countries/DE')).body.data.attributes.name).to.equal('Germany');
    const res = await api.post('/organizations', { data: { type: 'organizations', attributes: { name: 'x' } } });
    expect(res.status).to.equal(405);
    expect(res.headers.get('allow')).to.equal('OPTIONS, GET');
  });

  it('answers 404 "entity type constraint" for an unknown type', async () => {
    const res = await api.get('/widgets');
    expect(res.status).to.equal(404);
    expect(res.body.errors[0]).to.include({ status: '404', title: 'entity type constraint' });
  });

  it('answers 404 "not found http exception" for an unknown id', async () => {
    const res = await api.get('/customers/424242');
    expect(res.status).to.equal(404);
    expect(res.body.errors[0]).to.include({ status: '404', title: 'not found http exception' });
  });

  it('answers 400 "bad request http exception" for malformed JSON', async () => {
    const res = await api.raw('POST', '/customers', { raw: '{"data": ' });
    expect(res.status).to.equal(400);
    expect(res.body.errors[0]).to.include({ status: '400', title: 'bad request http exception' });
  });

  it('answers 400 "request data constraint" for an empty body and for a missing data member', async () => {
    const empty = await api.raw('POST', '/customers', { raw: '' , headers: { 'Content-Type': 'application/vnd.api+json' } });
    expect(empty.status).to.equal(400);
    expect(empty.body.errors[0].title).to.equal('request data constraint');
    const noData = await api.post('/customers', { meta: {} });
    expect(noData.status).to.equal(400);
    expect(noData.body.errors[0]).to.deep.include({ title: 'request data constraint', source: { pointer: '/data' } });
  });

  it('answers 409 "conflict constraint" when data.type differs from the URL type', async () => {
    const res = await api.post('/customers', { data: { type: 'customergroups', attributes: { name: 'x' } } });
    expect(res.status).to.equal(409);
    expect(res.body.errors[0]).to.deep.include({ title: 'conflict constraint', source: { pointer: '/data/type' } });
  });

  it('keeps products.sku unique', async () => {
    expect((await api.post('/products', productDocument('U-1'))).status).to.equal(201);
    const dup = await api.post('/products', productDocument('U-1'));
    expect(dup.status).to.equal(400);
    expect(titlesAndPointers(dup.body)).to.deep.equal([['unique entity constraint', '/data/attributes/sku']]);
  });

  it('assigns integer ids in order and refreshes updatedAt only on change', async () => {
    const a = await api.post('/customergroups', { data: { type: 'customergroups', attributes: { name: 'G1' } } });
    const b = await api.post('/customergroups', { data: { type: 'customergroups', attributes: { name: 'G2' } } });
    expect(Number(b.body.data.id)).to.equal(Number(a.body.data.id) + 1);
    clock += 61_000;
    const patched = await api.patch(`/customergroups/${a.body.data.id}`, { data: { type: 'customergroups', id: a.body.data.id, attributes: { name: 'G1b' } } });
    expect(patched.body.data.attributes.updatedAt).to.equal('2024-05-01T12:01:01Z');
    expect(patched.body.data.attributes.createdAt).to.equal('2024-05-01T12:00:00Z');
  });
});
