import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { toOro } from '../../src/sink/to-oro.js';
import { mapRecords } from '../../src/operators/map.js';
import { batchRecords } from '../../src/operators/batch.js';
import { createLimiter, type AcquireOptions, type Limiter } from '../../src/oro/limiter.js';
import type { WriteMode } from '../../src/sink/options.js';
import { startHarness, type OroHarness } from '../helpers/oro-harness.js';

/** An 'auto' limiter that records what every request asked it for. */
function recordingLimiter(asked: AcquireOptions[]): Limiter {
  const limiter = createLimiter({ concurrency: 'auto' });
  return new Proxy(limiter, {
    get: (target, name) =>
      name === 'acquire' ? (options?: AcquireOptions) => (asked.push(options ?? {}), target.acquire(options)) : Reflect.get(target, name),
  });
}

describe('sink/toOro: each request tells the limiter its kind and its records', function () {
  this.timeout(10_000);
  let h: OroHarness;
  beforeEach(async () => {
    h = await startHarness({ seed: 1 });
  });
  afterEach(async () => h.close());

  const sync = async (mode: WriteMode, records: number): Promise<AcquireOptions[]> => {
    const asked: AcquireOptions[] = [];
    const steps = Array.from({ length: records }, (_, i) => ({ value: { id: `C${i}`, name: `Customer ${i}` }, position: { seq: i, where: `#${i}` } }));
    const outcomes = await lastValueFrom(
      from(steps).pipe(
        mapRecords({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name', externalId: 'id' } }),
        batchRecords({ size: records, ms: 1_000 }),
        toOro({ client: h.client, limiter: recordingLimiter(asked), target: { type: 'customers', mode, strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' } }),
        toArray(),
      ),
    );
    expect(outcomes.map((o) => o.status)).to.deep.equal(Array.from({ length: records }, () => 'created'));
    return asked;
  };

  it('batch-sync: the lookup as a read, the batch as a batch-sync write of its records', async () => {
    expect(await sync('batch-sync', 3)).to.deep.equal([
      { priority: 'high', kind: 'read' },
      { priority: 'normal', kind: 'batch-sync', records: 3 },
    ]);
  });

  it('single: one single write per record', async () => {
    const asked = await sync('single', 2);
    expect(asked.slice(1)).to.deep.equal([
      { priority: 'normal', kind: 'single' },
      { priority: 'normal', kind: 'single' },
    ]);
  });
});
