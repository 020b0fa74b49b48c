import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { client, tokenOf, waitForOperation } from './support.js';

type Client = ReturnType<typeof client>;
const SYNC = { 'X-Mode': 'sync' };

/** A customer (temporary id `t`) listing one included address `a` in its `addresses`. */
const customer = (name: string, a: string, t?: string) => ({
  type: 'customers',
  ...(t === undefined ? {} : { id: t }),
  attributes: { name },
  relationships: { addresses: { data: [{ type: 'customeraddresses', id: a }] } },
});
const address = (a: string, street: string, country = 'DE') => ({
  type: 'customeraddresses',
  id: a,
  attributes: { street, city: 'Berlin', postalCode: '10115' },
  relationships: { country: { data: { type: 'countries', id: country } } },
});

/** `customeraddresses` as `[street, customer id]`. */
const addressesOf = (oro: FakeOro): [unknown, unknown][] =>
  oro.records('customeraddresses').map((r) => [r.attributes?.['street'], (r.relationships?.['customer']?.data as { id: string } | null)?.id]);
const customerId = (oro: FakeOro, name: string): string | undefined => oro.records('customers').find((c) => c.attributes?.['name'] === name)?.id;
const pointers = (errors: { source?: { pointer: string }; attributes?: { source?: { pointer: string } } }[]) =>
  errors.map((e) => e.source?.pointer ?? e.attributes?.source?.pointer);

describe('fake Oro: customers.addresses, the inverse of the address\'s customer (docs/oro-api.md §2)', () => {
  let oro: FakeOro;
  let token: string;
  let api: Client;
  beforeEach(async () => {
    oro = await startFakeOro({ asyncStepMs: 2, seed: 5 });
    token = await tokenOf(oro);
    api = client(oro, token);
  });
  afterEach(() => oro.close());

  describe('POST with included', () => {
    it('creates the customer and its address, sets the address\'s customer and maps a1 back with meta.includeId', async () => {
      const res = await api.post('/customers', { data: customer('Acme', 'a1'), included: [address('a1', 'Hauptstr. 1')] });
      expect(res.status).to.equal(201);
      const id = res.body.data.id;
      const [inc] = res.body.included;
      expect(inc).to.deep.include({ type: 'customeraddresses', meta: { includeId: 'a1' } });
      expect(inc.relationships.customer.data).to.deep.equal({ type: 'customers', id });
      expect(res.body.data.relationships.addresses.data).to.deep.equal([{ type: 'customeraddresses', id: inc.id }]);
      expect(addressesOf(oro)).to.deep.equal([['Hauptstr. 1', id]]);
      const read = await api.get(`/customers/${id}?include=addresses`);
      expect(read.body.data.relationships.addresses.data).to.deep.equal([{ type: 'customeraddresses', id: inc.id }]);
      expect(read.body.included.map((r: { id: string }) => r.id)).to.deep.equal([inc.id]);
    });

    it('still requires the address\'s customer when nothing lists the address in addresses', async () => {
      const res = await api.post('/customers', {
        data: { type: 'customers', attributes: { name: 'Lonely' }, relationships: { group: { data: null } } },
        included: [address('a1', 'Somewhere 2')],
      });
      expect(res.status).to.equal(400);
      expect(pointers(res.body.errors)).to.have.members(['/included/0/relationships/customer/data', '/included/0']);
      expect(oro.records('customers')).to.have.length(0);
    });

    it('is all-or-nothing: an invalid address -> 400 at /included/0/attributes/street, nothing saved', async () => {
      const res = await api.post('/customers', { data: customer('Bad address', 'a1'), included: [address('a1', '')] });
      expect(res.status).to.equal(400);
      expect(res.body.errors).to.deep.equal([
        { status: '400', title: 'not blank constraint', detail: 'This value should not be blank.', source: { pointer: '/included/0/attributes/street' } },
      ]);
      expect(oro.records('customers')).to.have.length(0);
      expect(oro.records('customeraddresses')).to.have.length(0);
    });

    it('checks addresses members as Oro does: type, integer id, then existence; null is an empty list', async () => {
      const res = await api.post('/customers', {
        data: {
          type: 'customers',
          attributes: { name: 'X' },
          relationships: { addresses: { data: [{ type: 'customers', id: '1' }, { type: 'customeraddresses', id: 'nope' }] } },
        },
      });
      expect(res.status).to.equal(400);
      expect(res.body.errors).to.deep.equal([
        { status: '400', title: 'entity type constraint', detail: 'Not acceptable entity type.', source: { pointer: '/data/relationships/addresses/data/0/type' } },
        { status: '400', title: 'entity identifier constraint', detail: 'Expected integer value. Given "nope".', source: { pointer: '/data/relationships/addresses/data/1/id' } },
      ]);
      const missing = await api.post('/customers', { data: { type: 'customers', attributes: { name: 'X' }, relationships: { addresses: { data: [{ type: 'customeraddresses', id: '404' }] } } } });
      expect(missing.body.errors).to.deep.equal([{ status: '400', title: 'form constraint', detail: 'The entity does not exist.', source: { pointer: '/data/relationships/addresses/data' } }]);
      // A member that is not a resource identifier is refused before anything else is read, as Oro's request data validator does.
      const notIdentifier = await api.post('/customers', { data: { type: 'customers', attributes: { name: 'X' }, relationships: { addresses: { data: ['x'] } } } });
      expect(notIdentifier.body.errors.map((e: { title: string; source: { pointer: string } }) => [e.title, e.source.pointer])).to.deep.equal([
        ['request data constraint', '/data/relationships/addresses/data/0/type'],
        ['request data constraint', '/data/relationships/addresses/data/0/id'],
      ]);
      const none = await api.post('/customers', { data: { type: 'customers', attributes: { name: 'Y' }, relationships: { addresses: { data: null } } } });
      expect(none.status).to.equal(201);
      expect(none.body.data.relationships.addresses.data).to.deep.equal([]);
    });
  });

  describe('X-Mode: sync', () => {
    it('creates every customer with its own address; data carries meta.dataId, included meta.includeId', async () => {
      const res = await api.patch(
        '/customers',
        { data: [customer('One', 'a1', 'c1'), customer('Two', 'a2', 'c2')], included: [address('a1', 'One St'), address('a2', 'Two St')] },
        SYNC,
      );
      expect(res.status).to.equal(200);
      expect(res.body.data.map((d: { meta: unknown }) => d.meta)).to.deep.equal([{ dataId: 'c1' }, { dataId: 'c2' }]);
      expect(res.body.included.map((d: { meta: unknown }) => d.meta)).to.deep.equal([{ includeId: 'a1' }, { includeId: 'a2' }]);
      const [one, two] = res.body.data.map((d: { id: string }) => d.id);
      expect(addressesOf(oro)).to.deep.equal([['One St', one], ['Two St', two]]);
    });

    it('is all or nothing: an invalid address -> 400 at /included/1/attributes/street, nothing saved', async () => {
      const res = await api.patch(
        '/customers',
        { data: [customer('One', 'a1'), customer('Two', 'a2')], included: [address('a1', 'One St'), address('a2', ' ')] },
        SYNC,
      );
      expect(res.status).to.equal(400);
      expect(pointers(res.body.errors)).to.deep.equal(['/included/1/attributes/street']);
      expect(oro.records('customers')).to.have.length(0);
      expect(oro.records('customeraddresses')).to.have.length(0);
    });
  });

  describe('async Batch API', () => {
    it('saves the other records of the chunk; the record whose address is invalid is saved neither, with an /included/N error', async () => {
      const res = await api.patch('/customers', {
        data: [customer('One', 'a1'), customer('Two', 'a2'), customer('Three', 'a3')],
        included: [address('a1', 'One St'), address('a2', ''), address('a3', 'Three St', 'FR')],
      });
      expect(res.status).to.equal(202);
      const done = await waitForOperation(oro, token, res.body.data.id);
      expect(done.body.data.attributes.status).to.equal('success');
      expect(done.body.data.attributes.summary).to.include({ readCount: 3, writeCount: 2, createCount: 2, errorCount: 1 });
      const errors = await api.get(`/asyncoperations/${res.body.data.id}/errors`);
      expect(errors.body.data.map((e: { attributes: unknown }) => e.attributes)).to.deep.equal([
        { status: 400, title: 'not blank constraint', detail: 'This value should not be blank.', source: { pointer: '/included/1/attributes/street' } },
      ]);
      expect(customerId(oro, 'Two')).to.equal(undefined);
      expect(addressesOf(oro)).to.have.deep.members([
        ['One St', customerId(oro, 'One')],
        ['Three St', customerId(oro, 'Three')],
      ]);
    });
  });
});
