import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { toOro } from '../../src/sink/to-oro.js';
import { mapRecords, type Mapping } from '../../src/operators/map.js';
import { batchRecords } from '../../src/operators/batch.js';
import type { WriteMode } from '../../src/sink/options.js';
import { instantScheduler } from '../helpers/instant-scheduler.js';
import { startHarness, type OroHarness } from '../helpers/oro-harness.js';

type Row = { sku: string; name: string; unit: string };

const mapping: Mapping<Row> = {
  type: 'products',
  key: { source: 'sku', oro: 'sku' },
  attributes: { sku: 'sku' },
  relationships: { attributeFamily: { type: 'attributefamilies', id: '1' }, inventory_status: { type: 'prodinventorystatuses', id: 'in_stock' } },
  names: { default: 'name' },
  unitPrecisions: [{ unit: 'unit', precision: { value: 0 } }],
};

async function run(h: OroHarness, run: number, mode: WriteMode): Promise<void> {
  const records = [1, 2, 3].map((i) => ({ value: { sku: `P-${i}`, name: `Product ${i} (run ${run})`, unit: 'item' }, position: { seq: i - 1, where: `products.csv:${i + 1}` } }));
  await lastValueFrom(
    from(records).pipe(
      mapRecords(mapping),
      batchRecords({ size: 10, ms: 5 }),
      toOro({
        client: h.client,
        target: { type: 'products', mode, strategy: 'lookup', key: { oro: 'sku' }, conflict: 'source-wins' },
        retry: { retries: 2, baseMs: 1, maxMs: 5 },
        scheduler: instantScheduler(),
        poll: { intervalMs: 2, maxIntervalMs: 10, timeoutMs: 10_000 },
      }),
      toArray(),
    ),
  );
}

// Issue 25: every update of a product appended another default name and another `item` precision
// (after three runs a product had three of each).
describe('regression: a product update appended a second default name and a second unit precision', () => {
  let h: OroHarness;
  afterEach(async () => h?.close());

  for (const mode of ['single', 'batch', 'batch-sync'] as const) {
    it(`${mode}: three runs leave each product one default name (the last one) and one item precision`, async () => {
      h = await startHarness({ seed: 5, asyncStepMs: 1 });
      for (const n of [1, 2, 3]) await run(h, n, mode);
      const names = h.oro.records('productnames');
      expect(names.map((n) => n.attributes?.['string'])).to.have.members(['Product 1 (run 3)', 'Product 2 (run 3)', 'Product 3 (run 3)']);
      expect(h.oro.records('productunitprecisions')).to.have.length(3);
    });
  }
});
