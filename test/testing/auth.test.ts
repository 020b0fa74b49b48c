import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { call, tokenOf } from './support.js';

describe('fake Oro: API authentication (docs/oro-api.md §1)', () => {
  let oro: FakeOro;
  let clock = 1_700_000_000_000;
  before(async () => {
    oro = await startFakeOro({ tokenTtlSeconds: 60, now: () => clock });
  });
  after(() => oro.close());

  it('accepts a valid bearer token', async () => {
    const res = await call(oro, await tokenOf(oro), 'GET', '/customers');
    expect(res.status).to.equal(200);
  });

  it('answers 401 with an empty body and WWW-Authenticate: Bearer without credentials', async () => {
    const res = await call(oro, undefined, 'GET', '/customers');
    expect(res.status).to.equal(401);
    expect(res.text).to.equal('');
    expect(res.headers.get('www-authenticate')).to.equal('Bearer');
  });

  it('answers 401 with an empty body for an unknown token (no challenge)', async () => {
    const res = await call(oro, 'not-a-token', 'GET', '/customers');
    expect(res.status).to.equal(401);
    expect(res.text).to.equal('');
    expect(res.headers.get('www-authenticate')).to.equal(null);
  });

  it('answers 401 for a non-Bearer scheme', async () => {
    const res = await call(oro, undefined, 'GET', '/customers', { headers: { Authorization: 'Basic Zm9vOmJhcg==' } });
    expect(res.status).to.equal(401);
    expect(res.text).to.equal('');
  });

  it('answers 401 once the token expired by the injected clock', async () => {
    const token = await tokenOf(oro);
    clock += 59_000;
    expect((await call(oro, token, 'GET', '/customers')).status).to.equal(200);
    clock += 1_000;
    const res = await call(oro, token, 'GET', '/customers');
    expect(res.status).to.equal(401);
    expect(res.text).to.equal('');
  });

  it('answers 401 for every token after revokeTokens()', async () => {
    const a = await tokenOf(oro);
    const b = await tokenOf(oro);
    oro.revokeTokens();
    for (const t of [a, b]) expect((await call(oro, t, 'GET', '/customers')).status).to.equal(401);
    expect((await call(oro, await tokenOf(oro), 'GET', '/customers')).status).to.equal(200);
  });

  it('rejects a token in the query string with 401', async () => {
    const token = await tokenOf(oro);
    const res = await call(oro, undefined, 'GET', `/customers?access_token=${token}`);
    expect(res.status).to.equal(401);
    const both = await call(oro, token, 'GET', `/customers?access_token=${token}`);
    expect(both.status).to.equal(401);
    expect(both.text).to.equal('');
  });

  it('checks authentication before the type exists', async () => {
    expect((await call(oro, undefined, 'GET', '/nosuchtype')).status).to.equal(401);
  });
});
