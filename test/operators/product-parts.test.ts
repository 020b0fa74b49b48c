import { expect } from 'chai';
import { productBody as buildOrWhy, productPartsOf, type ProductParts, type ProductPartsMapping } from '../../src/operators/product-parts.js';
import type { BuiltBody, ExistingRecord } from '../../src/types/existing.js';
import type { ResourceObject } from '../../src/types/jsonapi.js';

const mapping: ProductPartsMapping = {
  names: { default: 'name' },
  unitPrecisions: [
    { unit: 'unit', precision: 'precision', conversionRate: { value: 1 }, sell: { value: true } },
    { unit: 'unit2', precision: 'precision2', conversionRate: 'rate2', sell: 'sell2' },
  ],
};

function partsOf(value: unknown): ProductParts {
  const result = productPartsOf(mapping, value, 'record "P-1" at products.csv:2');
  if ('problem' in result) throw new Error(`expected parts, got ${JSON.stringify(result.problem)}`);
  return result.parts;
}

function problemOf(value: unknown, m: ProductPartsMapping = mapping): { title: string; detail?: string; pointer?: string } {
  const result = productPartsOf(m, value, 'record "P-1" at products.csv:2');
  if (!('problem' in result)) throw new Error(`expected a problem, got ${JSON.stringify(result.parts)}`);
  return result.problem;
}

/** The built body (a test failure when the build says why not). */
function productBody(...args: Parameters<typeof buildOrWhy>): BuiltBody {
  const body = buildOrWhy(...args);
  if (typeof body === 'string') throw new Error(body);
  return body;
}

const product: ResourceObject = {
  type: 'products',
  attributes: { sku: 'P-1', status: 'enabled' },
  relationships: { attributeFamily: { data: { type: 'attributefamilies', id: '1' } } },
};

/** Product 7 as Oro answers it: a default and a localized name, `item` (primary) and `set`. */
function existing(): ExistingRecord {
  return {
    data: {
      type: 'products',
      id: '7',
      relationships: {
        names: { data: [{ type: 'productnames', id: '31' }, { type: 'productnames', id: '32' }] },
        unitPrecisions: { data: [{ type: 'productunitprecisions', id: '41' }, { type: 'productunitprecisions', id: '42' }] },
        primaryUnitPrecision: { data: { type: 'productunitprecisions', id: '41' } },
      },
    },
    included: [
      { type: 'productnames', id: '31', attributes: { string: 'Widget', fallback: null }, relationships: { localization: { data: null } } },
      { type: 'productnames', id: '32', attributes: { string: 'Widget (fr)', fallback: null }, relationships: { localization: { data: { type: 'localizations', id: '2' } } } },
      { type: 'productunitprecisions', id: '41', attributes: { precision: 0, conversionRate: 1, sell: true }, relationships: { unit: { data: { type: 'productunits', id: 'item' } } } },
      { type: 'productunitprecisions', id: '42', attributes: { precision: 0, conversionRate: 10, sell: true }, relationships: { unit: { data: { type: 'productunits', id: 'set' } } } },
    ],
  };
}

describe('operators/product-parts: a product\'s default name and unit precisions', () => {
  describe('productPartsOf', () => {
    it('maps the default name and one precision per unit, sending CSV text as the numbers and booleans Oro wants', () => {
      const parts = partsOf({ name: 'Widget', unit: 'item', precision: '3', unit2: 'set', precision2: ' 0 ', rate2: '12.5', sell2: 'false' });
      expect(parts).to.deep.equal({
        name: 'Widget',
        precisions: [
          { unit: 'item', attributes: { precision: 3, conversionRate: 1, sell: true } },
          { unit: 'set', attributes: { precision: 0, conversionRate: 12.5, sell: false } },
        ],
      });
    });

    it('leaves out a second unit whose cell is empty, and fields whose cells are empty', () => {
      const parts = partsOf({ name: 'Widget', unit: 'item', precision: '', unit2: '', precision2: '2' });
      expect(parts.precisions).to.deep.equal([{ unit: 'item', attributes: { conversionRate: 1, sell: true } }]);
    });

    it('has no name when the source has none (the names are then left alone), and keeps null', () => {
      expect(partsOf({ unit: 'item' })).to.not.have.property('name');
      expect(partsOf({ name: null, unit: 'item' }).name).to.equal(null);
    });

    it('refuses a record without the primary unit, naming the entry and the source field', () => {
      expect(problemOf({ name: 'Widget', unit: '' })).to.deep.equal({
        title: 'invalid record',
        detail: 'record "P-1" at products.csv:2: unitPrecisions[0].unit <- "unit" is empty: the primary unit precision needs a unit',
        pointer: '/unit',
      });
      expect(problemOf({ name: 'Widget' }).detail).to.contain('unitPrecisions[0].unit <- "unit" is missing');
    });

    it('refuses a precision that is not an integer, and a unit mapped twice', () => {
      expect(problemOf({ unit: 'item', precision: '2.5' })).to.deep.equal({
        title: 'invalid record',
        detail: 'record "P-1" at products.csv:2: unitPrecisions[0].precision <- "precision" expected an integer, got "2.5"',
        pointer: '/precision',
      });
      expect(problemOf({ unit: 'item', unit2: 'item' }).detail).to.contain('unitPrecisions[1].unit is "item" again: Oro keeps one precision per unit');
      expect(problemOf({ unit: 'item', unit2: 'set', sell2: 'maybe' }).detail).to.contain('unitPrecisions[1].sell <- "sell2" expected a boolean');
    });

    it('refuses a name that is not text', () => {
      expect(problemOf({ name: { en: 'x' }, unit: 'item' }).detail).to.contain('names.default <- "name" expected a string, got {"en":"x"}');
    });
  });

  describe('productBody: create', () => {
    it('creates the default name and the precisions as included items with temporary ids, the first primary', () => {
      const body = productBody(product, partsOf({ name: 'Widget', unit: 'item', precision: '0', unit2: 'set', precision2: '1' }), undefined);
      expect(body).to.deep.equal({
        resource: {
          ...product,
          relationships: {
            ...product.relationships,
            names: { data: [{ type: 'productnames', id: 'name-default' }] },
            unitPrecisions: { data: [{ type: 'productunitprecisions', id: 'precision-0' }, { type: 'productunitprecisions', id: 'precision-1' }] },
            primaryUnitPrecision: { data: { type: 'productunitprecisions', id: 'precision-0' } },
          },
        },
        included: [
          { type: 'productnames', id: 'name-default', attributes: { fallback: null, string: 'Widget' } },
          { type: 'productunitprecisions', id: 'precision-0', attributes: { precision: 0, conversionRate: 1, sell: true }, relationships: { unit: { data: { type: 'productunits', id: 'item' } } } },
          { type: 'productunitprecisions', id: 'precision-1', attributes: { precision: 1 }, relationships: { unit: { data: { type: 'productunits', id: 'set' } } } },
        ],
      });
    });
  });

  describe('productBody: update in place', () => {
    it('sends nothing of the names and precisions when Oro holds them as mapped', () => {
      const body = productBody(product, partsOf({ name: 'Widget', unit: 'item', precision: '0', unit2: 'set', precision2: '0', rate2: '10', sell2: '1' }), existing());
      expect(body).to.deep.equal({ resource: product });
    });

    it('changes the existing default name\'s value (same id), listing every name Oro holds so none is dropped', () => {
      const body = productBody(product, partsOf({ name: 'Widget 2', unit: 'item', precision: '0' }), existing());
      expect(body.included).to.deep.equal([{ type: 'productnames', id: '31', meta: { update: true }, attributes: { string: 'Widget 2' } }]);
      expect(body.resource.relationships?.['names']).to.deep.equal({ data: [{ type: 'productnames', id: '31' }, { type: 'productnames', id: '32' }] });
      expect(body.resource.relationships).to.not.have.property('unitPrecisions');
      expect(body.resource.relationships).to.not.have.property('primaryUnitPrecision');
    });

    it('changes an existing precision in place (same id), listing every precision; a new unit is created beside them', () => {
      const body = productBody(product, partsOf({ name: 'Widget', unit: 'item', precision: '2', unit2: 'kg', precision2: '3' }), existing());
      expect(body.included).to.deep.equal([
        { type: 'productunitprecisions', id: '41', meta: { update: true }, attributes: { precision: 2, conversionRate: 1, sell: true } },
        { type: 'productunitprecisions', id: 'precision-1', attributes: { precision: 3 }, relationships: { unit: { data: { type: 'productunits', id: 'kg' } } } },
      ]);
      expect(body.resource.relationships?.['unitPrecisions']).to.deep.equal({
        data: [
          { type: 'productunitprecisions', id: '41' },
          { type: 'productunitprecisions', id: '42' },
          { type: 'productunitprecisions', id: 'precision-1' },
        ],
      });
      expect(body.resource.relationships).to.not.have.property('names');
    });

    it('makes another existing unit primary by its id, without a second precision for it', () => {
      const body = productBody(product, partsOf({ unit: 'set', precision: '0', unit2: 'item', precision2: '0' }), existing());
      expect(body.resource.relationships?.['primaryUnitPrecision']).to.deep.equal({ data: { type: 'productunitprecisions', id: '42' } });
      expect(body.included).to.deep.equal([{ type: 'productunitprecisions', id: '42', meta: { update: true }, attributes: { precision: 0, conversionRate: 1, sell: true } }]);
    });

    it('compares numbers as numbers: Oro\'s "1.0000" is the mapped 1', () => {
      const copy = existing();
      const held = { ...copy, included: copy.included.map((item) => (item.id === '41' ? { ...item, attributes: { precision: 0, conversionRate: '1.0000', sell: true } } : item)) };
      expect(productBody(product, partsOf({ unit: 'item', precision: '0' }), held)).to.deep.equal({ resource: product });
    });

    it('creates a default name for a product that has none, beside its localized ones', () => {
      const copy = existing();
      const held = { ...copy, included: copy.included.filter((item) => item.id !== '31'), data: { ...copy.data, relationships: { ...copy.data.relationships, names: { data: [{ type: 'productnames', id: '32' }] } } } };
      const body = productBody(product, partsOf({ name: 'Widget', unit: 'item', precision: '0' }), held);
      expect(body.included).to.deep.equal([{ type: 'productnames', id: 'name-default', attributes: { fallback: null, string: 'Widget' } }]);
      expect(body.resource.relationships?.['names']).to.deep.equal({ data: [{ type: 'productnames', id: '32' }, { type: 'productnames', id: 'name-default' }] });
    });

    it('refuses to guess which name is the default when Oro\'s answer leaves out their localization', () => {
      const copy = existing();
      const held = { ...copy, included: copy.included.map((item) => (item.type === 'productnames' ? { type: item.type, id: item.id, attributes: item.attributes } : item)) };
      expect(buildOrWhy(product, partsOf({ name: 'Widget 2', unit: 'item' }), held)).to.equal(
        'Oro\'s answer for products 7 does not say whether productnames 31 is the default name (no "localization")',
      );
    });

    it('refuses to guess when Oro\'s answer lists a name it did not include', () => {
      const copy = existing();
      const body = buildOrWhy(product, partsOf({ name: 'Widget 2', unit: 'item' }), { ...copy, included: copy.included.filter((item) => item.id !== '32') });
      expect(body).to.equal('Oro\'s answer for products 7 lists productnames 32 in "names" without including it: cannot tell what it holds');
    });
  });
});
