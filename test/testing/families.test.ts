import { expect } from 'chai';
import { apiError, at, defineType, param, startFakeOro, TIMESTAMPS, type Family, type FakeOro } from '../../src/testing/index.js';
import { client, tokenOf, waitForOperation } from './support.js';

type Client = ReturnType<typeof client>;

/**
 * A family with one rule of each kind a real Oro type has: bins whose ids Oro builds from their
 * code and warehouse, a stock record Oro creates for each new bin and deletes with it, a list that
 * needs a filter, a bin that refuses edits once sealed, and stock records that cannot be created
 * through the API.
 */
const warehouses: Family = {
  name: 'warehouses',
  types: () => [
    defineType({ name: 'warehouses', timestamps: true, attributes: { name: { required: true, filter: 'string' }, ...TIMESTAMPS }, batch: true }),
    defineType({
      name: 'bins',
      idKind: 'string',
      generatedIds: true,
      attributes: { code: { required: true }, sealed: { kind: 'boolean', defaultValue: false, filter: 'boolean' }, capacity: { kind: 'number', nullable: true, filter: 'number', sortable: true } },
      relationships: { warehouse: { target: 'warehouses', required: true } },
      batch: true,
      hooks: {
        newId: (record) => `${String(record.attributes['code'])}-${String(record.relationships['warehouse'])}`,
        validate: (write) => (write.existing?.attributes['sealed'] === true ? [apiError(403, 'access denied exception', 'The bin is sealed.', at(write.pointer))] : []),
        afterSave: ({ record, before }, ctx) => {
          if (before === undefined) ctx.insert('binstocks', { quantity: 0 }, { bin: record.id });
        },
        afterDelete: (bin, ctx) => {
          for (const id of [...ctx.store.find('binstocks', 'bin', bin.id)]) ctx.remove('binstocks', id);
        },
        listErrors: (filters) => (filters.some((f) => f.field === 'warehouse') ? [] : [apiError(400, 'filter constraint', 'The "warehouse" filter is required.', param('filter[warehouse]'))]),
      },
    }),
    defineType({
      name: 'binstocks',
      attributes: { quantity: { kind: 'integer', required: true } },
      relationships: { bin: { target: 'bins', required: true } },
      batch: true,
      actions: { create: false, delete: false },
    }),
  ],
  fixtures: [{ type: 'warehouses', attributes: { name: 'Main' } }],
  observers: { customergroups: { afterSave: ({ record }, ctx) => void ctx.insert('warehouses', { name: `For ${String(record.attributes['name'])}` }) } },
};

const bin = (code: string, extra: Record<string, unknown> = {}) => ({
  data: { type: 'bins', attributes: { code, ...extra }, relationships: { warehouse: { data: { type: 'warehouses', id: '1' } } } },
});

describe('fake Oro: families (docs/fake-oro.md, "Adding an Oro type")', () => {
  let oro: FakeOro;
  let token: string;
  let api: Client;
  beforeEach(async () => {
    oro = await startFakeOro({ families: [warehouses], asyncStepMs: 1 });
    token = await tokenOf(oro);
    api = client(oro, token);
  });
  afterEach(() => oro.close());

  it("serves a family's types and loads its fixtures", async () => {
    const res = await api.get('/warehouses');
    expect(res.status).to.equal(200);
    expect(res.body.data.map((w: { attributes: { name: string } }) => w.attributes.name)).to.deep.equal(['Main']);
  });

  it('gives a new record the id its newId hook builds', async () => {
    const res = await api.post('/bins', bin('A1'));
    expect(res.status).to.equal(201);
    expect(res.body.data.id).to.equal('A1-1');
    expect(res.headers.get('location')).to.equal(`${oro.baseUrl}/bins/A1-1`);
  });

  it('runs afterSave on a create (the records Oro creates itself) and afterDelete on a delete', async () => {
    await api.post('/bins', bin('A1'));
    expect(oro.records('binstocks').map((s) => s.relationships?.['bin']?.data)).to.deep.equal([{ type: 'bins', id: 'A1-1' }]);
    expect((await api.delete('/bins/A1-1')).status).to.equal(204);
    expect(oro.records('binstocks')).to.deep.equal([]);
  });

  it("answers a validate hook's 403 with the status of its error and saves nothing", async () => {
    oro.seed('bins', { code: 'S', sealed: true }, { warehouse: { data: { type: 'warehouses', id: '1' } } });
    const res = await api.patch('/bins/S-1', { data: { type: 'bins', id: 'S-1', attributes: { code: 'T' } } });
    expect(res.status).to.equal(403);
    expect(res.body.errors).to.deep.equal([{ status: '403', title: 'access denied exception', detail: 'The bin is sealed.', source: { pointer: '/data' } }]);
    expect(oro.records('bins')[0]?.attributes?.['code']).to.equal('S');
  });

  it("refuses a list without the filter a listErrors hook requires, for a read and for a delete", async () => {
    const read = await api.get('/bins');
    expect(read.status).to.equal(400);
    expect(read.body.errors).to.deep.equal([{ status: '400', title: 'filter constraint', detail: 'The "warehouse" filter is required.', source: { parameter: 'filter[warehouse]' } }]);
    expect((await api.delete('/bins?filter[code]=x')).status).to.equal(400);
    expect((await api.get('/bins?filter[warehouse]=1')).status).to.equal(200);
  });

  it('filters by number and boolean attributes and sorts numbers as numbers', async () => {
    for (const [code, capacity, sealed] of [['A', 9, false], ['B', 10.5, true], ['C', 100, false]] as const) await api.post('/bins', bin(code, { capacity, sealed }));
    const codes = async (query: string) => (await api.get(`/bins?filter[warehouse]=1&${query}`)).body.data.map((b: { attributes: { code: string } }) => b.attributes.code);
    expect(await codes('filter[capacity][gte]=10')).to.deep.equal(['B', 'C']);
    expect(await codes('filter[capacity]=9..10.5&sort=-capacity')).to.deep.equal(['B', 'A']);
    expect(await codes('filter[sealed]=true')).to.deep.equal(['B']);
    expect(await codes('sort=capacity')).to.deep.equal(['A', 'B', 'C']);
    const bad = await api.get('/bins?filter[warehouse]=1&filter[sealed]=maybe&filter[capacity]=x');
    expect(bad.body.errors.map((e: { detail: string }) => e.detail)).to.deep.equal(['Expected boolean value. Given "maybe".', 'Expected number value. Given "x".']);
  });

  it('answers a disallowed create 405 with Allow, and refuses it per item in a batch while updates pass', async () => {
    await api.post('/bins', bin('A1'));
    const single = await api.post('/binstocks', { data: { type: 'binstocks', attributes: { quantity: 1 }, relationships: { bin: { data: { type: 'bins', id: 'A1-1' } } } } });
    expect(single.status).to.equal(405);
    expect(single.headers.get('allow')).to.equal('OPTIONS, GET, PATCH');
    expect(single.body.errors[0]).to.deep.include({ title: 'action not allowed exception', detail: 'The action is not allowed.' });
    expect((await api.raw('OPTIONS', '/binstocks/1')).headers.get('allow')).to.equal('OPTIONS, GET, PATCH');
    const batch = await api.patch('/binstocks', {
      data: [
        { type: 'binstocks', attributes: { quantity: 5 }, relationships: { bin: { data: { type: 'bins', id: 'A1-1' } } } },
        { type: 'binstocks', id: '1', meta: { update: true }, attributes: { quantity: 7 } },
      ],
    });
    const id = batch.body.data.id;
    const done = await waitForOperation(oro, token, id);
    expect(done.body.data.attributes.summary).to.include({ writeCount: 1, updateCount: 1, errorCount: 1 });
    const errors = await api.get(`/asyncoperations/${id}/errors`);
    expect(errors.body.data[0].attributes).to.deep.equal({ status: 405, title: 'action not allowed exception', detail: 'The "create" action is not allowed.', source: { pointer: '/data/0' } });
    expect(oro.records('binstocks').map((s) => s.attributes?.['quantity'])).to.deep.equal([7]);
  });

  it("runs a family's observers on another family's type", async () => {
    await api.post('/customergroups', { data: { type: 'customergroups', attributes: { name: 'Retail' } } });
    expect(oro.records('warehouses').map((w) => w.attributes?.['name'])).to.deep.equal(['Main', 'For Retail']);
  });

  it('refuses to start when two families declare the same type', async () => {
    const twice: Family = { name: 'again', types: () => [defineType({ name: 'customers' })] };
    let error: unknown;
    await startFakeOro({ families: [twice] }).catch((e: unknown) => (error = e));
    expect(String(error)).to.contain('the type "customers" is declared twice');
  });
});
