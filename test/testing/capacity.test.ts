import { expect } from 'chai';
import sinon from 'sinon';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { Capacity, recordsIn, type CapacityOptions } from '../../src/testing/capacity.js';
import { client, tokenOf, type Answer } from './support.js';

/** Lets real socket I/O through (the fake timers leave setImmediate alone). */
async function io(turns = 30): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A request in flight whose answer can be looked at without waiting for it. */
function pending(promise: Promise<Answer>): { readonly answer: Answer | undefined; readonly done: Promise<Answer> } {
  let answer: Answer | undefined;
  const done = promise.then((a) => (answer = a));
  return {
    get answer() {
      return answer;
    },
    done,
  };
}

describe("fake Oro: capacity (workers, a FIFO queue, 503 past queueLimit), through real HTTP on virtual time", function () {
  this.timeout(10_000);
  let clock: sinon.SinonFakeTimers;
  let oro: FakeOro;
  let api: ReturnType<typeof client>;

  /** Until the fake has `n` requests in its capacity (serving, waiting, served or refused). */
  async function arrived(n: number): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      const s = oro.capacityStats();
      if (s.inService + s.waiting + s.served + s.refused >= n) return;
      await io(1);
    }
    throw new Error(`the fake Oro did not see ${n} requests`);
  }

  async function start(capacity: CapacityOptions): Promise<void> {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    oro = await startFakeOro({ capacity });
    api = client(oro, await tokenOf(oro));
  }
  afterEach(async () => {
    clock.restore();
    await oro.close();
  });

  it('serves at most `workers` requests at once, each for perRequestMs + perRecordMs x records', async () => {
    await start({ workers: 2, perRequestMs: 100, perRecordMs: 10 });
    const a = pending(api.get('/customers'));
    const b = pending(api.get('/customers'));
    const c = pending(api.get('/customers'));
    await arrived(3);
    expect(oro.capacityStats()).to.deep.include({ inService: 2, waiting: 1 });
    await clock.tickAsync(109);
    await io();
    expect([a.answer, b.answer, c.answer]).to.deep.equal([undefined, undefined, undefined]);
    await clock.tickAsync(1);
    expect((await a.done).status).to.equal(200);
    expect((await b.done).status).to.equal(200);
    await io();
    expect(c.answer, 'the third waited for a worker').to.equal(undefined);
    expect(oro.capacityStats()).to.deep.include({ inService: 1, waiting: 0, served: 2 });
    await clock.tickAsync(110);
    expect((await c.done).status).to.equal(200);
    const stats = oro.capacityStats();
    expect(stats).to.deep.include({ served: 3, refused: 0, maxInFlight: 3, queueWaitMs: 110, serviceMs: 330, busyMs: 330 });
  });

  it('counts the records of a batch: a sync batch of 5 holds its worker for perRequestMs + 5 x perRecordMs', async () => {
    await start({ workers: 1, perRequestMs: 20, perRecordMs: 2 });
    const data = Array.from({ length: 5 }, (_, i) => ({ type: 'customers', id: `t${i}`, attributes: { name: `C${i}` } }));
    const batch = pending(api.patch('/customers', { data }, { 'X-Mode': 'sync' }));
    await arrived(1);
    await clock.tickAsync(29);
    await io();
    expect(batch.answer).to.equal(undefined);
    await clock.tickAsync(1);
    expect((await batch.done).status).to.equal(200);
    expect(oro.capacityStats().serviceMs).to.equal(30);
  });

  it('serves the waiting requests first come, first served', async () => {
    await start({ workers: 1, perRequestMs: 50 });
    const order: string[] = [];
    const answers: Promise<unknown>[] = [];
    // Each sent once the one before has arrived, so that the order they queued in is known.
    for (const [i, name] of ['first', 'second', 'third', 'fourth'].entries()) {
      answers.push(api.get(`/customers?filter[externalId]=${name}`).then(() => order.push(name)));
      await arrived(i + 1);
    }
    await clock.tickAsync(200);
    await Promise.all(answers);
    expect(order).to.deep.equal(['first', 'second', 'third', 'fourth']);
  });

  it('answers 503 with Retry-After once queueLimit requests wait, and counts it', async () => {
    await start({ workers: 1, perRequestMs: 100, queueLimit: 1, retryAfterSeconds: 2 });
    const served = pending(api.get('/customers'));
    await arrived(1);
    const queued = pending(api.get('/customers'));
    await arrived(2);
    const refused = await api.get('/customers');
    expect(refused.status).to.equal(503);
    expect(refused.headers.get('retry-after')).to.equal('2');
    expect(oro.capacityStats()).to.deep.include({ inService: 1, waiting: 1, refused: 1 });
    await clock.tickAsync(200);
    expect([(await served.done).status, (await queued.done).status]).to.deep.equal([200, 200]);
    expect(oro.requests.filter((r) => r.path.endsWith('/customers')).map((r) => r.status)).to.have.members([200, 200, 503]);
  });

  it('setCapacity changes it mid-run: more workers take the waiting requests at once; fewer let those in service finish', async () => {
    await start({ workers: 1, perRequestMs: 100 });
    const requests = [0, 1, 2].map(() => pending(api.get('/customers')));
    await arrived(3);
    expect(oro.capacityStats()).to.deep.include({ inService: 1, waiting: 2 });
    oro.setCapacity({ workers: 3 });
    expect(oro.capacityStats()).to.deep.include({ inService: 3, waiting: 0, workers: 3 });
    oro.setCapacity({ workers: 1 });
    await clock.tickAsync(100);
    await Promise.all(requests.map((r) => r.done));
    const later = [0, 1].map(() => pending(api.get('/customers')));
    await arrived(5);
    expect(oro.capacityStats()).to.deep.include({ inService: 1, waiting: 1, workers: 1 });
    await clock.tickAsync(200);
    await Promise.all(later.map((r) => r.done));
    expect(oro.capacityStats().served).to.equal(5);
  });

  it('leaves the token endpoint out: a client can always log in', async () => {
    await start({ workers: 1, perRequestMs: 1000, queueLimit: 0 });
    const busy = pending(api.get('/customers'));
    await arrived(1);
    expect(await tokenOf(oro)).to.be.a('string');
    await clock.tickAsync(1000);
    expect((await busy.done).status).to.equal(200);
  });
});

describe('fake Oro: capacity, the model alone', () => {
  it('counts a collection document by its data, anything else as one record', () => {
    expect(recordsIn(JSON.stringify({ data: [{}, {}, {}] }))).to.equal(3);
    expect(recordsIn(JSON.stringify({ data: {} }))).to.equal(1);
    expect(recordsIn('')).to.equal(1);
    expect(recordsIn('not json')).to.equal(1);
  });

  it('refuses settings out of range, naming them', () => {
    const never = () => new Promise<void>(() => undefined);
    expect(() => new Capacity({ workers: 0 }, Date.now, never)).to.throw(RangeError, 'workers must be a positive integer, got 0');
    expect(() => new Capacity({ queueLimit: -1 }, Date.now, never)).to.throw(RangeError, 'queueLimit must be 0 or more, got -1');
    expect(() => new Capacity({ perRecordMs: -2 }, Date.now, never)).to.throw(RangeError, 'perRecordMs must be 0 or more, got -2');
  });
});
