import { expect } from 'chai';
import { faultsForRate, startFakeOro, type FakeOro, type FaultOptions } from '../../src/testing/index.js';
import { call, tokenOf } from './support.js';

const NONE: Partial<FaultOptions> = { rate429: 0, rate503: 0, rate500: 0, resetRate: 0, revokeEvery: 0, onToken: false };

describe('fake Oro: fault injection and latency', () => {
  let oro: FakeOro;
  let token: string;
  const clock = Date.UTC(2024, 0, 1);
  before(async () => {
    oro = await startFakeOro({ now: () => clock });
    token = await tokenOf(oro);
  });
  afterEach(() => oro.setFaults(NONE));
  after(() => oro.close());

  it('answers 429 with Retry-After in seconds', async () => {
    oro.setFaults({ rate429: 1, retryAfterSeconds: 3 });
    const res = await call(oro, token, 'GET', '/customers');
    expect(res.status).to.equal(429);
    expect(res.headers.get('retry-after')).to.equal('3');
  });

  it('answers 503 with Retry-After as an HTTP date', async () => {
    oro.setFaults({ rate503: 1, retryAfter: 'date', retryAfterSeconds: 2 });
    const res = await call(oro, token, 'GET', '/customers');
    expect(res.status).to.equal(503);
    expect(res.headers.get('retry-after')).to.equal(new Date(clock + 2000).toUTCString());
    oro.setFaults({ retryAfter: 'seconds', retryAfterSeconds: 1 });
  });

  it('answers 500 with a JSON:API "runtime exception" body', async () => {
    oro.setFaults({ rate500: 1 });
    const res = await call(oro, token, 'GET', '/customers');
    expect(res.status).to.equal(500);
    expect(res.headers.get('content-type')).to.equal('application/vnd.api+json');
    expect(res.body.errors).to.have.length(1);
    expect(res.body.errors[0]).to.include({ status: '500', title: 'runtime exception' });
    expect(res.body.errors[0].detail).to.be.a('string');
  });

  it('resets the connection without answering and logs status 0', async () => {
    oro.setFaults({ resetRate: 1 });
    oro.resetLog();
    let failed = false;
    try {
      await call(oro, token, 'GET', '/customers');
    } catch {
      failed = true;
    }
    expect(failed).to.equal(true);
    expect(oro.requests.map((r) => r.status)).to.deep.equal([0]);
  });

  it('leaves the store untouched on a faulted write', async () => {
    oro.setFaults({ rate500: 1 });
    const res = await call(oro, token, 'POST', '/customers', { body: { data: { type: 'customers', attributes: { name: 'X' } } } });
    expect(res.status).to.equal(500);
    expect(oro.records('customers')).to.have.length(0);
  });

  it('leaves the token endpoint alone unless onToken is set', async () => {
    oro.setFaults({ rate429: 1 });
    expect(await tokenOf(oro)).to.be.a('string');
    oro.setFaults({ onToken: true });
    const res = await fetch(oro.tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: oro.clientId, client_secret: oro.clientSecret }) });
    expect(res.status).to.equal(429);
    expect(res.headers.get('retry-after')).to.equal('1');
  });

  it('revokes every token every N API requests', async () => {
    const t = await tokenOf(oro);
    oro.setFaults({ revokeEvery: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(oro, t, 'GET', '/customers')).status);
    expect(statuses[2]).to.equal(401);
    expect((await call(oro, t, 'GET', '/customers')).status).to.equal(401);
    oro.setFaults({ revokeEvery: 0 });
    token = await tokenOf(oro);
  });

  it('draws the same faults for the same seed and request sequence', async () => {
    const run = async (seed: number) => {
      const o = await startFakeOro({ seed, faults: { rate429: 0.2, rate503: 0.2, rate500: 0.2 } });
      try {
        const t = await tokenOf(o);
        const out: number[] = [];
        for (let i = 0; i < 30; i++) out.push((await call(o, t, 'GET', '/customers')).status);
        return out;
      } finally {
        await o.close();
      }
    };
    const a = await run(42);
    expect(a).to.deep.equal(await run(42));
    expect(a).not.to.deep.equal(await run(43));
    expect(new Set(a)).to.include.members([200, 429, 503, 500]);
  });

  it('delays API answers by the configured latency', async () => {
    oro.setLatency({ min: 60, max: 80 });
    const started = performance.now();
    expect((await call(oro, token, 'GET', '/customers')).status).to.equal(200);
    expect(performance.now() - started).to.be.at.least(55);
    oro.setLatency(0);
  });
});

describe('faultsForRate', () => {
  it('splits an overall rate over 429, 503, 500 and resets', () => {
    const f = faultsForRate(0.5);
    expect(f).to.deep.equal({ rate429: 0.2, rate503: 0.15, rate500: 0.1, resetRate: 0.05 });
    expect(faultsForRate(3).rate429).to.equal(0.4);
  });
});
