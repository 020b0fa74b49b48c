import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { client, tokenOf, waitForOperation } from './support.js';

type Client = ReturnType<typeof client>;
const status = (res: { body: { data: { attributes: { status: string } } } }): string => res.body.data.attributes.status;

describe("fake Oro: Oro's message-queue consumer down (sync batches turn async)", () => {
  let oro: FakeOro;
  let api: Client;
  let token: string;
  beforeEach(async () => {
    oro = await startFakeOro({ consumerDown: true, syncWaitMs: 30, asyncStepMs: 1 });
    token = await tokenOf(oro);
    api = client(oro, token);
  });
  afterEach(() => oro.close());

  it('answers a sync batch 202 + Content-Location after the wait, and runs it when the consumer is back', async () => {
    const res = await api.patch('/customers', { data: [{ type: 'customers', attributes: { name: 'Late' } }] }, { 'X-Mode': 'sync' });
    expect(res.status).to.equal(202);
    const location = res.headers.get('content-location');
    expect(location).to.equal(`${oro.baseUrl}/asyncoperations/${res.body.data.id}`);
    expect(status(await api.get(`/asyncoperations/${res.body.data.id}`))).to.equal('new');
    expect(oro.records('customers')).to.have.length(0);
    oro.setConsumerDown(false);
    expect(status(await waitForOperation(oro, token, res.body.data.id))).to.equal('success');
    expect(oro.records('customers').map((c) => c.attributes?.['name'])).to.deep.equal(['Late']);
  });

  it('keeps async batches "new" while the consumer is down', async () => {
    const res = await api.patch('/customers', { data: [{ type: 'customers', attributes: { name: 'Queued' } }] });
    expect(res.status).to.equal(202);
    expect(status(await api.get(`/asyncoperations/${res.body.data.id}`))).to.equal('new');
    oro.setConsumerDown(false);
    expect(status(await waitForOperation(oro, token, res.body.data.id))).to.equal('success');
  });

  it('answers a waiting sync batch 200 when the consumer comes back during the wait', async () => {
    await oro.close();
    oro = await startFakeOro({ consumerDown: true, syncWaitMs: 60_000 });
    api = client(oro, await tokenOf(oro));
    const pending = api.patch('/customers', { data: [{ type: 'customers', attributes: { name: 'Soon' } }] }, { 'X-Mode': 'sync' });
    setImmediate(() => oro.setConsumerDown(false));
    const res = await pending;
    expect(res.status).to.equal(200);
    expect(res.body.data[0].attributes.name).to.equal('Soon');
  });
});
