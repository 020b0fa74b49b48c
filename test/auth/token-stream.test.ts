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
import { backoffDelay } from '../../src/util/retry-policy.js';
import { send, startScriptedServer, tokenEndpoint, type ScriptedServer, type TokenEndpoint } from '../helpers/scripted-server.js';
import { turn, VirtualClock } from '../helpers/virtual-time.js';

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

  it('renews once, skewMs before expiry, on the scheduler', async () => {
    const clock = new VirtualClock(1_000_000);
    const onGrant = sinon.spy();
    const tokens = stream({ skewMs: 60_000, onGrant, scheduler: clock });
    expect(await tokens.current()).to.equal('token-1');
    const renewed = firstValueFrom(tokens.token$.pipe(skip(1)));

    await clock.advance(3_600_000 - 60_000 - 1);
    expect(server.requests).to.have.length(1);

    await clock.advance(1);
    const next = await renewed;
    expect(next.value).to.equal('token-2');
    expect(next.expiresAt).to.equal(1_000_000 + 3_540_000 + 3_600_000);
    expect(server.requests).to.have.length(2);
    expect(await tokens.current()).to.equal('token-2');
    expect(server.requests).to.have.length(2);
    expect(onGrant.callCount).to.equal(2);
  });

  it('renews in current() when the timer could not run (token past its renewal point)', async () => {
    const clock = new VirtualClock();
    const tokens = stream({ scheduler: clock });
    expect(await tokens.current()).to.equal('token-1');
    // Time moves on without the renewal running: only current() can notice the token is due.
    clock.frame = 3_600_000 - 60_000;
    expect(await tokens.current()).to.equal('token-2');
  });

  it('replays the current token to late subscribers and completes on shutdown', async () => {
    const tokens = stream();
    await tokens.current();
    const all = firstValueFrom(tokens.token$.pipe(toArray()));
    tokens.shutdown();
    expect((await all).map((t) => t.value)).to.deep.equal(['token-1']);
  });

  it('leaves no timer behind after shutdown (nothing of it keeps the process alive)', async () => {
    const clock = new VirtualClock();
    const tokens = stream({ scheduler: clock });
    const first = await tokens.current();
    expect(clock.pending).to.equal(1); // the renewal timer
    await tokens.refresh(first);
    expect(clock.pending).to.equal(1); // rescheduled for the new token, not added
    tokens.shutdown();
    tokens.shutdown(); // idempotent
    expect(clock.pending).to.equal(0);
    await clock.advance(10 * 3_600_000);
    expect(server.requests).to.have.length(2);
  });

  it('ends a retry wait at shutdown: the caller gets the shutdown error, no timer is left', async () => {
    server.handle = (_req, res) => send(res, 503);
    const clock = new VirtualClock();
    const tokens = stream({ scheduler: clock, retry: { baseMs: 60_000, jitter: 'none' } });
    const result = tokens.current().then(() => undefined, (e: unknown) => e);
    while (clock.pending === 0) await turn();
    tokens.shutdown();
    expect(((await result) as Error).message).to.equal(`token stream for ${server.origin}/oauth2-token is shut down`);
    expect(clock.pending).to.equal(0);
    expect(server.requests).to.have.length(1);
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
      const clock = new VirtualClock();
      const tokens = stream({ scheduler: clock, retry: { baseMs: 200, random: () => 0.5 } });
      expect(await clock.run(tokens.current())).to.equal('token-1');
      expect(server.requests).to.have.length(2);
      expect(clock.delays[0]).to.equal(100); // 0.5 × 200 × 2^0
    });

    it('waits backoffDelay of its retry policy (full jitter, capped at maxMs), then fails with the HttpError', async () => {
      server.handle = (_req, res) => send(res, 502);
      const clock = new VirtualClock();
      const policy = { retries: 4, baseMs: 100, maxMs: 500, random: () => 0.999 };
      const tokens = stream({ scheduler: clock, retry: policy });
      const error = await clock.run(tokens.current().then(() => undefined, (e: unknown) => e));
      expect(error).to.be.instanceOf(HttpError);
      expect((error as HttpError).status).to.equal(502);
      expect((error as HttpError).url).to.equal(`${server.origin}/oauth2-token`);
      expect(server.requests).to.have.length(5);
      expect(clock.delays).to.deep.equal([0, 1, 2, 3].map((n) => backoffDelay(n, error, policy)));
      expect(clock.delays.map(Math.round)).to.deep.equal([100, 200, 400, 500]);
    });

    it('with no retry policy given, retries 5 times from a 200 ms base (DEFAULT_TOKEN_RETRY)', async () => {
      server.handle = (_req, res) => send(res, 502);
      const clock = new VirtualClock();
      const tokens = stream({ scheduler: clock, retry: { random: () => 0.5 } });
      await clock.run(tokens.current().catch(() => undefined));
      expect(clock.delays).to.deep.equal([100, 200, 400, 800, 1_600]);
      expect(server.requests).to.have.length(6);
    });

    it('waits at least Retry-After on a 429', async () => {
      let calls = 0;
      server.handle = (req, res) => (++calls === 1 ? send(res, 429, '', { 'Retry-After': '7' }) : endpoint.route(req, res));
      const clock = new VirtualClock();
      const tokens = stream({ scheduler: clock, retry: { random: () => 0 } });
      expect(await clock.run(tokens.current())).to.equal('token-1');
      expect(clock.delays[0]).to.equal(7_000);
    });

    it('honours a 503 Retry-After up to the policy\'s maxRetryAfterMs, beyond maxMs', async () => {
      let calls = 0;
      server.handle = (req, res) => (++calls <= 2 ? send(res, 503, '', { 'Retry-After': calls === 1 ? '20' : '600' }) : endpoint.route(req, res));
      const clock = new VirtualClock();
      const tokens = stream({ scheduler: clock, retry: { maxMs: 1_000, maxRetryAfterMs: 120_000 } });
      expect(await clock.run(tokens.current())).to.equal('token-1');
      expect(clock.delays.slice(0, 2)).to.deep.equal([20_000, 120_000]);
    });

    it('retries network errors, then fails with a NetworkError', async () => {
      server.handle = (_req, res) => {
        res.socket?.destroy();
      };
      const clock = new VirtualClock();
      const tokens = stream({ scheduler: clock, retry: { retries: 2 } });
      const error = await clock.run(tokens.current().then(() => undefined, (e: unknown) => e));
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
