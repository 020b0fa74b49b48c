/**
 * Products through the CLI (docs/architecture.md, "Products as Oro keeps them"): a CSV export of
 * 30 products created declaratively, then 3 renamed and one precision changed: only those 4 are
 * written, and every product holds one default name and one precision per unit, read back from
 * the fake Oro.
 */
import { expect } from 'chai';
import { runCli, summaries, useFakeOroWorkspace } from '../helpers/cli.js';

type Row = readonly [sku: string, name: string, unit: string, precision: string];

describe('e2e: products created and changed in place from a CSV export', function () {
  this.timeout(60_000);
  const t = useFakeOroWorkspace();

  const csv = (rows: readonly Row[]) => `sku,name,unit,precision\n${rows.map((row) => row.join(',')).join('\n')}\n`;
  const rows: Row[] = Array.from({ length: 30 }, (_, i) => [`SKU-${String(i + 1).padStart(3, '0')}`, `Product ${i + 1}`, i % 3 === 0 ? 'kg' : 'item', i % 3 === 0 ? '3' : '0']);

  /** The contract's product target, reading `products.csv`. */
  const productConfig = (mode: string) =>
    t.ws.config('products', t.oro, {
      source: { kind: 'csv', path: 'products.csv' },
      target: {
        type: 'products', mode, strategy: 'lookup',
        key: { source: 'sku', oro: 'sku' },
        attributes: { sku: 'sku', status: { value: 'enabled' } },
        relationships: {
          attributeFamily: { type: 'attributefamilies', id: '1' },
          inventory_status: { type: 'prodinventorystatuses', id: 'in_stock' },
        },
        names: { default: 'name' },
        unitPrecisions: [{ unit: 'unit', precision: 'precision', conversionRate: { value: 1 }, sell: { value: true } }],
      },
    });

  /** Per SKU: its default names and its `unit:precision`s, as the fake holds them. */
  function heldBySku(): Map<string, { names: unknown[]; units: string[] }> {
    const { oro } = t;
    const sku = new Map(oro.records('products').map((p) => [p.id, String(p.attributes?.['sku'])]));
    const out = new Map([...sku.values()].map((s) => [s, { names: [] as unknown[], units: [] as string[] }]));
    const owner = (r: { relationships?: Record<string, { data: unknown }> }) => out.get(sku.get((r.relationships?.['product']?.data as { id: string }).id) ?? '');
    for (const name of oro.records('productnames')) if (name.relationships?.['localization']?.data === null) owner(name)?.names.push(name.attributes?.['string']);
    for (const p of oro.records('productunitprecisions')) owner(p)?.units.push(`${(p.relationships?.['unit']?.data as { id: string }).id}:${p.attributes?.['precision']}`);
    return out;
  }

  for (const mode of ['single', 'batch'] as const) {
    it(`${mode}: 30 created, then 3 renamed and 1 precision changed: those 4 written, one default name and one precision per unit each`, async () => {
      const { oro, ws, env } = t;
      ws.write('products.csv', csv(rows));
      const config = productConfig(mode);
      const first = await runCli(['run', '--once', config], { env });
      expect(first.code, first.stderr).to.equal(0);
      expect(summaries(first.stdout)).to.deep.equal([{ created: 30, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 }]);
      expect(oro.records('products').map((p) => p.attributes?.['status'])).to.deep.equal(Array(30).fill('enabled'));
      expect(heldBySku().get('SKU-001')).to.deep.equal({ names: ['Product 1'], units: ['kg:3'] });

      const next = rows.map((row): Row => {
        if (['SKU-002', 'SKU-010', 'SKU-020'].includes(row[0])) return [row[0], `${row[1]} (new name)`, row[2], row[3]];
        if (row[0] === 'SKU-004') return [row[0], row[1], row[2], '2'];
        return row;
      });
      ws.write('products.csv', csv(next));
      const ids = new Map([...oro.records('productnames'), ...oro.records('productunitprecisions')].map((r) => [`${r.type}:${r.id}`, r.id]));
      oro.resetLog();
      const second = await runCli(['run', '--once', '--from-start', config], { env });
      expect(second.code, second.stderr).to.equal(0);
      expect(second.stdout).to.match(/^done: created 0, updated 4, unchanged 26, skipped 0, rejected 0, failed 0 in [\d.]+ s$/m);
      const writes = oro.requests.filter((r) => r.path.startsWith('/admin/api/') && (r.method === 'POST' || r.method === 'PATCH'));
      expect(writes.length).to.equal(mode === 'single' ? 4 : 1);

      const held = heldBySku();
      expect(held.size).to.equal(30);
      for (const [sku, product] of held) {
        expect(product.names, sku).to.have.length(1);
        expect(product.units, sku).to.have.length(1);
      }
      expect(held.get('SKU-002')?.names).to.deep.equal(['Product 2 (new name)']);
      expect(held.get('SKU-004')?.units).to.deep.equal(['kg:2']);
      // Changed in place: no name or precision was created, none removed.
      expect([...oro.records('productnames'), ...oro.records('productunitprecisions')].map((r) => `${r.type}:${r.id}`)).to.have.members([...ids.keys()]);
    });
  }

  it('a transform (record, { existing }) is told create, then update with the product read: it renames in place', async () => {
    const { oro, ws, env } = t;
    ws.write('transform.mjs', `
export default (row, { action, existing }) => {
  if (action === 'create') {
    return {
      resource: { type: 'products', attributes: { sku: row.sku, status: 'enabled' }, relationships: {
        names: { data: [{ type: 'productnames', id: 'n' }] },
        attributeFamily: { data: { type: 'attributefamilies', id: '1' } },
        inventory_status: { data: { type: 'prodinventorystatuses', id: 'in_stock' } },
        primaryUnitPrecision: { data: { type: 'productunitprecisions', id: 'u' } },
        unitPrecisions: { data: [{ type: 'productunitprecisions', id: 'u' }] } } },
      included: [
        { type: 'productnames', id: 'n', attributes: { fallback: null, string: row.name } },
        { type: 'productunitprecisions', id: 'u', attributes: { precision: Number(row.precision) }, relationships: { unit: { data: { type: 'productunits', id: row.unit } } } }],
    };
  }
  const name = existing.included.find((r) => r.type === 'productnames' && !r.relationships.localization.data);
  return {
    resource: { type: 'products', attributes: { sku: row.sku }, relationships: { names: existing.data.relationships.names } },
    included: [{ type: 'productnames', id: name.id, meta: { update: true }, attributes: { string: row.name + ' (' + action + ')' } }],
  };
};
`);
    ws.write('products.csv', csv(rows.slice(0, 3)));
    const config = t.ws.config('products', oro, {
      source: { kind: 'csv', path: 'products.csv' },
      target: { type: 'products', mode: 'batch', strategy: 'lookup', key: { source: 'sku', oro: 'sku' }, relationships: {}, transform: './transform.mjs' },
    });
    const first = await runCli(['run', '--once', config], { env });
    expect(first.code, first.stderr).to.equal(0);
    expect(summaries(first.stdout)).to.deep.equal([{ created: 3, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 }]);
    ws.write('products.csv', csv(rows.slice(0, 3).map((row): Row => (row[0] === 'SKU-002' ? [row[0], 'Renamed', row[2], row[3]] : row))));
    const second = await runCli(['run', '--once', config], { env });
    expect(second.code, second.stderr).to.equal(0);
    expect(summaries(second.stdout)).to.deep.equal([{ created: 0, updated: 1, unchanged: 2, skipped: 0, rejected: 0, failed: 0 }]);
    expect(heldBySku().get('SKU-002')?.names).to.deep.equal(['Renamed (update)']);
    expect(oro.records('productnames')).to.have.length(3);
  });

  it('a precision that is not a number in the CSV is a dead letter naming the column; Oro\'s refusal one with Oro\'s words', async () => {
    const { ws, env } = t;
    ws.write('products.csv', csv([['SKU-1', 'One', 'item', 'three'], ['SKU-2', 'Two', 'item', '11'], ['SKU-3', 'Three', 'item', '0']]));
    const result = await runCli(['run', '--once', productConfig('single')], { env });
    expect(result.code).to.equal(1);
    expect(summaries(result.stdout)).to.deep.equal([{ created: 1, updated: 0, unchanged: 0, skipped: 0, rejected: 2, failed: 0 }]);
    const letters = ws.deadLetters().map((l) => (l['errors'] as { title: string; detail: string }[])[0]);
    expect(letters).to.deep.include({
      title: 'invalid record',
      detail: `record "SKU-1" at ${ws.path('products.csv')}:2: unitPrecisions[0].precision <- "precision" expected an integer, got "three"`,
      pointer: '/precision',
    });
    expect(letters).to.deep.include({ status: '400', title: 'range constraint', detail: 'This value should be between 0 and 10.', pointer: '/included/1/attributes/precision' });
  });
});
