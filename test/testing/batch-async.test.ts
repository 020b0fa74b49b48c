import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { call, client, tokenOf, waitForOperation } from './support.js';

type Client = ReturnType<typeof client>;
const customers = (names: string[]) => names.map((name) => ({ type: 'customers', attributes: { name } }));

describe('fake Oro: async Batch API (docs/oro-api.md §6)', () => {
  let oro: FakeOro;
  let token: string;
  let api: Client;
  before(async () => {
    oro = await startFakeOro({ asyncStepMs: 2 });
    token = await tokenOf(oro);
    api = client(oro, token);
  });
  after(() => oro.close());

  it('answers 202 with Content-Location and a new operation, without parsing the body', async () => {
    const res = await api.patch('/customers', { data: customers(['A']) });
    expect(res.status).to.equal(202);
    const id = res.body.data.id;
    expect(res.headers.get('content-location')).to.equal(`${oro.baseUrl}/asyncoperations/${id}`);
    expect(res.body.data.type).to.equal('asyncoperations');
    expect(res.body.data.attributes).to.include({ status: 'new', progress: null, elapsedTime: 0, entityType: 'customers', summary: null });
    expect(res.body.data.links.self).to.equal(`${oro.baseUrl}/asyncoperations/${id}`);
    await waitForOperation(oro, token, id);
  });

  it('ends success even when some records failed, with a summary, saving the valid ones', async () => {
    const before = oro.records('customers').length;
    const res = await api.patch('/customers', { data: customers(['Good 1', '', 'Good 2', ' ']) });
    const done = await waitForOperation(oro, token, res.body.data.id);
    const attrs = done.body.data.attributes;
    expect(attrs.status).to.equal('success');
    expect(attrs.progress).to.equal(1);
    expect(attrs.summary).to.include({ readCount: 4, writeCount: 2, errorCount: 2, createCount: 2, updateCount: 0 });
    expect(attrs.summary.aggregateTime).to.be.a('number');
    expect(oro.records('customers').length).to.equal(before + 2);
  });

  it('lists errors as asyncoperationerrors with integer status and /data/N pointers, paginated by 10', async () => {
    const names = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? '' : `Ok ${i}`));
    const res = await api.patch('/customers', { data: customers(names) });
    const id = res.body.data.id;
    await waitForOperation(oro, token, id);
    const page1 = await api.get(`/asyncoperations/${id}/errors`);
    expect(page1.status).to.equal(200);
    expect(page1.body.data).to.have.length(10);
    const first = page1.body.data[0];
    expect(first.type).to.equal('asyncoperationerrors');
    expect(first.id).to.match(new RegExp(`^${id}-1-\\d+$`));
    expect(first.attributes).to.include({ status: 400, title: 'not blank constraint', detail: 'This value should not be blank.' });
    expect(page1.body.links.next).to.equal(`${oro.baseUrl}/asyncoperations/${id}/errors?page%5Bnumber%5D=2`);
    const page2 = await api.get(`/asyncoperations/${id}/errors?page[number]=2`);
    const page3 = await call(oro, token, 'GET', page2.body.links.next);
    expect(page3.body.data).to.have.length(5);
    expect(page3.body.links).not.to.have.property('next');
    const pointers = [...page1.body.data, ...page2.body.data, ...page3.body.data].map((e: { attributes: { source: { pointer: string } } }) => e.attributes.source.pointer);
    expect([...pointers].sort()).to.deep.equal(names.flatMap((n, i) => (n === '' ? [`/data/${i}/attributes/name`] : [])).sort());
  });

  it('moves new -> running -> success on timers', async () => {
    const slow = await startFakeOro({ asyncStepMs: 40 });
    try {
      const t = await tokenOf(slow);
      const res = await call(slow, t, 'PATCH', '/customers', { body: { data: customers(['A']) } });
      const seen = new Set<string>();
      const deadline = Date.now() + 2000;
      for (;;) {
        const op = await call(slow, t, 'GET', `/asyncoperations/${res.body.data.id}`);
        seen.add(op.body.data.attributes.status);
        if (op.body.data.attributes.status === 'success' || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      expect([...seen]).to.deep.equal(['new', 'running', 'success']);
    } finally {
      await slow.close();
    }
  });

  it('processes chunks of 100: valid records of a chunk with invalid ones are saved; error ids name the chunk', async () => {
    const before = oro.records('customers').length;
    const names = Array.from({ length: 230 }, (_, i) => (i === 5 || i === 150 ? '' : `Bulk ${i}`));
    const res = await api.patch('/customers', { data: customers(names) });
    const done = await waitForOperation(oro, token, res.body.data.id);
    expect(done.body.data.attributes.summary).to.include({ readCount: 230, writeCount: 228, errorCount: 2 });
    expect(oro.records('customers').length).to.equal(before + 228);
    const errors = await api.get(`/asyncoperations/${res.body.data.id}/errors`);
    expect(errors.body.data.map((e: { id: string; attributes: { source: { pointer: string } } }) => [e.id.split('-')[1], e.attributes.source.pointer])).to.deep.equal([
      ['1', '/data/5/attributes/name'],
      ['2', '/data/150/attributes/name'],
    ]);
  });

  it('processes records of a chunk in a seeded random order (same seed, same ids)', async () => {
    const run = async (seed: number) => {
      const o = await startFakeOro({ asyncStepMs: 1, seed });
      try {
        const t = await tokenOf(o);
        const res = await call(o, t, 'PATCH', '/customers', { body: { data: customers(Array.from({ length: 20 }, (_, i) => `R${i}`)) } });
        await waitForOperation(o, t, res.body.data.id);
        return o.records('customers').map((c) => c.attributes?.['name']);
      } finally {
        await o.close();
      }
    };
    const a = await run(7);
    expect(a).to.deep.equal(await run(7));
    expect(a).not.to.deep.equal(Array.from({ length: 20 }, (_, i) => `R${i}`));
  });

  it('handles update and upsert items and included records', async () => {
    const existing = oro.seed('customers', { name: 'Before' });
    const res = await api.patch('/customers', {
      data: [
        { type: 'customers', id: existing.id, meta: { update: true }, attributes: { name: 'After' } },
        { type: 'customers', id: 'new-1', attributes: { name: 'Grouped' }, relationships: { group: { data: { type: 'customergroups', id: 'g1' } } } },
      ],
      included: [{ type: 'customergroups', id: 'g1', attributes: { name: 'Batch group' } }],
    });
    const done = await waitForOperation(oro, token, res.body.data.id);
    expect(done.body.data.attributes.summary).to.include({ createCount: 1, updateCount: 1, errorCount: 0 });
    expect(oro.records('customers').find((c) => c.id === existing.id)?.attributes?.['name']).to.equal('After');
    const group = oro.records('customergroups').find((g) => g.attributes?.['name'] === 'Batch group');
    const grouped = oro.records('customers').find((c) => c.attributes?.['name'] === 'Grouped');
    expect((grouped?.relationships?.['group']?.data as { id: string }).id).to.equal(group?.id);
  });

  it('reports an item whose type differs from the URL type, and upsert on customers, as item errors', async () => {
    const res = await api.patch('/customers', {
      data: [
        { type: 'customergroups', attributes: { name: 'Wrong type' } },
        { type: 'customers', meta: { upsert: ['externalId'] }, attributes: { name: 'U', externalId: 'U1' } },
        { type: 'customers', attributes: { name: 'Fine' } },
      ],
    });
    await waitForOperation(oro, token, res.body.data.id);
    const errors = await api.get(`/asyncoperations/${res.body.data.id}/errors`);
    const byPointer = Object.fromEntries(errors.body.data.map((e: { attributes: { source: { pointer: string }; title: string } }) => [e.attributes.source.pointer, e.attributes.title]));
    expect(byPointer).to.deep.equal({ '/data/0': 'entity type constraint', '/data/1/meta/upsert': 'value constraint' });
  });

  it('accepts malformed JSON with 202 and fails the operation with one parse error', async () => {
    const res = await api.raw('PATCH', '/customers', { raw: '{"data": [' });
    expect(res.status).to.equal(202);
    const done = await waitForOperation(oro, token, res.body.data.id);
    expect(done.body.data.attributes.status).to.equal('failed');
    const errors = await api.get(`/asyncoperations/${res.body.data.id}/errors`);
    expect(errors.body.data).to.have.length(1);
    expect(errors.body.data[0].attributes.detail).to.match(/^Failed to parse the data file/);
  });

  it('answers an empty body with 400 at once', async () => {
    const res = await api.raw('PATCH', '/customers', { raw: '', headers: { 'Content-Type': 'application/vnd.api+json' } });
    expect(res.status).to.equal(400);
    expect(res.body.errors[0].title).to.equal('request data constraint');
  });

  it('answers 404 for an unknown operation', async () => {
    expect((await api.get('/asyncoperations/9999')).status).to.equal(404);
    expect((await api.get('/asyncoperations/9999/errors')).status).to.equal(404);
  });

  it('answers 405 when the Batch API is disabled for the type (customergroups by default)', async () => {
    const res = await api.patch('/customergroups', { data: [{ type: 'customergroups', attributes: { name: 'x' } }] });
    expect(res.status).to.equal(405);
  });

  it('keeps operations "new" while the queue is down', async () => {
    const down = await startFakeOro({ asyncStepMs: 1, queueDown: true });
    try {
      const t = await tokenOf(down);
      const res = await call(down, t, 'PATCH', '/customers', { body: { data: customers(['A']) } });
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 3));
        expect((await call(down, t, 'GET', `/asyncoperations/${res.body.data.id}`)).body.data.attributes.status).to.equal('new');
      }
      expect(down.records('customers')).to.have.length(0);
    } finally {
      await down.close();
    }
  });
});
