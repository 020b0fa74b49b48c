import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { call, tokenOf } from './support.js';

describe('fake Oro: media types (docs/oro-api.md §2)', () => {
  let oro: FakeOro;
  let token: string;
  before(async () => {
    oro = await startFakeOro();
    token = await tokenOf(oro);
  });
  after(() => oro.close());

  it('answers with Content-Type application/vnd.api+json', async () => {
    const res = await call(oro, token, 'GET', '/customers');
    expect(res.headers.get('content-type')).to.equal('application/vnd.api+json');
  });

  for (const accept of ['application/vnd.api+json', '*/*', ''])
    it(`accepts Accept: "${accept || '(absent)'}"`, async () => {
      expect((await call(oro, token, 'GET', '/customers', { headers: { Accept: accept } })).status).to.equal(200);
    });

  for (const accept of ['application/vnd.api+json; charset=utf-8', 'application/json', 'text/html'])
    it(`answers 406 with a JSON:API error for Accept: ${accept}`, async () => {
      const res = await call(oro, token, 'GET', '/customers', { headers: { Accept: accept } });
      expect(res.status).to.equal(406);
      expect(res.headers.get('content-type')).to.equal('application/vnd.api+json');
      expect(res.body.errors[0].status).to.equal('406');
      expect(res.body.errors[0].title).to.be.a('string');
    });

  for (const contentType of ['application/json', 'application/vnd.api+json; charset=utf-8', ''])
    it(`answers 415 on POST with Content-Type "${contentType || '(absent)'}" and saves nothing`, async () => {
      const res = await call(oro, token, 'POST', '/customers', {
        body: { data: { type: 'customers', attributes: { name: 'X' } } },
        headers: { 'Content-Type': contentType },
      });
      expect(res.status).to.equal(415);
      expect(res.body.errors[0].status).to.equal('415');
      expect(oro.records('customers')).to.have.length(0);
    });

  it('answers 415 on PATCH of an item and of a collection with a wrong Content-Type', async () => {
    const c = oro.seed('customers', { name: 'A' });
    const item = await call(oro, token, 'PATCH', `/customers/${c.id}`, { body: { data: { type: 'customers', id: c.id } }, headers: { 'Content-Type': 'application/json' } });
    expect(item.status).to.equal(415);
    const batch = await call(oro, token, 'PATCH', '/customers', { body: { data: [] }, headers: { 'Content-Type': 'application/json' } });
    expect(batch.status).to.equal(415);
  });
});
