import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { apiError, statusOf } from '../../src/testing/json-api.js';
import { client, tokenOf } from './support.js';

type Client = ReturnType<typeof client>;
const SYNC = { 'X-Mode': 'sync' };

describe('fake Oro: synchronous Batch API (X-Mode: sync, docs/oro-api.md §6)', () => {
  let oro: FakeOro;
  let api: Client;
  before(async () => {
    oro = await startFakeOro();
    api = client(oro, await tokenOf(oro));
  });
  after(() => oro.close());

  it('answers 200 with every record in request order and meta.dataId for temporary ids', async () => {
    const existing = oro.seed('customers', { name: 'Existing' });
    const res = await api.patch(
      '/customers',
      {
        data: [
          { type: 'customers', id: 't1', attributes: { name: 'One' } },
          { type: 'customers', id: existing.id, meta: { update: true }, attributes: { name: 'Renamed' } },
          { type: 'customers', attributes: { name: 'Three' } },
        ],
      },
      SYNC,
    );
    expect(res.status).to.equal(200);
    const data = res.body.data;
    expect(data.map((r: { attributes: { name: string } }) => r.attributes.name)).to.deep.equal(['One', 'Renamed', 'Three']);
    expect(data[0].meta).to.deep.equal({ dataId: 't1' });
    expect(data[0].id).to.match(/^\d+$/);
    expect(data[1].id).to.equal(existing.id);
    expect(data[2]).not.to.have.property('meta');
  });

  it('is all or nothing: one invalid record -> 400 with /data/N pointers and nothing saved', async () => {
    const before = oro.records('customers').length;
    const res = await api.patch(
      '/customers',
      { data: [{ type: 'customers', attributes: { name: 'Ok' } }, { type: 'customers', attributes: { name: '' } }, { type: 'customers', attributes: { externalId: 'x'.repeat(40), name: 'L' } }] },
      SYNC,
    );
    expect(res.status).to.equal(400);
    expect(res.body.errors.map((e: { title: string; source: { pointer: string } }) => [e.title, e.source.pointer])).to.deep.equal([
      ['not blank constraint', '/data/1/attributes/name'],
      ['length constraint', '/data/2/attributes/externalId'],
    ]);
    expect(oro.records('customers').length).to.equal(before);
  });

  it('refuses more than 100 records with 400 and Oro\'s wording', async () => {
    const data = Array.from({ length: 101 }, (_, i) => ({ type: 'customers', attributes: { name: `N${i}` } }));
    const res = await api.patch('/customers', { data }, SYNC);
    expect(res.status).to.equal(400);
    expect(res.body.errors[0].detail).to.equal(
      'The data limit for the synchronous operation exceeded. The maximum number of records that can be processed by the synchronous operation is 100.',
    );
    expect((await api.patch('/customers', { data: data.slice(0, 100) }, SYNC)).status).to.equal(200);
  });

  it('answers malformed JSON with 400 "bad request http exception"', async () => {
    const res = await api.raw('PATCH', '/customers', { raw: '[', headers: SYNC });
    expect(res.status).to.equal(400);
    expect(res.body.errors[0].title).to.equal('bad request http exception');
  });

  describe("one HTTP status for a set of errors (Oro's ErrorResponseStatusCodeTrait)", () => {
    it('answers a sync batch with one stale id 404, the single distinct status', async () => {
      const res = await api.patch('/customers', { data: [{ type: 'customers', attributes: { name: 'New' } }, { type: 'customers', id: '999999', meta: { update: true }, attributes: { name: 'Gone' } }] }, SYNC);
      expect(res.status).to.equal(404);
      expect(res.body.errors).to.deep.equal([{ status: '404', title: 'not found http exception', detail: 'An entity with the requested identifier does not exist.', source: { pointer: '/data/1' } }]);
      expect(oro.records('customers').filter((c) => c.attributes?.['name'] === 'New')).to.have.length(0);
    });

    it('answers 409 when a conflict is among mixed statuses', async () => {
      const customer = oro.seed('customers', { name: 'C' });
      const res = await api.patch(`/customers/${customer.id}`, {
        data: { type: 'customers', id: '999999', attributes: { name: 'x' } },
        // An id that is not the URL's (409) and an included item without an id (400), both found by Oro's request data validator.
        included: [{ type: 'customergroups', attributes: { name: 'g' } }],
      });
      expect(res.body.errors.map((e: { status: string }) => e.status)).to.include.members(['409', '400']);
      expect(res.status).to.equal(409);
    });

    it('picks the status of a set as the trait does (unit)', () => {
      const e = (status: number) => apiError(status, 't', 'd');
      expect(statusOf([e(404), e(404)])).to.equal(404);
      expect(statusOf([e(400), e(404)])).to.equal(400);
      expect(statusOf([e(400), e(409), e(404)])).to.equal(409);
      expect(statusOf([e(403), e(500)])).to.equal(400);
    });

    it('answers 400 for mixed statuses without a conflict', async () => {
      const res = await api.patch('/customers', { data: [{ type: 'customers', attributes: { name: '' } }, { type: 'customers', id: '999999', meta: { update: true }, attributes: { name: 'x' } }] }, SYNC);
      expect(res.status).to.equal(400);
      expect(res.body.errors.map((e: { status: string }) => e.status)).to.have.members(['400', '404']);
    });

    it('echoes meta.dataId only for items that sent an id (a temporary id, or the id of an update)', async () => {
      const existing = oro.seed('customers', { name: 'Old' });
      const res = await api.patch(
        '/customers',
        { data: [{ type: 'customers', id: 'tmp-1', attributes: { name: 'A' } }, { type: 'customers', attributes: { name: 'B' } }, { type: 'customers', id: existing.id, meta: { update: true }, attributes: { name: 'Old2' } }] },
        SYNC,
      );
      expect(res.status).to.equal(200);
      expect(res.body.data.map((r: { meta?: unknown }) => r.meta)).to.deep.equal([{ dataId: 'tmp-1' }, undefined, { dataId: existing.id }]);
      expect(res.headers.get('content-location')).to.equal(null);
    });
  });
});
