import { expect } from 'chai';
import { isSecretKey, redactSecrets, scrubSecrets } from '../../src/util/redact.js';

describe('util/redact', () => {
  it('recognises secret-named keys case-insensitively, ignoring _ and -', () => {
    for (const k of ['authorization', 'Authorization', 'Proxy-Authorization', 'password', 'PASSWORD', 'userPassword', 'secret', 'clientSecret', 'client_secret', 'token', 'access_token', 'refreshToken', 'api_key', 'Cookie']) {
      expect(isSecretKey(k), k).to.equal(true);
    }
    for (const k of ['tokenUrl', 'token_type', 'email', 'name', 'secretary_name_x']) expect(isSecretKey(k), k).to.equal(false);
  });

  it('scrubs bearer tokens, authorization values and secret=value pairs in text', () => {
    expect(scrubSecrets('Authorization: Bearer abc.def-ghi')).to.equal('Authorization: [redacted]');
    expect(scrubSecrets('authorization: Basic dXNlcjpwYXNz')).to.equal('authorization: [redacted]');
    expect(scrubSecrets('sent Bearer eyJhbGciOi.xx.yy to Oro')).to.equal('sent Bearer [redacted] to Oro');
    expect(scrubSecrets('{"access_token":"abc123","token_type":"Bearer"}')).to.equal('{"access_token":"[redacted]","token_type":"Bearer"}');
    expect(scrubSecrets('client_secret=shh&grant_type=x')).to.equal('client_secret=[redacted]&grant_type=x');
    expect(scrubSecrets('password: hunter2')).to.equal('password: [redacted]');
    expect(scrubSecrets('tokenUrl: http://127.0.0.1/oauth2-token; Basic information')).to.equal('tokenUrl: http://127.0.0.1/oauth2-token; Basic information');
  });

  it('returns a redacted deep copy and leaves its input alone', () => {
    const input = { a: [{ password: 'p', keep: 'Bearer t0k3n' }], n: 1, z: null, b: true };
    const out = redactSecrets(input);
    expect(out).to.deep.equal({ a: [{ keep: 'Bearer [redacted]' }], n: 1, z: null, b: true });
    expect(input.a[0]?.password).to.equal('p');
  });
});
