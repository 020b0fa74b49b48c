/**
 * The fake's Batch API answers as Oro 7.0 does, word for word (issue 24): async operations, their
 * errors and the Batch API's item errors, from Oro's RestJsonApiBatch functional tests.
 */
import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { client, tokenOf, waitForOperation } from './support.js';

type Client = ReturnType<typeof client>;

describe('fake Oro answers as Oro 7.0: async operations', () => {
  let oro: FakeOro;
  let token: string;
  let api: Client;
  before(async () => {
    oro = await startFakeOro({ asyncStepMs: 1 });
    token = await tokenOf(oro);
    api = client(oro, token);
  });
  after(() => oro.close());

  /** Sends a batch, waits for it, answers the operation and its errors' attributes with ids. */
  async function run(body: { raw: string } | { doc: unknown }) {
    const res = 'raw' in body ? await api.raw('PATCH', '/customers', { raw: body.raw }) : await api.patch('/customers', body.doc);
    expect(res.status).to.equal(202);
    const id: string = res.body.data.id;
    const operation = await waitForOperation(oro, token, id);
    const errors = await api.get(`/asyncoperations/${id}/errors`);
    return { id, operation: operation.body.data, errors: errors.body.data.map((e: { id: string; attributes: object }) => ({ id: e.id, ...e.attributes })) };
  }

  // The bodies and details of Oro's RestJsonApiBatch/UpdateListTest::invalidDataProvider.
  for (const [raw, detail] of [
    ['{"data": [{test}]}', 'Failed to parse the data file. Parsing error in [1:12]. Start of string expected for object key. Instead got: t'],
    ['{"data": ▿{"type": test"}}', 'Failed to parse the data file. Parsing error in [1:10]. Unexpected character for value: ?'],
  ] as const)
    it(`fails an operation whose file does not parse with the line, column and reason of Oro's parser: ${raw}`, async () => {
      const { id, operation, errors } = await run({ raw });
      expect(operation.attributes).to.include({ status: 'failed', progress: null });
      expect(errors).to.deep.equal([{ id: `${id}-0-1`, status: 500, title: 'async operation exception', detail }]);
    });
});

describe('fake Oro answers as Oro 7.0: async operation records', () => {
  let oro: FakeOro;
  let token: string;
  let api: Client;
  before(async () => {
    oro = await startFakeOro({ asyncStepMs: 1, seed: 3 });
    token = await tokenOf(oro);
    api = client(oro, token);
  });
  after(() => oro.close());

  async function errorsOf(data: unknown[]) {
    const res = await api.patch('/customers', { data });
    const id: string = res.body.data.id;
    await waitForOperation(oro, token, id);
    const errors = await api.get(`/asyncoperations/${id}/errors?page[size]=-1`);
    return { id, errors: errors.body.data.map((e: { id: string; attributes: object }) => ({ id: e.id, ...e.attributes })) };
  }

  it('shows an operation with its owner and organization relationships', async () => {
    const res = await api.patch('/customers', { data: [{ type: 'customers', attributes: { name: 'A' } }] });
    expect(res.body.data.relationships).to.deep.equal({ owner: { data: { type: 'users', id: '1' } }, organization: { data: { type: 'organizations', id: '1' } } });
    const read = await api.get(`/asyncoperations/${res.body.data.id}`);
    expect(Object.keys(read.body.data.attributes)).to.deep.equal(['entityType', 'status', 'progress', 'createdAt', 'updatedAt', 'elapsedTime', 'summary']);
    expect(read.body.data.relationships).to.deep.equal(res.body.data.relationships);
  });

  it('numbers errors in record order, <op>-1-1 being /data/0', async () => {
    const { id, errors } = await errorsOf(Array.from({ length: 20 }, () => ({ type: 'customers', attributes: { name: '' } })));
    expect(errors.map((e: { id: string; source: { pointer: string } }) => [e.id, e.source.pointer])).to.deep.equal(
      Array.from({ length: 20 }, (_, i) => [`${id}-1-${i + 1}`, `/data/${i}/attributes/name`]),
    );
  });

  it('answers an update of an id it does not have 404 "An entity with the requested identifier does not exist." at /data/0', async () => {
    const { id, errors } = await errorsOf([{ type: 'customers', id: '99999999', meta: { update: true }, attributes: { name: 'Updated' } }]);
    expect(errors).to.deep.equal([{ id: `${id}-1-1`, status: 404, title: 'not found http exception', detail: 'An entity with the requested identifier does not exist.', source: { pointer: '/data/0' } }]);
  });

  it('answers a record without a type "entity type constraint" "The entity class must be set in the context." at /data/0', async () => {
    const { id, errors } = await errorsOf([{ attributes: { name: 'No type' } }]);
    expect(errors).to.deep.equal([{ id: `${id}-1-1`, status: 400, title: 'entity type constraint', detail: 'The entity class must be set in the context.', source: { pointer: '/data/0' } }]);
  });

  it('answers a record of another type "The entity type ... is not supported by this batch operation." at /data/0', async () => {
    const { id, errors } = await errorsOf([{ type: 'customergroups', attributes: { name: 'Group' } }]);
    expect(errors).to.deep.equal([
      { id: `${id}-1-1`, status: 400, title: 'entity type constraint', detail: 'The entity type "customergroups" is not supported by this batch operation.', source: { pointer: '/data/0' } },
    ]);
  });

  it('answers a meta.update that is not a boolean "This value should be a boolean." at /data/N/meta/update', async () => {
    const existing = oro.seed('customers', { name: 'Before' });
    const { id, errors } = await errorsOf([
      { type: 'customers', id: existing.id, meta: { update: true }, attributes: { name: 'After' } },
      { type: 'customers', id: existing.id, meta: { update: 'test' }, attributes: { name: 'Never' } },
    ]);
    expect(errors).to.deep.equal([{ id: `${id}-1-1`, status: 400, title: 'value constraint', detail: 'This value should be a boolean.', source: { pointer: '/data/1/meta/update' } }]);
    expect(oro.records('customers').find((c) => c.id === existing.id)?.attributes?.['name']).to.equal('After');
  });
});
