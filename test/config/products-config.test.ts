import { expect } from 'chai';
import { decodeConfig } from '../../src/config/config-codec.js';

const oro = { baseUrl: 'https://shop.example.com/admin/api', clientId: 'id', clientSecret: 'secret' };

/** The contract's product target (docs/architecture.md, "Products as Oro keeps them"). */
const productTarget = {
  type: 'products', mode: 'single', strategy: 'lookup',
  key: { source: 'sku', oro: 'sku' },
  attributes: { sku: 'sku', status: { value: 'enabled' } },
  relationships: {
    attributeFamily: { type: 'attributefamilies', id: '1' },
    inventory_status: { type: 'prodinventorystatuses', id: 'in_stock' },
  },
  names: { default: 'name' },
  unitPrecisions: [{ unit: 'unit', precision: 'precision', conversionRate: { value: 1 }, sell: { value: true } }],
};

function decode(target: unknown): ReturnType<typeof decodeConfig> {
  return decodeConfig({ oro, source: { kind: 'csv', path: 'products.csv' }, target });
}

function problems(target: unknown): readonly string[] {
  const result = decode(target);
  return 'problems' in result ? result.problems : [];
}

describe('config: the product target, constants and constant relationships', () => {
  it('decodes the contract\'s product example as written', () => {
    const result = decode(productTarget);
    if (!('config' in result)) throw new Error(result.problems.join('\n'));
    if (!('target' in result.config)) throw new Error('expected a config with a target');
    const { target } = result.config;
    expect(target.attributes).to.deep.equal({ sku: 'sku', status: { value: 'enabled' } });
    expect(target.relationships).to.deep.equal(productTarget.relationships);
    expect(target.names).to.deep.equal({ default: 'name' });
    expect(target.unitPrecisions).to.deep.equal(productTarget.unitPrecisions);
  });

  it('takes any JSON value as a constant, and says what a constant lacks', () => {
    const result = decode({ ...productTarget, attributes: { sku: 'sku', variantFields: { value: [] }, featured: { value: false } } });
    expect(result).to.have.nested.property('config.target.attributes.variantFields.value').that.deep.equals([]);
    expect(problems({ ...productTarget, attributes: { sku: 'sku', status: { values: 'enabled' } } })).to.deep.equal([
      'target.attributes.status.value: expected any JSON value, got nothing',
      'target.attributes.status.values: unknown key (did you mean "value"?)',
    ]);
  });

  it('names what is wrong in a unit precision, an empty list, and a relationship with neither source nor id', () => {
    expect(problems({ ...productTarget, unitPrecisions: [{ unit: 'unit', precison: 'p' }] })).to.deep.equal([
      'target.unitPrecisions.0.precison: unknown key (did you mean "precision"?)',
    ]);
    expect(problems({ ...productTarget, unitPrecisions: [{ precision: 'p' }] })).to.deep.equal([
      'target.unitPrecisions.0.unit: expected non-empty string, got nothing',
    ]);
    expect(problems({ ...productTarget, unitPrecisions: [] })).to.deep.equal([
      'target.unitPrecisions: expected array of unit precisions [{unit, precision?, conversionRate?, sell?}, ...] (at least one), got an array',
    ]);
    expect(problems({ ...productTarget, relationships: { attributeFamily: { type: 'attributefamilies' } } })).to.deep.equal([
      'target.relationships.attributeFamily.source: expected non-empty string, got nothing',
    ]);
    expect(problems({ ...productTarget, relationships: { attributeFamily: { type: 'attributefamilies', id: 1 } } })).to.deep.equal([
      'target.relationships.attributeFamily.id: expected non-empty string, got 1',
    ]);
  });

  it('refuses names and unitPrecisions on a type that is not products', () => {
    expect(problems({ ...productTarget, type: 'customers' })).to.deep.equal([
      'target.names: expected only with target.type "products" (a product\'s default name), got target.type "customers"',
      'target.unitPrecisions: expected only with target.type "products" (a product\'s unit precisions), got target.type "customers"',
    ]);
  });
});
