import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { mapRecords, type Mapping, type TransformContext } from '../../src/operators/map.js';
import type { MappedRecord, Rejected, Step } from '../../src/types/outcome.js';
import type { ExistingRecord } from '../../src/types/existing.js';
import { rec } from './helpers.js';

type Row = Record<string, unknown>;

/** The contract's product example (docs/architecture.md, "Products as Oro keeps them"). */
const products: Mapping<Row> = {
  type: 'products',
  key: { source: 'sku', oro: 'sku' },
  attributes: { sku: 'sku', status: { value: 'enabled' }, featured: 'featured' },
  relationships: {
    attributeFamily: { type: 'attributefamilies', id: '1' },
    inventory_status: { type: 'prodinventorystatuses', id: 'in_stock' },
  },
  names: { default: 'name' },
  unitPrecisions: [{ unit: 'unit', precision: 'precision', conversionRate: { value: 1 }, sell: { value: true } }],
};

async function mapOne<A>(m: Mapping<A>, value: A): Promise<Step<MappedRecord>> {
  const [out] = await lastValueFrom(from([rec(value, 1)]).pipe(mapRecords(m), toArray()));
  return out!;
}

function valueOf(step: Step<MappedRecord>): MappedRecord {
  if ('status' in step) throw new Error(`expected a mapped record, got ${JSON.stringify(step)}`);
  return step.value;
}

describe('operators/mapRecords: constants, Oro\'s field types, products and transforms told Oro\'s record', () => {
  it('writes constants as they are: {"value"} attributes and {"type","id"} relationships', async () => {
    const mapped = valueOf(await mapOne(products, { sku: 'P-1', name: 'Widget', unit: 'item', precision: '0' }));
    expect(mapped.resource).to.deep.equal({
      type: 'products',
      attributes: { sku: 'P-1', status: 'enabled' },
      relationships: {
        attributeFamily: { data: { type: 'attributefamilies', id: '1' } },
        inventory_status: { data: { type: 'prodinventorystatuses', id: 'in_stock' } },
      },
    });
  });

  it('sends a CSV\'s text as the boolean Oro types a product\'s featured as, and refuses text that is none', async () => {
    const yes = valueOf(await mapOne(products, { sku: 'P-1', featured: 'true', unit: 'item' }));
    expect(yes.resource.attributes).to.deep.equal({ sku: 'P-1', status: 'enabled', featured: true });
    const empty = valueOf(await mapOne(products, { sku: 'P-1', featured: '', unit: 'item' }));
    expect(empty.resource.attributes).to.not.have.property('featured');
    const bad = await mapOne(products, { sku: 'P-1', featured: 'sometimes', unit: 'item' });
    expect((bad as Rejected).errors[0]).to.deep.equal({
      title: 'invalid record',
      detail: 'record "P-1" at input.ndjson:2: attribute "featured" <- "featured" expected a boolean (true, false, 1 or 0), got "sometimes"',
      pointer: '/featured',
    });
  });

  it('leaves the text of a type whose fields it does not know as it is', async () => {
    const mapped = valueOf(await mapOne({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { featured: 'f' } }, { id: '1', f: 'true' }));
    expect(mapped.resource.attributes).to.deep.equal({ featured: 'true' });
  });

  it('carries names and unit precisions for the sink to build once it has read the product; the digest basis is their content', async () => {
    const mapped = valueOf(await mapOne(products, { sku: 'P-1', name: 'Widget', unit: 'item', precision: '3' }));
    expect(mapped.later?.basis).to.deep.equal({ name: 'Widget', precisions: [{ unit: 'item', attributes: { precision: 3, conversionRate: 1, sell: true } }] });
    expect(mapped.later?.read.include).to.deep.equal(['names', 'unitPrecisions']);
    const body = mapped.later?.build(mapped.resource, undefined);
    expect(body).to.have.nested.property('resource.relationships.primaryUnitPrecision.data.id', 'precision-0');
  });

  it('rejects a record whose product parts cannot be mapped, naming the entry', async () => {
    const out = await mapOne(products, { sku: 'P-1', name: 'Widget', unit: 'item', precision: 'three' });
    expect((out as Rejected).errors[0]?.detail).to.equal('record "P-1" at input.ndjson:2: unitPrecisions[0].precision <- "precision" expected an integer, got "three"');
  });

  it('calls a transform that declares one parameter as the record is mapped', async () => {
    const mapped = valueOf(await mapOne({ type: 'customers', key: { source: 'id', oro: 'externalId' }, transform: (r: Row) => ({ type: 'customers', attributes: { name: r['name'] as string } }) }, { id: '1', name: 'Acme' }));
    expect(mapped.resource).to.deep.equal({ type: 'customers', attributes: { name: 'Acme' } });
    expect(mapped).to.not.have.property('later');
  });

  it('calls a transform that declares a second parameter later, telling it create or update and Oro\'s record', async () => {
    const told: TransformContext[] = [];
    const transform = (r: Row, context: TransformContext) => {
      told.push(context);
      if (r['fail']) throw new Error('no name');
      const nameId = context.existing?.data.relationships?.['names']?.data;
      return { type: 'products', attributes: { sku: r['sku'] as string, nameIds: JSON.stringify(nameId ?? null) } };
    };
    const mapped = valueOf(await mapOne({ type: 'products', key: { source: 'sku', oro: 'sku' }, transform }, { sku: 'P-1' }));
    expect(told).to.deep.equal([]);
    expect(mapped.resource).to.deep.equal({ type: 'products' });
    expect(mapped.later?.basis).to.deep.equal({ sku: 'P-1' });
    expect(mapped.later?.read).to.deep.equal({ include: ['names', 'unitPrecisions'] });

    expect(mapped.later?.build(mapped.resource, undefined)).to.deep.equal({ resource: { type: 'products', attributes: { sku: 'P-1', nameIds: 'null' } } });
    const existing: ExistingRecord = { data: { type: 'products', id: '7', relationships: { names: { data: [{ type: 'productnames', id: '31' }] } } }, included: [] };
    expect(mapped.later?.build(mapped.resource, existing)).to.deep.equal({ resource: { type: 'products', attributes: { sku: 'P-1', nameIds: '[{"type":"productnames","id":"31"}]' } } });
    expect(told).to.deep.equal([{ action: 'create', existing: undefined }, { action: 'update', existing }]);

    const failing = valueOf(await mapOne({ type: 'products', key: { source: 'sku', oro: 'sku' }, transform }, { sku: 'P-2', fail: true }));
    expect(failing.later?.build(failing.resource, undefined)).to.deep.equal({
      problem: { title: 'transform failed', detail: 'record "P-2" at input.ndjson:2: transform threw: no name' },
    });
  });
});
