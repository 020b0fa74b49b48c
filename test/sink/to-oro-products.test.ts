import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { toOro } from '../../src/sink/to-oro.js';
import { mapRecords, type Mapping, type TransformContext } from '../../src/operators/map.js';
import { batchRecords } from '../../src/operators/batch.js';
import { createMemoryDigestStore, type DigestStore } from '../../src/sink/digest-store.js';
import type { Outcome, SourceRecord } from '../../src/types/index.js';
import type { WriteMode } from '../../src/sink/options.js';
import type { ResourceObject } from '../../src/types/jsonapi.js';
import { instantScheduler } from '../helpers/instant-scheduler.js';
import { startHarness, type OroHarness } from '../helpers/oro-harness.js';

type Row = { sku: string; name: string; unit: string; precision: string; unit2?: string; precision2?: string };

/** The contract's product mapping, with an optional second unit. */
const mapping: Mapping<Row> = {
  type: 'products',
  key: { source: 'sku', oro: 'sku' },
  attributes: { sku: 'sku', status: { value: 'enabled' } },
  relationships: {
    attributeFamily: { type: 'attributefamilies', id: '1' },
    inventory_status: { type: 'prodinventorystatuses', id: 'in_stock' },
  },
  names: { default: 'name' },
  unitPrecisions: [
    { unit: 'unit', precision: 'precision', conversionRate: { value: 1 }, sell: { value: true } },
    { unit: 'unit2', precision: 'precision2' },
  ],
};

function rows(n: number, change: (row: Row) => Row = (row) => row): SourceRecord<Row>[] {
  return Array.from({ length: n }, (_, i) => ({
    value: change({ sku: `SKU-${i + 1}`, name: `Product ${i + 1}`, unit: 'item', precision: '0' }),
    position: { seq: i, where: `products.csv:${i + 2}` },
  }));
}

async function sync<A>(h: OroHarness, records: SourceRecord<A>[], mode: WriteMode, m: Mapping<A>, digests?: DigestStore): Promise<Outcome[]> {
  return lastValueFrom(
    from(records).pipe(
      mapRecords(m),
      batchRecords({ size: 10, ms: 5 }),
      toOro({
        client: h.client,
        target: { type: 'products', mode, strategy: 'lookup', key: { oro: 'sku' }, conflict: 'source-wins' },
        concurrency: 2,
        retry: { retries: 5, baseMs: 1, maxMs: 5 },
        scheduler: instantScheduler(),
        poll: { intervalMs: 2, maxIntervalMs: 10, timeoutMs: 10_000 },
        ...(digests ? { digests } : {}),
      }),
      toArray(),
    ),
  );
}

const counts = (outcomes: Outcome[]) => outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o.status]: (acc[o.status] ?? 0) + 1 }), {});

/** What the fake holds for each product: its default names and its units, in order. */
function held(h: OroHarness): Map<string, { names: string[]; units: string[]; nameIds: string[]; precisionIds: string[] }> {
  const byProduct = new Map<string, { names: string[]; units: string[]; nameIds: string[]; precisionIds: string[] }>();
  const sku = new Map(h.oro.records('products').map((p) => [p.id, String(p.attributes?.['sku'])]));
  for (const id of sku.values()) byProduct.set(id, { names: [], units: [], nameIds: [], precisionIds: [] });
  const productOf = (r: ResourceObject) => sku.get((r.relationships?.['product']?.data as { id: string }).id) as string;
  for (const name of h.oro.records('productnames')) {
    if (name.relationships?.['localization']?.data !== null) continue;
    byProduct.get(productOf(name))?.names.push(String(name.attributes?.['string']));
    byProduct.get(productOf(name))?.nameIds.push(name.id);
  }
  for (const precision of h.oro.records('productunitprecisions')) {
    byProduct.get(productOf(precision))?.units.push(`${(precision.relationships?.['unit']?.data as { id: string }).id}:${precision.attributes?.['precision']}`);
    byProduct.get(productOf(precision))?.precisionIds.push(precision.id);
  }
  return byProduct;
}

describe('sink/toOro: products as Oro keeps them (one default name, one precision per unit)', function () {
  this.timeout(30_000);
  let h: OroHarness;
  afterEach(async () => h?.close());

  for (const mode of ['single', 'batch', 'batch-sync'] as const) {
    it(`${mode}: creates products with their name and precision, then changes them in place, writing only what changed`, async () => {
      h = await startHarness({ seed: 3, asyncStepMs: 1 });
      const digests = createMemoryDigestStore();
      const first = await sync(h, rows(12), mode, mapping, digests);
      expect(counts(first)).to.deep.equal({ created: 12 });
      const before = held(h);
      expect(before.get('SKU-1')).to.deep.include({ names: ['Product 1'], units: ['item:0'] });

      const changed = rows(12, (row) => {
        if (row.sku === 'SKU-2' || row.sku === 'SKU-3') return { ...row, name: `${row.name} renamed` };
        if (row.sku === 'SKU-4') return { ...row, precision: '2' };
        if (row.sku === 'SKU-5') return { ...row, unit2: 'set', precision2: '1' };
        return row;
      });
      h.oro.resetLog();
      const second = await sync(h, changed, mode, mapping, digests);
      expect(counts(second)).to.deep.equal({ unchanged: 8, updated: 4 });
      const writes = h.oro.requests.filter((r) => r.method === 'PATCH' || r.method === 'POST');
      // The changed products are read with their names and precisions, in one read (then, in
      // batch mode, read back by key once the operation is done).
      const reads = h.oro.requests.filter((r) => r.method === 'GET' && r.path === '/admin/api/products').map((r) => decodeURIComponent(r.query));
      expect(reads.length).to.equal(mode === 'batch' ? 2 : 1);
      expect(reads[0]).to.contain('filter[sku]=SKU-2,SKU-3,SKU-4,SKU-5').and.to.contain('include=names,unitPrecisions');
      if (mode === 'single') expect(writes.map((r) => r.path.replace(/\d+$/, 'N'))).to.deep.equal(Array(4).fill('/admin/api/products/N'));
      else expect(writes.length).to.equal(1);

      const after = held(h);
      for (const [sku, product] of after) {
        expect(product.names, sku).to.have.length(1);
        expect(new Set(product.units.map((u) => u.split(':')[0])).size, sku).to.equal(product.units.length);
        // In place: the name and the item precision keep their ids.
        expect(product.nameIds, sku).to.deep.equal(before.get(sku)?.nameIds);
        expect(product.precisionIds[0], sku).to.equal(before.get(sku)?.precisionIds[0]);
      }
      expect(after.get('SKU-2')?.names).to.deep.equal(['Product 2 renamed']);
      expect(after.get('SKU-4')?.units).to.deep.equal(['item:2']);
      expect(after.get('SKU-5')?.units).to.deep.equal(['item:0', 'set:1']);

      // A third run of the same source writes nothing; a full resend still adds nothing.
      const third = await sync(h, changed, mode, mapping, digests);
      expect(counts(third)).to.deep.equal({ unchanged: 12 });
      await sync(h, changed, mode, mapping);
      expect([...held(h).values()].every((p) => p.names.length === 1)).to.equal(true);
      expect(h.oro.records('productunitprecisions')).to.have.length(13);
    });
  }

  it('keeps the localized names and the units the source does not map', async () => {
    h = await startHarness({ seed: 3 });
    await sync(h, rows(1, (row) => ({ ...row, unit2: 'set', precision2: '0' })), 'single', mapping);
    const [product] = h.oro.records('products');
    h.oro.seed('productnames', { string: 'Produit 1', fallback: null }, { product: { data: { type: 'products', id: product!.id } }, localization: { data: { type: 'localizations', id: '1' } } });
    await sync(h, rows(1, (row) => ({ ...row, name: 'Renamed' })), 'batch-sync', mapping);
    expect(h.oro.records('productnames').map((n) => n.attributes?.['string'])).to.deep.equal(['Renamed', 'Produit 1']);
    expect(held(h).get('SKU-1')?.units).to.deep.equal(['item:0', 'set:0']);
  });

  it('a precision Oro refuses is the record\'s dead letter with Oro\'s words', async () => {
    h = await startHarness({ seed: 3 });
    const outcomes = await sync(h, rows(2, (row) => (row.sku === 'SKU-2' ? { ...row, precision: '11' } : row)), 'single', mapping);
    expect(counts(outcomes)).to.deep.equal({ created: 1, rejected: 1 });
    const rejected = outcomes.find((o) => o.status === 'rejected');
    expect(rejected && 'errors' in rejected ? rejected.errors[0] : undefined).to.deep.include({ title: 'range constraint', detail: 'This value should be between 0 and 10.' });
  });

  it('tells a transform that declares a second parameter whether it creates or updates, with the product read', async () => {
    h = await startHarness({ seed: 3 });
    const told: { action: string; names: number }[] = [];
    const transform = (row: Row, { action, existing }: TransformContext) => {
      told.push({ action, names: existing?.included.filter((i) => i.type === 'productnames').length ?? 0 });
      const nameId = existing?.included.find((i) => i.type === 'productnames')?.id;
      if (nameId === undefined) throw new Error('expected the product to exist');
      return {
        resource: { type: 'products', attributes: { sku: row.sku }, relationships: { names: { data: [{ type: 'productnames', id: nameId }] } } },
        included: [{ type: 'productnames', id: nameId, meta: { update: true }, attributes: { string: row.name } }],
      };
    };
    await sync(h, rows(1), 'single', mapping);
    await sync(h, rows(1, (row) => ({ ...row, name: 'From the transform' })), 'batch', { type: 'products', key: { source: 'sku', oro: 'sku' }, transform });
    expect(told).to.deep.equal([{ action: 'update', names: 1 }]);
    expect(held(h).get('SKU-1')?.names).to.deep.equal(['From the transform']);
  });
});
