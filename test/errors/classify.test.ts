import { expect } from 'chai';
import { HttpError, NetworkError, TimeoutError, TokenError, classOf, isTransient, isFatal, retryAfterOf, detailsOf, classifyStatus } from '../../src/errors/index.js';

describe('errors/classify', () => {
  it('classifies statuses as docs/oro-api.md §4 prescribes', () => {
    for (const s of [400, 403, 404, 405, 406, 409, 415, 422]) expect(classifyStatus(s), String(s)).to.equal('permanent');
    for (const s of [408, 425, 429, 500, 502, 503, 504]) expect(classifyStatus(s), String(s)).to.equal('transient');
    expect(classifyStatus(401)).to.equal('auth');
  });

  it('treats network errors and timeouts as transient, token errors as fatal, unknown errors as permanent', () => {
    expect(isTransient(new NetworkError('GET', 'http://x', Object.assign(new Error('x'), { code: 'ECONNRESET' })))).to.equal(true);
    expect(isTransient(new TimeoutError('GET', 'http://x', 10))).to.equal(true);
    expect(isFatal(new TokenError('http://x/oauth2-token', 'invalid_client'))).to.equal(true);
    expect(classOf(new Error('bug'))).to.equal('permanent');
  });

  it('keeps Oro\'s title, detail and pointer and the Retry-After delay', () => {
    const e = new HttpError('POST', 'http://x/admin/api/customers', 400, [
      { status: '400', title: 'not blank constraint', detail: 'This value should not be blank.', pointer: '/data/attributes/name' },
    ], 1500);
    expect(e.message).to.contain('not blank constraint').and.contain('/data/attributes/name');
    expect(retryAfterOf(e)).to.equal(1500);
    expect(detailsOf(e)[0]).to.deep.include({ title: 'not blank constraint', pointer: '/data/attributes/name' });
  });

  it('describes an error with an empty body by its status', () => {
    const e = new HttpError('GET', 'http://x', 503, []);
    expect(detailsOf(e)[0]).to.deep.include({ status: '503' });
  });
});
