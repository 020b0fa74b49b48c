import { expect } from 'chai';
import type { OroClient } from '../../src/oro/types.js';
import { buildBatch, chunkItems, type BatchItem } from '../../src/sink/batch-document.js';
import { decideBuilt } from '../../src/sink/built-later.js';
import { createSinkContext } from '../../src/sink/context.js';
import type { Decision, Pending } from '../../src/sink/decide.js';
import { digestOf } from '../../src/sink/digest.js';
import type { SinkTarget } from '../../src/sink/options.js';
import { documentFor } from '../../src/sink/outcomes.js';
import { productLater, type ProductParts } from '../../src/operators/product-parts.js';
import type { ExistingRecord } from '../../src/types/existing.js';
import type { MappedRecord } from '../../src/types/outcome.js';

const client = {} as OroClient;
const target: SinkTarget = { type: 'products', mode: 'batch', strategy: 'lookup', key: { oro: 'sku' }, conflict: 'source-wins' };

const parts: ProductParts = { name: 'Widget 2', precisions: [{ unit: 'item', attributes: { precision: 2 } }] };

function pending(index: number, sku: string): Pending {
  const mapped: MappedRecord = { resource: { type: 'products', attributes: { sku } }, key: sku, later: productLater(parts, () => `record "${sku}"`) };
  return { index, record: { value: mapped, position: { seq: index, where: `#${index}` } }, mapped };
}

/** What Oro holds for product 7: its default name 31 and its item precision 41. */
const existing: ExistingRecord = {
  data: {
    type: 'products',
    id: '7',
    relationships: {
      names: { data: [{ type: 'productnames', id: '31' }] },
      unitPrecisions: { data: [{ type: 'productunitprecisions', id: '41' }] },
      primaryUnitPrecision: { data: { type: 'productunitprecisions', id: '41' } },
    },
  },
  included: [
    { type: 'productnames', id: '31', attributes: { string: 'Widget', fallback: null }, relationships: { localization: { data: null } } },
    { type: 'productunitprecisions', id: '41', attributes: { precision: 0 }, relationships: { unit: { data: { type: 'productunits', id: 'item' } } } },
  ],
};

describe('sink: records built from Oro\'s copy (MappedRecord.later)', () => {
  it('decideBuilt builds the create from nothing and the update from the record read, into the decision', () => {
    const create = decideBuilt(target, pending(0, 'P-1'), []);
    expect(create).to.have.property('action', 'create');
    expect(create).to.have.nested.property('body.included[0].id', 'name-default');
    const update = decideBuilt(target, pending(0, 'P-1'), [{ id: '7', record: existing }]);
    expect(update).to.deep.include({ action: 'update', id: '7' });
    expect(update).to.have.nested.property('body.included').that.deep.equals([
      { type: 'productnames', id: '31', meta: { update: true }, attributes: { string: 'Widget 2' } },
      { type: 'productunitprecisions', id: '41', meta: { update: true }, attributes: { precision: 2 } },
    ]);
  });

  it('decideBuilt rejects an update whose record was not read, and a build\'s problem', () => {
    expect(decideBuilt(target, pending(0, 'P-1'), [{ id: '7' }])).to.deep.equal({
      action: 'reject',
      errors: [{ title: 'internal error', detail: 'products 7 was not read before it was built' }],
    });
    const broken = { ...existing, included: [] };
    const decision = decideBuilt(target, pending(0, 'P-1'), [{ id: '7', record: broken }]);
    expect(decision).to.have.property('action', 'reject');
    expect(decision).to.have.nested.property('errors[0].title', 'unexpected answer');
  });

  it('a single write sends the built document', () => {
    const ctx = createSinkContext({ client, target: { ...target, mode: 'single' } });
    const p = pending(0, 'P-1');
    const document = documentFor(ctx, p, decideBuilt(target, p, [{ id: '7', record: existing }]));
    expect(document.data).to.deep.equal({
      type: 'products',
      id: '7',
      attributes: { sku: 'P-1' },
      relationships: {
        names: { data: [{ type: 'productnames', id: '31' }] },
        unitPrecisions: { data: [{ type: 'productunitprecisions', id: '41' }] },
      },
    });
    expect(document.included).to.have.length(2);
  });

  it('a batch keeps the Oro ids of included items updated in place and prefixes only temporary ids', () => {
    const ctx = createSinkContext({ client, target });
    const a = pending(0, 'P-1');
    const b = pending(1, 'P-2');
    const items: BatchItem[] = [
      { pending: a, decision: decideBuilt(target, a, [{ id: '7', record: existing }]) },
      { pending: b, decision: decideBuilt(target, b, []) },
    ];
    const { document, includedOwner } = buildBatch(ctx, items);
    expect(document.data[0]?.relationships?.['names']).to.deep.equal({ data: [{ type: 'productnames', id: '31' }] });
    expect(document.data[1]?.relationships?.['names']).to.deep.equal({ data: [{ type: 'productnames', id: 'r1-name-default' }] });
    expect(document.included?.map((i) => i.id)).to.deep.equal(['31', '41', 'r1-name-default', 'r1-precision-0']);
    expect(includedOwner).to.deep.equal([0, 0, 1, 1]);
    // The included count that splits sync batches is the built one.
    expect(chunkItems(items, 100, 3).map((chunk) => chunk.length)).to.deep.equal([1, 1]);
  });

  it('the digest covers the basis; a record without one digests as before', () => {
    const resource = { type: 'products', attributes: { sku: 'P-1' } };
    const plain = digestOf({ type: 'products', resource });
    expect(digestOf({ type: 'products', resource, basis: undefined })).to.equal(plain);
    const one = digestOf({ type: 'products', resource, basis: { name: 'Widget' } });
    expect(one).to.not.equal(plain);
    expect(digestOf({ type: 'products', resource, basis: { name: 'Widget 2' } })).to.not.equal(one);
  });

  it('a decision without a body sends the mapped record', () => {
    const ctx = createSinkContext({ client, target: { ...target, mode: 'single' } });
    const mapped: MappedRecord = { resource: { type: 'products', attributes: { sku: 'P-3' } }, key: 'P-3' };
    const plain: Pending = { index: 0, record: { value: mapped, position: { seq: 0, where: '#0' } }, mapped };
    const decision: Decision = { action: 'create' };
    expect(documentFor(ctx, plain, decision)).to.deep.equal({ data: { type: 'products', attributes: { sku: 'P-3' } } });
  });
});
