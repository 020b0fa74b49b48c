import { expect } from 'chai';
import { lastValueFrom } from 'rxjs';
import { createOro, type Oro } from '../../src/oro/create-oro.js';
import { InsecureUrlError } from '../../src/errors/index.js';
import { createHttp } from '../../src/util/http.js';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';

/** Client sockets this process holds open right now. */
const openSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

/** Lets destroyed sockets finish closing (I/O turns, no timer). */
async function settleSockets(target: number): Promise<number> {
  for (let i = 0; i < 100 && openSockets() > target; i++) await new Promise((resolve) => setImmediate(resolve));
  return openSockets();
}

describe('oro/createOro against the fake Oro', function () {
  this.timeout(10_000);
  let fake: FakeOro;
  let oro: Oro | undefined;
  beforeEach(async () => (fake = await startFakeOro({ seed: 1 })));
  afterEach(async () => {
    oro?.close();
    oro = undefined;
    await fake.close();
  });

  it('wires one client: it writes customers with one token grant, the token URL found from the base URL', async () => {
    oro = createOro({ baseUrl: fake.baseUrl, clientId: fake.clientId, clientSecret: fake.clientSecret, concurrency: 4 });
    const written = await Promise.all(['C1', 'C2', 'C3'].map((key) =>
      oro!.client.create({ data: { type: 'customers', attributes: { name: `Customer ${key}`, externalId: key } } })));
    expect(written.map((w) => w.created)).to.deep.equal([true, true, true]);
    expect(fake.records('customers').map((r) => r.attributes?.['externalId']).sort()).to.deep.equal(['C1', 'C2', 'C3']);
    expect(oro.tokens.grants).to.equal(1);
    expect(fake.requests.filter((r) => r.path === '/oauth2-token')).to.have.length(1);
  });

  it('gives a limiter bounded by the concurrency asked for', () => {
    oro = createOro({ baseUrl: fake.baseUrl, clientId: fake.clientId, clientSecret: fake.clientSecret, concurrency: 3 });
    expect(oro.limiter.limit).to.equal(3);
  });

  it("gives an 'auto' limiter that starts at 8 (or maxConcurrency, if lower) and refuses a maxConcurrency below 1", () => {
    oro = createOro({ baseUrl: fake.baseUrl, clientId: fake.clientId, clientSecret: fake.clientSecret, concurrency: 'auto' });
    expect(oro.limiter.limit).to.equal(8);
    oro.close();
    oro = createOro({ baseUrl: fake.baseUrl, clientId: fake.clientId, clientSecret: fake.clientSecret, concurrency: 'auto', maxConcurrency: 4 });
    expect(oro.limiter.limit).to.equal(4);
    expect(() => createOro({ baseUrl: fake.baseUrl, clientId: fake.clientId, clientSecret: fake.clientSecret, concurrency: 'auto', maxConcurrency: 0 }))
      .to.throw(RangeError, 'maxConcurrency must be a positive integer, got 0');
  });

  it('close() stops the token stream and closes the HTTP agents: nothing stays open', async () => {
    const before = openSockets();
    oro = createOro({ baseUrl: fake.baseUrl, tokenUrl: fake.tokenUrl, clientId: fake.clientId, clientSecret: fake.clientSecret });
    await oro.client.create({ data: { type: 'customers', attributes: { name: 'Kept alive', externalId: 'K1' } } });
    expect(openSockets(), 'a keep-alive socket while open').to.be.greaterThan(before);
    const ended = lastValueFrom(oro.tokens.token$).then(() => 'completed');
    oro.close();
    expect(await ended).to.equal('completed');
    expect(await settleSockets(before)).to.equal(before);
    // A request after close() fails at once (the token stream is shut down), sending nothing.
    const sent = fake.requests.length;
    const after = await oro.client.list('customers').then(() => undefined, (e: unknown) => e);
    expect(after).to.be.instanceOf(Error);
    expect(fake.requests).to.have.length(sent);
  });

  it('leaves a shared HTTP stack open on close(): its owner closes it', async () => {
    const http = createHttp({ concurrency: 2, timeoutMs: 5_000 });
    try {
      const first = createOro({ baseUrl: fake.baseUrl, clientId: fake.clientId, clientSecret: fake.clientSecret, http });
      first.close();
      oro = createOro({ baseUrl: fake.baseUrl, clientId: fake.clientId, clientSecret: fake.clientSecret, http });
      const created = await oro.client.create({ data: { type: 'customers', attributes: { name: 'Shared', externalId: 'S1' } } });
      expect(created.created).to.equal(true);
    } finally {
      http.close();
    }
  });

  it('refuses plain http:// to a host that is not loopback, unless allowed', () => {
    const options = { baseUrl: 'http://shop.example.com/admin/api', clientId: 'c', clientSecret: 's' };
    expect(() => createOro(options)).to.throw(InsecureUrlError, /shop\.example\.com/);
    createOro({ ...options, allowInsecureHttp: true }).close();
  });
});
