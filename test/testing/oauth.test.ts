import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';

describe('fake Oro: token endpoint (docs/oro-api.md §1)', () => {
  let oro: FakeOro;
  before(async () => {
    oro = await startFakeOro({ clientId: 'id-1', clientSecret: 's3cret', tokenTtlSeconds: 120 });
  });
  after(() => oro.close());

  const post = (body: string, headers: Record<string, string>) => fetch(oro.tokenUrl, { method: 'POST', headers, body });

  function expectToken(body: Record<string, unknown>): void {
    expect(body['token_type']).to.equal('Bearer');
    expect(body['expires_in']).to.equal(120);
    expect(body['access_token']).to.be.a('string').and.match(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(body).not.to.have.property('refresh_token');
  }

  it('lives at /oauth2-token without the /admin prefix', () => {
    expect(new URL(oro.tokenUrl).pathname).to.equal('/oauth2-token');
    expect(new URL(oro.baseUrl).pathname).to.equal('/admin/api');
  });

  it('grants client credentials sent as a form body', async () => {
    const before = oro.tokenGrants;
    const res = await post('grant_type=client_credentials&client_id=id-1&client_secret=s3cret', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/json; charset=UTF-8');
    expectToken((await res.json()) as Record<string, unknown>);
    expect(oro.tokenGrants).to.equal(before + 1);
  });

  it('grants client credentials sent as a JSON body', async () => {
    const res = await post(JSON.stringify({ grant_type: 'client_credentials', client_id: 'id-1', client_secret: 's3cret' }), { 'Content-Type': 'application/json' });
    expect(res.status).to.equal(200);
    expectToken((await res.json()) as Record<string, unknown>);
  });

  it('grants client credentials sent as HTTP Basic', async () => {
    const res = await post('grant_type=client_credentials', {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from('id-1:s3cret').toString('base64')}`,
    });
    expect(res.status).to.equal(200);
    expectToken((await res.json()) as Record<string, unknown>);
  });

  it('answers 400 invalid_request with a hint when client_id is missing', async () => {
    const res = await post('grant_type=client_credentials&client_secret=s3cret', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(res.status).to.equal(400);
    const body = (await res.json()) as Record<string, string>;
    expect(body['error']).to.equal('invalid_request');
    expect(body['hint']).to.equal('Check the `client_id` parameter');
    expect(body['error_description']).to.be.a('string');
    expect(body['message']).to.be.a('string');
  });

  it('answers 401 invalid_client for a wrong secret or id, without granting', async () => {
    const before = oro.tokenGrants;
    for (const creds of ['client_id=id-1&client_secret=nope', 'client_id=other&client_secret=s3cret']) {
      const res = await post(`grant_type=client_credentials&${creds}`, { 'Content-Type': 'application/x-www-form-urlencoded' });
      expect(res.status).to.equal(401);
      expect(await res.json()).to.deep.equal({ error: 'invalid_client', error_description: 'Client authentication failed', message: 'Client authentication failed' });
    }
    expect(oro.tokenGrants).to.equal(before);
  });

  it('answers 400 unsupported_grant_type for a grant Oro does not know', async () => {
    const res = await post('grant_type=magic&client_id=id-1&client_secret=s3cret', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(res.status).to.equal(400);
    expect(((await res.json()) as Record<string, string>)['error']).to.equal('unsupported_grant_type');
  });

  it('logs token requests', async () => {
    oro.resetLog();
    await post('grant_type=client_credentials&client_id=id-1&client_secret=s3cret', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(oro.requests.map((r) => [r.method, r.path, r.status])).to.deep.equal([['POST', '/oauth2-token', 200]]);
  });
});
