import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { toOro } from '../../src/sink/to-oro.js';
import { mapRecords } from '../../src/operators/map.js';
import { batchRecords } from '../../src/operators/batch.js';
import { createLimiter, type Limiter } from '../../src/oro/limiter.js';
import { HttpError } from '../../src/errors/index.js';
import type { OroClient } from '../../src/oro/types.js';
import type { SinkOptions } from '../../src/sink/options.js';
import type { Outcome } from '../../src/types/index.js';
import type { RetryInfo } from '../../src/util/retry-policy.js';
import { instantScheduler } from '../helpers/instant-scheduler.js';
import { startHarness, type OroHarness } from '../helpers/oro-harness.js';

/** A limiter that records the priority of every slot asked for. */
function recordingLimiter(asked: string[]): Limiter {
  const limiter = createLimiter({ concurrency: 2 });
  return {
    get inFlight() { return limiter.inFlight; },
    get waiting() { return limiter.waiting; },
    get limit() { return limiter.limit; },
    get learnedRate() { return limiter.learnedRate; },
    acquire: (options) => {
      asked.push(options?.priority ?? 'normal');
      return limiter.acquire(options);
    },
    backOff: () => limiter.backOff(),
    recover: () => limiter.recover(),
    slowDown: (ms) => limiter.slowDown(ms),
    rateLimited: (ticket) => limiter.rateLimited(ticket),
    timedOut: (ticket) => limiter.timedOut(ticket),
  };
}

describe('sink/toOro options: limiter, retry and scheduler as data', function () {
  this.timeout(10_000);
  let h: OroHarness;
  let creates: number;
  /** The harness's client, whose creates Oro always answers 503 (no Retry-After). */
  let overloaded: OroClient;
  beforeEach(async () => {
    h = await startHarness({ seed: 1 });
    creates = 0;
    overloaded = {
      ...h.client,
      create: async (document) => {
        creates++;
        throw new HttpError('POST', `${h.client.baseUrl}/${document.data.type}`, 503, []);
      },
    };
  });
  afterEach(async () => h.close());

  const sync = (options: Omit<SinkOptions, 'target'>): Promise<Outcome[]> =>
    lastValueFrom(
      from([{ value: { id: 'C1', name: 'One' }, position: { seq: 0, where: '#0' } }]).pipe(
        mapRecords({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name', externalId: 'id' } }),
        batchRecords({ size: 1, ms: 1 }),
        toOro({ target: { type: 'customers', mode: 'single', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' }, ...options }),
        toArray(),
      ),
    );

  it('retry: n retries a transient failure n times, each retry queueing for the limiter again (reads first)', async () => {
    const asked: string[] = [];
    const outcomes = await sync({ client: overloaded, limiter: recordingLimiter(asked), retry: 2, scheduler: instantScheduler() });
    expect(outcomes.map((o) => o.status)).to.deep.equal(['failed']);
    expect(creates).to.equal(3);
    // The lookup in the read lane, then three write attempts, each with its own slot.
    expect(asked).to.deep.equal(['high', 'normal', 'normal', 'normal']);
  });

  it('without retry, the default policy applies (6 retries), waiting on the sink\'s scheduler', async () => {
    const scheduler = instantScheduler();
    const outcomes = await sync({ client: overloaded, scheduler });
    expect(outcomes.map((o) => o.status)).to.deep.equal(['failed']);
    expect(creates).to.equal(7);
    // Six backoff waits, asked of the sink's clock (and so not waited for here).
    expect(scheduler.delays).to.have.length(6);
    expect(scheduler.delays.every((d) => d >= 0 && d <= 200 * 2 ** 5)).to.equal(true);
  });

  it('retry: 0 turns retrying off; a policy object carries its own onRetry', async () => {
    expect((await sync({ client: overloaded, retry: 0 })).map((o) => o.status)).to.deep.equal(['failed']);
    expect(creates).to.equal(1);
    const seen: RetryInfo[] = [];
    await sync({ client: overloaded, retry: { retries: 1, baseMs: 10, random: () => 0.5, onRetry: (info) => seen.push(info) }, scheduler: instantScheduler() });
    expect(seen.map((info) => [info.attempt, info.delayMs])).to.deep.equal([[1, 5]]);
    expect(creates).to.equal(3);
  });

  it('writes as before when nothing fails: created through the limiter, nothing retried', async () => {
    const asked: string[] = [];
    const scheduler = instantScheduler();
    expect((await sync({ client: h.client, limiter: recordingLimiter(asked), scheduler })).map((o) => o.status)).to.deep.equal(['created']);
    expect(asked).to.deep.equal(['high', 'normal']);
    expect(scheduler.delays).to.deep.equal([]);
  });

  it('refuses a retry count that is not a non-negative integer when called', () => {
    expect(() => toOro({ client: h.client, target: { type: 'customers', mode: 'single', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' }, retry: -1 }))
      .to.throw(RangeError, /retries/);
  });
});
