import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { client, tokenOf } from './support.js';

describe('fake Oro: versions (6.0 / 6.1 / 7.0)', () => {
  let oro: FakeOro;
  afterEach(() => oro.close());

  it('plays the newest version, 7.0, by default', async () => {
    oro = await startFakeOro();
    expect(oro.version).to.equal('7.0');
  });

  it('on 6.0 refuses filter[externalId] with a 400 "filter constraint" naming the parameter', async () => {
    oro = await startFakeOro({ version: '6.0' });
    const api = client(oro, await tokenOf(oro));
    for (const type of ['customers', 'customerusers']) {
      const res = await api.get(`/${type}?filter[externalId]=A,B`);
      expect(res.status).to.equal(400);
      expect(res.body.errors[0]).to.deep.include({ title: 'filter constraint', source: { parameter: 'filter[externalId]' } });
    }
  });

  it('on 6.0 refuses an externalId attribute with a 400 "extra fields constraint" at the attribute', async () => {
    oro = await startFakeOro({ version: '6.0' });
    const api = client(oro, await tokenOf(oro));
    const res = await api.post('/customers', { data: { type: 'customers', attributes: { name: 'A', externalId: 'E1' } } });
    expect(res.status).to.equal(400);
    expect(res.body.errors).to.deep.equal([{ status: '400', title: 'extra fields constraint', detail: 'This form should not contain extra fields: "externalId".', source: { pointer: '/data/attributes/externalId' } }]);
    expect((await api.get('/customers/1')).status).to.equal(404);
  });

  for (const version of ['6.1', '7.0'] as const)
    it(`on ${version} keeps externalId unique per type with a validator (400, nothing saved)`, async () => {
      oro = await startFakeOro({ version });
      const api = client(oro, await tokenOf(oro));
      expect((await api.post('/customers', { data: { type: 'customers', attributes: { name: 'A', externalId: 'E1' } } })).status).to.equal(201);
      const dup = await api.post('/customers', { data: { type: 'customers', attributes: { name: 'B', externalId: 'E1' } } });
      expect(dup.status).to.equal(400);
      expect(dup.body.errors[0]).to.deep.include({ title: 'unique entity constraint', source: { pointer: '/data/attributes/externalId' } });
      expect((await api.get('/customers?filter[externalId]=E1')).body.data).to.have.length(1);
    });
});
