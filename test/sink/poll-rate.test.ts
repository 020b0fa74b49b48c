import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { batchRecords } from '../../src/operators/batch.js';
import { mapRecords } from '../../src/operators/map.js';
import { HttpError } from '../../src/errors/http-error.js';
import { createLimiter, type Limiter, type PauseInfo } from '../../src/oro/limiter.js';
import type { OroClient } from '../../src/oro/types.js';
import { instantScheduler } from '../helpers/instant-scheduler.js';
import { toOro } from '../../src/sink/to-oro.js';
import { counting } from '../helpers/counting-limiter.js';
import { startHarness, type OroHarness } from '../helpers/oro-harness.js';

describe('sink/toOro batch mode: async-operation polls go through the limiter (a proxy\'s rate limit counts them)', function () {
  let h: OroHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('every API request, polls included, took its turn on the limiter', async () => {
    h = await startHarness({ seed: 21 });
    const { limiter, acquired } = counting(createLimiter({ concurrency: 4 }));
    const outcomes = await lastValueFrom(
      from(Array.from({ length: 30 }, (_, i) => ({ value: { id: `P${i}`, name: `Customer ${i}` }, position: { seq: i, where: `#${i}` } }))).pipe(
        mapRecords({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name', externalId: 'id' } }),
        batchRecords({ size: 10, ms: 5 }),
        toOro({
          client: h.client,
          target: { type: 'customers', mode: 'batch', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' },
          limiter,
          poll: { intervalMs: 1, maxIntervalMs: 2, timeoutMs: 10_000 },
        }),
        toArray(),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'created')).to.have.length(30);
    const api = h.oro.requests.filter((r) => r.path !== '/oauth2-token');
    const polls = api.filter((r) => r.method === 'GET' && /\/asyncoperations\/[^/]+$/.test(r.path));
    expect(polls.length, 'the operations were polled').to.be.greaterThan(0);
    expect(acquired()).to.be.at.least(api.length);
  });

  it('a poll refused 429 with Retry-After pauses the limiter and lowers its learned rate, as a refused write does', async () => {
    h = await startHarness({ seed: 22 });
    const scheduler = instantScheduler();
    const pauses: PauseInfo[] = [];
    const rates: number[] = [];
    const limiter: Limiter = createLimiter({ concurrency: 4, scheduler, onPause: (p) => (pauses.push(p), rates.push(limiter.learnedRate)) });
    const real = h.client;
    let refusedPolls = 0;
    // The first poll of the first operation is answered 429, Retry-After: 2 s (as a proxy would).
    const client: OroClient = Object.assign(Object.create(real) as OroClient, {
      batch: async (...args: Parameters<OroClient['batch']>) => {
        const handle = await real.batch(...args);
        return Object.assign(Object.create(handle) as typeof handle, {
          settle: async (options: Parameters<typeof handle.settle>[0] = {}) => {
            if (refusedPolls === 0) {
              refusedPolls++;
              await options.beforePoll?.();
              throw new HttpError('GET', handle.url, 429, [], 2000);
            }
            return handle.settle(options);
          },
        });
      },
    });
    const outcomes = await lastValueFrom(
      from(Array.from({ length: 10 }, (_, i) => ({ value: { id: `R${i}`, name: `Customer ${i}` }, position: { seq: i, where: `#${i}` } }))).pipe(
        mapRecords({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name', externalId: 'id' } }),
        batchRecords({ size: 10, ms: 5 }),
        toOro({
          client,
          target: { type: 'customers', mode: 'batch', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' },
          limiter,
          scheduler,
          poll: { intervalMs: 1, maxIntervalMs: 2, timeoutMs: 10_000 },
        }),
        toArray(),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'created')).to.have.length(10);
    expect(refusedPolls).to.equal(1);
    expect(pauses.map((p) => p.ms)).to.deep.equal([2000]);
    expect(rates[0], 'the rate learned when the pause began').to.be.below(Infinity);
  });
});
