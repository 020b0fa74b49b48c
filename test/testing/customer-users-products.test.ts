import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { client, productDocument, tokenOf } from './support.js';

type Client = ReturnType<typeof client>;
const pointers = (body: { errors: { title: string; source?: { pointer?: string } }[] }) => body.errors.map((e) => [e.title, e.source?.pointer]);

describe('fake Oro: customer users and products as Oro has them', () => {
  let oro: FakeOro;
  let api: Client;
  let customerId: string;
  before(async () => {
    oro = await startFakeOro();
    api = client(oro, await tokenOf(oro));
    customerId = oro.seed('customers', { name: 'Acme' }).id;
  });
  after(() => oro.close());

  const user = (attributes: Record<string, unknown>, relationships: Record<string, unknown> = {}) => ({
    data: { type: 'customerusers', attributes: { firstName: 'Ann', lastName: 'Lee', ...attributes }, relationships: { customer: { data: { type: 'customers', id: customerId } }, ...relationships } },
  });

  it('accepts enabled, confirmed, password and userRoles on a customer user, and never shows the password', async () => {
    const res = await api.post('/customerusers', user({ email: 'ann@example.com', enabled: false, confirmed: true, password: 'Admin123' }, { userRoles: { data: [{ type: 'customeruserroles', id: '1' }] } }));
    expect(res.status).to.equal(201);
    expect(res.body.data.attributes).to.include({ enabled: false, confirmed: true });
    expect(res.body.data.attributes).to.not.have.property('password');
    expect(res.body.data.relationships.userRoles.data).to.deep.equal([{ type: 'customeruserroles', id: '1' }]);
  });

  it('gives a customer user without userRoles the buyer role', async () => {
    const res = await api.post('/customerusers', user({ email: 'buyer@example.com' }));
    expect(res.body.data.relationships.userRoles.data).to.deep.equal([{ type: 'customeruserroles', id: '2' }]);
    expect(res.body.data.attributes).to.include({ enabled: true, confirmed: true });
  });

  it('checks a customer user password for complexity (400 "password complexity constraint"), not as an extra field', async () => {
    const res = await api.post('/customerusers', user({ email: 'weak@example.com', password: '1' }));
    expect(res.status).to.equal(400);
    expect(pointers(res.body)).to.deep.equal([['password complexity constraint', '/data/attributes/password']]);
  });

  it('keeps customer user emails unique, ignoring case', async () => {
    await api.post('/customerusers', user({ email: 'Case@Example.com' }));
    const dup = await api.post('/customerusers', user({ email: 'case@example.COM' }));
    expect(dup.status).to.equal(400);
    expect(pointers(dup.body)).to.deep.equal([['unique customer user name and email constraint', '/data/attributes/email']]);
  });

  it('refuses emails shorter than 6 characters or not strictly valid', async () => {
    expect(pointers((await api.post('/customerusers', user({ email: 'a@b.c' }))).body)).to.deep.equal([['length constraint', '/data/attributes/email']]);
    for (const email of ['ann..lee@example.com', 'ann@example', 'ann@-example.com', 'ann lee@example.com'])
      expect(pointers((await api.post('/customerusers', user({ email }))).body), email).to.deep.equal([['email constraint', '/data/attributes/email']]);
  });

  it('requires sku, names, attributeFamily, primaryUnitPrecision and inventory_status on products', async () => {
    const res = await api.post('/products', { data: { type: 'products' } });
    expect(res.status).to.equal(400);
    expect(pointers(res.body)).to.have.deep.members([
      ['not blank constraint', '/data/attributes/sku'],
      // Oro's NotBlankDefaultLocalizedFallbackValue and the create action's Count (ProductTest::testTryToCreateWithEmptyNames).
      ['not blank default localized fallback value constraint', '/data/relationships/names/data'],
      ['count constraint', '/data/relationships/names/data'],
      ['not blank constraint', '/data/relationships/attributeFamily/data'],
      ['not blank constraint', '/data/relationships/primaryUnitPrecision/data'],
      ['not blank constraint', '/data/relationships/inventory_status/data'],
    ]);
  });

  it('creates a product with its names and unit precision in included, and filters by sku', async () => {
    const res = await api.post('/products', productDocument('P-1', 'Widget'));
    expect(res.status).to.equal(201);
    expect(res.body.included.map((r: { type: string; meta: unknown }) => [r.type, r.meta])).to.deep.equal([
      ['productnames', { includeId: 'name-1' }],
      ['productunitprecisions', { includeId: 'unit-1' }],
    ]);
    const id = res.body.data.id;
    const found = await api.get('/products?filter[sku]=P-1&include=names');
    expect(found.body.data.map((p: { id: string }) => p.id)).to.deep.equal([id]);
    expect(found.body.included[0].attributes.string).to.equal('Widget');
  });
});
