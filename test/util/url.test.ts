import { expect } from 'chai';
import { assertSecureUrl, defaultTokenUrl, isLoopbackUrl, redactUrl } from '../../src/util/url.js';
import { ConfigError } from '../../src/errors/config-error.js';
import { InsecureUrlError } from '../../src/errors/insecure-url-error.js';

describe('util/url', () => {
  it('finds Oro\'s token endpoint at the origin of the API base URL, without /admin', () => {
    expect(defaultTokenUrl('https://shop.example.com/admin/api')).to.equal('https://shop.example.com/oauth2-token');
    expect(defaultTokenUrl('http://127.0.0.1:8080/shop/admin/api/')).to.equal('http://127.0.0.1:8080/oauth2-token');
  });

  it('recognises loopback hosts', () => {
    for (const url of ['http://127.0.0.1:8080/', 'http://127.255.0.9/', 'http://127.1/', 'http://[::1]:3000/', 'http://localhost/', 'http://LOCALHOST./', 'http://api.localhost/', 'http://[::ffff:127.0.0.1]/']) {
      expect(isLoopbackUrl(url), url).to.equal(true);
    }
  });

  it('does not take other hosts for loopback', () => {
    for (const url of ['http://10.0.0.1/', 'http://128.0.0.1/', 'http://localhost.example.com/', 'http://[::2]/', 'http://127.0.0.1.nip.io/', 'not a url']) {
      expect(isLoopbackUrl(url), url).to.equal(false);
    }
  });

  it('refuses plain http:// to a non-loopback host, naming the URL and the setting', () => {
    expect(() => assertSecureUrl('http://shop.example.com/admin/api', false, 'oro.allowInsecureHttp'))
      .to.throw(InsecureUrlError, /http:\/\/shop\.example\.com\/admin\/api.*oro\.allowInsecureHttp/);
  });

  it('allows loopback http, https, and http when explicitly allowed', () => {
    assertSecureUrl('http://127.0.0.1:1234/admin/api', false);
    assertSecureUrl('https://shop.example.com/admin/api', false);
    assertSecureUrl('http://shop.example.com/admin/api', true);
  });

  it('rejects URLs that are not http(s)', () => {
    expect(() => assertSecureUrl('ftp://shop.example.com/', true)).to.throw(ConfigError, 'ftp:');
    expect(() => assertSecureUrl('shop.example.com', true)).to.throw(ConfigError, 'absolute');
  });

  it('keeps credentials in a URL out of the error', () => {
    expect(() => assertSecureUrl('http://user:pw@shop.example.com/', false)).to.throw(InsecureUrlError).with.property('message').that.does.not.contain('pw');
    expect(redactUrl('https://user:pw@shop.example.com/x')).to.equal('https://shop.example.com/x');
  });
});
