import { expect } from 'chai';
import sinon from 'sinon';
import { firstValueFrom, skip, toArray } from 'rxjs';
import { createTokenStream, type TokenStreamOptions } from '../../src/auth/token-stream.js';
import type { TokenStream } from '../../src/auth/types.js';
import { HttpError } from '../../src/errors/http-error.js';
import { InsecureUrlError } from '../../src/errors/insecure-url-error.js';
import { NetworkError } from '../../src/errors/network-error.js';
import { TokenError } from '../../src/errors/token-error.js';
import { createHttp, type Http } from '../../src/util/http.js';
import { send, startScriptedServer, tokenEndpoint, type ScriptedServer, type TokenEndpoint } from '../helpers/scripted-server.js';
import { immediateTimers } from '../helpers/timers.js';

const SECRET = 'super-secret-value';

describe('createTokenStream', () => {
  let server: ScriptedServer;
  let endpoint: TokenEndpoint;
  let http: Http;
  const streams: TokenStream[] = [];

  beforeEach(async () => {
    endpoint = tokenEndpoint({ clientId: 'client', clientSecret: SECRET });
    server = await startScriptedServer(endpoint.route);
    http = createHttp({ concurrency: 4, timeoutMs: 5_000 });
  });

  afterEach(async () => {
    sinon.restore();
    for (const s of streams.splice(0)) s.shutdown();
    http.close();
    await server.close();
  });

  function stream(overrides: Partial<TokenStreamOptions> = {}): TokenStream {
    const s = createTokenStream({ tokenUrl: `${server.origin}/oauth2-token`, clientId: 'client', clientSecret: SECRET, fetch: http.fetch, ...overrides });
    streams.push(s);
    return s;
  }

  it('makes exactly one grant for 64 concurrent callers with no token', async () => {
    const tokens = stream();
    const values = await Promise.all(Array.from({ length: 64 }, () => tokens.current()));
    expect(new Set(values)).to.deep.equal(new Set(['token-1']));
    expect(server.requests).to.have.length(1);
    expect(tokens.grants).to.equal(1);
  });

  it('sends a client_credentials grant with client_secret_post through the given fetch', async () => {
    const fetch = sinon.spy(http.fetch);
    const tokens = stream({ fetch });
    await tokens.current();
    expect(fetch.callCount).to.equal(1);
    const [request] = server.requests;
    expect(request?.method).to.equal('POST');
    expect(request?.path).to.equal('/oauth2-token');
    expect(request?.headers['content-type']).to.match(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(request?.body);
    expect(form.get('grant_type')).to.equal('client_credentials');
    expect(form.get('client_id')).to.equal('client');
    expect(form.get('client_secret')).to.equal(SECRET);
  });

  it('works with the global fetch when none is given', async () => {
    const tokens = createTokenStream({ tokenUrl: `${server.origin}/oauth2-token`, clientId: 'client', clientSecret: SECRET });
    streams.push(tokens);
    expect(await tokens.current()).to.equal('token-1');
  });

  it('reuses the token while it is valid', async () => {
    const tokens = stream();
    await tokens.current();
    await tokens.current();
    expect(server.requests).to.have.length(1);
  });

  it('renews once, skewMs before expiry, on a timer', async () => {
    const clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const onGrant = sinon.spy();
    const tokens = stream({ skewMs: 60_000, onGrant });
    expect(await tokens.current()).to.equal('token-1');
    const renewed = firstValueFrom(tokens.token$.pipe(skip(1)));

    await clock.tickAsync(3_600_000 - 60_000 - 1);
    expect(server.requests).to.have.length(1);

    await clock.tickAsync(1);
    const next = await renewed;
    expect(next.value).to.equal('token-2');
    expect(next.expiresAt).to.equal(1_000_000 + 3_540_000 + 3_600_000);
    expect(server.requests).to.have.length(2);
    expect(await tokens.current()).to.equal('token-2');
    expect(server.requests).to.have.length(2);
    expect(onGrant.callCount).to.equal(2);
  });

  it('renews in current() when the timer could not run (token past its renewal point)', async () => {
    let now = 0;
    // Timers that never fire: only current() can notice the token is due.
    const tokens = stream({ now: () => now, setTimeout: () => ({ unref() {} }), clearTimeout: () => undefined });
    expect(await tokens.current()).to.equal('token-1');
    now = 3_600_000 - 60_000;
    expect(await tokens.current()).to.equal('token-2');
  });

  it('replays the current token to late subscribers and completes on shutdown', async () => {
    const tokens = stream();
    await tokens.current();
    const all = firstValueFrom(tokens.token$.pipe(toArray()));
    tokens.shutdown();
    expect((await all).map((t) => t.value)).to.deep.equal(['token-1']);
  });

  it('leaves no timer behind after shutdown', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const tokens = stream();
    const first = await tokens.current();
    expect(clock.countTimers()).to.equal(1); // the renewal timer
    await tokens.refresh(first);
    expect(clock.countTimers()).to.equal(1); // rescheduled for the new token, not added
    tokens.shutdown();
    tokens.shutdown(); // idempotent
    expect(clock.countTimers()).to.equal(0);
    await clock.tickAsync(10 * 3_600_000);
    expect(server.requests).to.have.length(2);
  });

  it('unrefs the renewal timer so it never keeps the process alive', async () => {
    const unref = sinon.spy();
    const tokens = stream({ setTimeout: () => ({ unref }), clearTimeout: () => undefined });
    await tokens.current();
    expect(unref.callCount).to.equal(1);
  });

  it('rejects current() after shutdown', async () => {
    const tokens = stream();
    tokens.shutdown();
    const error = await tokens.current().then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.contain('shut down');
  });

  describe('refresh(rejected)', () => {
    it('makes one grant for a burst of 32 refreshes of the same token', async () => {
      const tokens = stream();
      const old = await tokens.current();
      const values = await Promise.all(Array.from({ length: 32 }, () => tokens.refresh(old)));
      expect(new Set(values)).to.deep.equal(new Set(['token-2']));
      expect(server.requests).to.have.length(2);
    });

    it('resolves to the current token without a grant when it is already newer', async () => {
      const tokens = stream();
      const old = await tokens.current();
      await tokens.refresh(old);
      expect(await tokens.refresh(old)).to.equal('token-2');
      expect(server.requests).to.have.length(2);
    });

    it('makes current() wait for the new token instead of handing out the rejected one', async () => {
      const tokens = stream();
      const old = await tokens.current();
      const [refreshed, current] = await Promise.all([tokens.refresh(old), tokens.current()]);
      expect(refreshed).to.equal('token-2');
      expect(current).to.equal('token-2');
    });
  });

  describe('errors', () => {
    it('rejects invalid_client with a TokenError naming the URL, without the secret, and does not retry', async () => {
      const tokens = stream({ clientSecret: 'wrong-secret-value' });
      const error = await tokens.current().then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(TokenError);
      const tokenError = error as TokenError;
      expect(tokenError.oauthError).to.equal('invalid_client');
      expect(tokenError.tokenUrl).to.equal(`${server.origin}/oauth2-token`);
      expect(tokenError.message).to.contain(`${server.origin}/oauth2-token`).and.contain('invalid_client');
      expect(tokenError.message).not.to.contain('wrong-secret-value');
      expect(JSON.stringify(tokenError.toDetails())).not.to.contain('wrong-secret-value');
      expect(tokenError.errorClass).to.equal('fatal');
      expect(server.requests).to.have.length(1);
    });

    for (const code of ['invalid_request', 'unsupported_grant_type', 'unauthorized_client', 'invalid_grant', 'invalid_scope']) {
      it(`treats ${code} as permanent`, async () => {
        server.handle = (_req, res) => send(res, 400, { error: code, error_description: 'nope' }, {}, 'application/json');
        const error = await stream().current().then(() => undefined, (e: unknown) => e);
        expect(error).to.be.instanceOf(TokenError);
        expect((error as TokenError).oauthError).to.equal(code);
        expect(server.requests).to.have.length(1);
      });
    }

    it('reads the OAuth error of a 401 that carries a WWW-Authenticate challenge', async () => {
      server.handle = (_req, res) =>
        send(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' }, { 'WWW-Authenticate': 'Basic realm="OAuth"' }, 'application/json');
      const error = await stream().current().then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(TokenError);
      expect((error as TokenError).oauthError).to.equal('invalid_client');
      expect(server.requests).to.have.length(1);
    });

    it('retries a 503 with backoff and then succeeds', async () => {
      let calls = 0;
      server.handle = (req, res) => (++calls === 1 ? send(res, 503, '<html>busy</html>', {}, 'text/html') : endpoint.route(req, res));
      const timers = immediateTimers();
      const tokens = stream({ ...timers, random: () => 0.5, retry: { baseMs: 200 } });
      expect(await tokens.current()).to.equal('token-1');
      expect(server.requests).to.have.length(2);
      expect(timers.delays[0]).to.equal(100); // 0.5 × 200 × 2^0
    });

    it('backs off exponentially with full jitter, capped at maxMs, then fails with the HttpError', async () => {
      server.handle = (_req, res) => send(res, 502);
      const timers = immediateTimers();
      const tokens = stream({ ...timers, random: () => 0.999, retry: { retries: 4, baseMs: 100, maxMs: 500 } });
      const error = await tokens.current().then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(HttpError);
      expect((error as HttpError).status).to.equal(502);
      expect((error as HttpError).url).to.equal(`${server.origin}/oauth2-token`);
      expect(server.requests).to.have.length(5);
      expect(timers.delays.map(Math.round)).to.deep.equal([100, 200, 400, 500]);
    });

    it('waits at least Retry-After on a 429', async () => {
      let calls = 0;
      server.handle = (req, res) => (++calls === 1 ? send(res, 429, '', { 'Retry-After': '7' }) : endpoint.route(req, res));
      const timers = immediateTimers();
      const tokens = stream({ ...timers, random: () => 0 });
      expect(await tokens.current()).to.equal('token-1');
      expect(timers.delays[0]).to.equal(7_000);
    });

    it('retries network errors, then fails with a NetworkError', async () => {
      server.handle = (_req, res) => {
        res.socket?.destroy();
      };
      const timers = immediateTimers();
      const tokens = stream({ ...timers, retry: { retries: 2 } });
      const error = await tokens.current().then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(NetworkError);
      expect((error as Error).message).to.contain('/oauth2-token');
      expect(server.requests).to.have.length(3);
    });

    it('lets the next caller try again after a failed grant', async () => {
      let calls = 0;
      server.handle = (req, res) => (++calls === 1 ? send(res, 400, { error: 'invalid_request' }, {}, 'application/json') : endpoint.route(req, res));
      const tokens = stream();
      await tokens.current().catch(() => undefined);
      expect(await tokens.current()).to.equal('token-1');
    });
  });

  describe('transport security', () => {
    it('refuses plain http:// to a non-loopback token URL', () => {
      expect(() => createTokenStream({ tokenUrl: 'http://shop.example.com/oauth2-token', clientId: 'c', clientSecret: SECRET }))
        .to.throw(InsecureUrlError, 'oro.allowInsecureHttp');
    });

    it('accepts it with allowInsecureHttp, and https:// always', () => {
      createTokenStream({ tokenUrl: 'http://shop.example.com/oauth2-token', clientId: 'c', clientSecret: SECRET, allowInsecureHttp: true }).shutdown();
      createTokenStream({ tokenUrl: 'https://shop.example.com/oauth2-token', clientId: 'c', clientSecret: SECRET }).shutdown();
    });
  });
});
