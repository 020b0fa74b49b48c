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
