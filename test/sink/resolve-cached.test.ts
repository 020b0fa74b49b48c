import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { batchRecords } from '../../src/operators/batch.js';
import { mapRecords } from '../../src/operators/map.js';
import { createLimiter, type Limiter } from '../../src/oro/limiter.js';
import { createMemoryIdCache } from '../../src/sink/id-cache.js';
import { toOro } from '../../src/sink/to-oro.js';
import { counting } from '../helpers/counting-limiter.js';
import { startHarness, type OroHarness } from '../helpers/oro-harness.js';

describe('sink/toOro: deciding from the id cache takes no limiter slot', function () {
  let h: OroHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a batch whose ids are all cached takes one slot per write and none to decide', async () => {
    h = await startHarness({ seed: 31 });
    const ids = createMemoryIdCache();
    const write = async (suffix: string, limiter?: Limiter) =>
      lastValueFrom(
        from(Array.from({ length: 10 }, (_, i) => ({ value: { id: `C${i}`, name: `Customer ${i}${suffix}` }, position: { seq: i, where: `#${i}` } }))).pipe(
          mapRecords({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name', externalId: 'id' } }),
          batchRecords({ size: 10, ms: 5 }),
          toOro({
            client: h!.client,
            target: { type: 'customers', mode: 'single', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' },
            ids,
            ...(limiter ? { limiter } : {}),
          }),
          toArray(),
        ),
      );
    expect((await write('')).map((o) => o.status)).to.deep.equal(Array(10).fill('created'));
    const before = h.oro.requests.length;
    const { limiter, acquired } = counting(createLimiter({ concurrency: 4 }));
    const outcomes = await write(' (renamed)', limiter);
    expect(outcomes.map((o) => o.status)).to.deep.equal(Array(10).fill('updated'));
    const sent = h.oro.requests.slice(before).filter((r) => r.path !== '/oauth2-token');
    expect(sent.map((r) => r.method), 'only the PATCHes: the ids came from the cache').to.deep.equal(Array(10).fill('PATCH'));
    // Before, the batch's "decide" step took a read-lane slot even though it sent nothing.
    expect(acquired()).to.equal(10);
  });
});
