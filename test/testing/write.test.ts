import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { client, tokenOf } from './support.js';

type Client = ReturnType<typeof client>;

describe('fake Oro: writes (docs/oro-api.md §2, §5)', () => {
  let oro: FakeOro;
  let api: Client;
  let clock = Date.UTC(2024, 0, 1);
  before(async () => {
    oro = await startFakeOro({ now: () => clock });
    api = client(oro, await tokenOf(oro));
  });
  after(() => oro.close());

  it('answers POST with 201 and Location = data.links.self', async () => {
    const res = await api.post('/customergroups', { data: { type: 'customergroups', attributes: { name: 'G' } } });
    expect(res.status).to.equal(201);
    expect(res.body.data.id).to.match(/^\d+$/);
    expect(res.headers.get('location')).to.equal(res.body.data.links.self);
  });

  describe('upsert', () => {
    it('creates (201) then updates (200) users by ["username"], a unique column mapped to an API field', async () => {
      const doc = (firstName: string) => ({ data: { type: 'users', meta: { upsert: ['username'] }, attributes: { username: 'jane', email: 'jane@example.com', firstName } } });
      const created = await api.post('/users', doc('First'));
      expect(created.status).to.equal(201);
      const updated = await api.post('/users', doc('Second'));
      expect(updated.status).to.equal(200);
      expect(updated.body.data.id).to.equal(created.body.data.id);
      expect(updated.body.data.attributes.firstName).to.equal('Second');
      expect(oro.records('users').filter((u) => u.attributes?.['username'] === 'jane')).to.have.length(1);
    });

    it('refuses upsert by id where the id is generated (users)', async () => {
      const res = await api.post('/users', { data: { type: 'users', id: '1', meta: { upsert: true }, attributes: { firstName: 'B' } } });
      expect(res.status).to.equal(400);
      expect(res.body.errors[0]).to.include({ title: 'value constraint', detail: 'The upsert operation cannot use the entity identifier to find an entity.' });
    });

    for (const [type, upsert] of [['products', ['sku']], ['products', true], ['customergroups', ['name']], ['customerusers', ['email']]] as const)
      it(`refuses upsert ${JSON.stringify(upsert)} on ${type} (no unique column without a foreign key) with 400 at /meta/upsert`, async () => {
        const res = await api.post(`/${type}`, { data: { type, id: '1', meta: { upsert } } });
        expect(res.status).to.equal(400);
        expect(res.body.errors[0]).to.deep.equal({ status: '400', title: 'value constraint', detail: 'The upsert operation is not allowed.', source: { pointer: '/meta/upsert' } });
      });

    it('refuses upsert on customers with 400 "value constraint" at /meta/upsert', async () => {
      for (const upsert of [true, ['externalId']]) {
        const res = await api.post('/customers', { data: { type: 'customers', id: '1', meta: { upsert }, attributes: { name: 'X', externalId: 'E' } } });
        expect(res.status).to.equal(400);
        expect(res.body.errors[0]).to.deep.equal({ status: '400', title: 'value constraint', detail: 'The upsert operation is not allowed.', source: { pointer: '/meta/upsert' } });
      }
      expect(oro.records('customers').filter((c) => c.attributes?.['externalId'] === 'E')).to.have.length(0);
    });

    it('refuses more than one meta option', async () => {
      const res = await api.post('/users', { data: { type: 'users', meta: { upsert: ['username'], validate: true }, attributes: { username: 'm-1' } } });
      expect(res.status).to.equal(400);
      expect(res.body.errors[0].detail).to.equal('Only one meta option can be used.');
    });
  });

  describe('compound create through included', () => {
    it('creates the primary and included records together and maps temporary ids back', async () => {
      const res = await api.post('/customers', {
        data: {
          type: 'customers',
          attributes: { name: 'With group' },
          relationships: { group: { data: { type: 'customergroups', id: 'tmp-g' } } },
        },
        included: [{ type: 'customergroups', id: 'tmp-g', attributes: { name: 'New group' } }],
      });
      expect(res.status).to.equal(201);
      const [group] = res.body.included;
      expect(group).to.deep.include({ type: 'customergroups', meta: { includeId: 'tmp-g' } });
      expect(res.body.data.relationships.group.data).to.deep.equal({ type: 'customergroups', id: group.id });
    });

    it('is all-or-nothing and points errors at /included/N', async () => {
      const before = oro.records('customergroups').length;
      const res = await api.post('/customers', {
        data: { type: 'customers', attributes: { name: 'Fine' }, relationships: { group: { data: { type: 'customergroups', id: 'g' } } } },
        included: [{ type: 'customergroups', id: 'g', attributes: { name: '' } }],
      });
      expect(res.status).to.equal(400);
      expect(res.body.errors.map((e: { source: { pointer: string } }) => e.source.pointer)).to.deep.equal(['/included/0/attributes/name']);
      expect(oro.records('customergroups')).to.have.length(before);
      expect(oro.records('customers').filter((c) => c.attributes?.['name'] === 'Fine')).to.have.length(0);
    });
  });

  describe('PATCH item', () => {
    it('changes only the sent fields and refreshes updatedAt', async () => {
      const g = oro.seed('customergroups', { name: 'Grp' });
      const c = oro.seed('customers', { name: 'Old', externalId: 'KEEP' }, { group: { data: { type: 'customergroups', id: g.id } } });
      clock += 5_000;
      const res = await api.patch(`/customers/${c.id}`, { data: { type: 'customers', id: c.id, attributes: { name: 'New' } } });
      expect(res.status).to.equal(200);
      expect(res.body.data.attributes).to.include({ name: 'New', externalId: 'KEEP', updatedAt: '2024-01-01T00:00:05Z', createdAt: '2024-01-01T00:00:00Z' });
      expect(res.body.data.relationships.group.data).to.deep.equal({ type: 'customergroups', id: g.id });
    });

    it('answers 409 "conflict constraint" when data.id or data.type differ from the URL', async () => {
      const c = oro.seed('customers', { name: 'X' });
      const wrongId = await api.patch(`/customers/${c.id}`, { data: { type: 'customers', id: '99999', attributes: { name: 'Y' } } });
      expect(wrongId.status).to.equal(409);
      expect(wrongId.body.errors[0]).to.deep.include({ title: 'conflict constraint', source: { pointer: '/data/id' } });
      const wrongType = await api.patch(`/customers/${c.id}`, { data: { type: 'customergroups', id: c.id } });
      expect(wrongType.status).to.equal(409);
      expect(wrongType.body.errors[0].title).to.equal('conflict constraint');
    });

    it('answers 404 for an unknown id', async () => {
      expect((await api.patch('/customers/77777', { data: { type: 'customers', id: '77777', attributes: { name: 'x' } } })).status).to.equal(404);
    });
  });

  it('DELETE answers 204 and removes the record', async () => {
    const c = oro.seed('customers', { name: 'Doomed' });
    const res = await api.delete(`/customers/${c.id}`);
    expect(res.status).to.equal(204);
    expect(res.text).to.equal('');
    expect((await api.get(`/customers/${c.id}`)).status).to.equal(404);
    // Gone: a second DELETE is a 404, as Oro answers for an id it does not have (docs/oro-api.md §2).
    const again = await api.delete(`/customers/${c.id}`);
    expect(again.status).to.equal(404);
    expect(again.body.errors[0].title).to.equal('not found http exception');
  });

  it('DELETE on the collection removes the filtered records (204) and requires a filter', async () => {
    const a = oro.seed('customergroups', { name: 'Del A' });
    const b = oro.seed('customergroups', { name: 'Del B' });
    const res = await api.delete(`/customergroups?filter[id]=${a.id},${b.id}`);
    expect(res.status).to.equal(204);
    expect(oro.records('customergroups').filter((g) => g.id === a.id || g.id === b.id)).to.have.length(0);
    const unfiltered = await api.delete('/customergroups');
    expect(unfiltered.status).to.equal(400);
    expect(unfiltered.body.errors[0].title).to.equal('filter constraint');
  });

  it('answers PUT with 405 and an Allow header', async () => {
    const c = oro.seed('customers', { name: 'Put' });
    const res = await api.raw('PUT', `/customers/${c.id}`, { body: { data: { type: 'customers', id: c.id } } });
    expect(res.status).to.equal(405);
    expect(res.headers.get('allow')).to.equal('OPTIONS, GET, PATCH, DELETE');
  });

  it('OPTIONS lists the methods; PATCH only where the Batch API is on; read-only types only OPTIONS, GET', async () => {
    const customers = await api.raw('OPTIONS', '/customers');
    expect(customers.status).to.equal(200);
    expect(customers.headers.get('allow')).to.equal('OPTIONS, GET, PATCH, POST, DELETE');
    expect((await api.raw('OPTIONS', '/customergroups')).headers.get('allow')).to.equal('OPTIONS, GET, POST, DELETE');
    for (const type of ['organizations', 'countries', 'customeruserroles']) expect((await api.raw('OPTIONS', `/${type}`)).headers.get('allow')).to.equal('OPTIONS, GET');
  });
});

describe('fake Oro: batchDisabled option', () => {
  it('removes PATCH from Allow and answers 405 to a batch PATCH', async () => {
    const oro = await startFakeOro({ batchDisabled: ['customers'] });
    try {
      const api = client(oro, await tokenOf(oro));
      expect((await api.raw('OPTIONS', '/customers')).headers.get('allow')).to.equal('OPTIONS, GET, POST, DELETE');
      expect((await api.raw('OPTIONS', '/customergroups')).headers.get('allow')).to.equal('OPTIONS, GET, PATCH, POST, DELETE');
      const res = await api.patch('/customers', { data: [{ type: 'customers', attributes: { name: 'A' } }] });
      expect(res.status).to.equal(405);
      expect(res.headers.get('allow')).to.equal('OPTIONS, GET, POST, DELETE');
    } finally {
      await oro.close();
    }
  });
});
