import { expect } from 'chai';
import { RateLimiter, startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { client, tokenOf } from './support.js';

describe('fake Oro: rate limiter (token bucket per client, as a proxy in front of Oro)', () => {
  let clock = 0;
  const now = (): number => clock;
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('allows a burst of `burst` requests at once, then refuses', () => {
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 }, now);
    expect([1, 2, 3, 4].map(() => limiter.take('a').allowed)).to.deep.equal([true, true, true, false]);
  });

  it('refills perSecond tokens a second, never above the burst', () => {
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 }, now);
    for (let i = 0; i < 3; i++) limiter.take('a');
    clock += 500;
    expect(limiter.take('a').allowed).to.equal(true);
    expect(limiter.take('a').allowed).to.equal(false);
    clock += 60_000;
    expect([1, 2, 3, 4].map(() => limiter.take('a').allowed)).to.deep.equal([true, true, true, false]);
  });

  it('answers Retry-After as the whole seconds until the next token, rounded up', () => {
    const slow = new RateLimiter({ perSecond: 0.25 }, now);
    expect(slow.take('a').allowed).to.equal(true);
    expect(slow.take('a')).to.deep.equal({ allowed: false, retryAfterSeconds: 4 });
    clock += 1_500;
    expect(slow.take('a')).to.deep.equal({ allowed: false, retryAfterSeconds: 3 });
    const fast = new RateLimiter({ perSecond: 10, burst: 1 }, now);
    fast.take('a');
    expect(fast.take('a')).to.deep.equal({ allowed: false, retryAfterSeconds: 1 });
  });

  it('keeps one bucket per key and defaults the burst to perSecond', () => {
    const limiter = new RateLimiter({ perSecond: 2 }, now);
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).to.deep.equal([true, true, false]);
    expect(limiter.take('b').allowed).to.equal(true);
  });

  describe('in the server', () => {
    let oro: FakeOro;
    after(() => oro.close());

    it('answers 429 with Retry-After past the client bucket, and leaves the token endpoint alone', async () => {
      oro = await startFakeOro({ rateLimit: { perSecond: 1, burst: 2 }, now });
      const api = client(oro, await tokenOf(oro));
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await api.get('/customers')).status);
      expect(statuses).to.deep.equal([200, 200, 429]);
      const refused = await api.get('/customers');
      expect(refused.headers.get('retry-after')).to.equal('1');
      expect(refused.text).to.equal('Too Many Requests');
      expect(await tokenOf(oro)).to.be.a('string');
      clock += 1_000;
      expect((await api.get('/customers')).status).to.equal(200);
    });
  });
});
