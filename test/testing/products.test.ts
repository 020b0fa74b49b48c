import { expect } from 'chai';
import { defineType, startFakeOro, type Family, type FakeOro } from '../../src/testing/index.js';
import { client, productDocument, tokenOf, waitForOperation } from './support.js';

type Client = ReturnType<typeof client>;
type ErrorBody = { errors: { title: string; detail?: string; source?: { pointer?: string } }[] };
const errorsOf = (body: ErrorBody) => body.errors.map((e) => [e.title, e.detail, e.source?.pointer]);

/** A stand-in for the inventory family: Oro's levels, which the products family creates and deletes with each precision. */
const levels: Family = {
  name: 'levels-for-tests',
  types: () => [
    defineType({
      name: 'inventorylevels',
      attributes: { quantity: { required: true } },
      relationships: { product: { target: 'products' }, productUnitPrecision: { target: 'productunitprecisions' }, organization: { target: 'organizations', defaultId: '1' } },
      actions: { create: false, delete: false },
    }),
  ],
};

const precisionRef = (id: string) => ({ type: 'productunitprecisions', id });
const nameRef = (id: string) => ({ type: 'productnames', id });

/** A product with a default name, a French name, `item` (primary) and `set`; its ids. */
async function richProduct(api: Client, sku: string): Promise<{ id: string; names: string[]; precisions: string[] }> {
  const doc = productDocument(sku, 'Widget');
  const res = await api.post('/products', {
    data: {
      ...doc.data,
      relationships: {
        ...doc.data.relationships,
        names: { data: [nameRef('name-1'), nameRef('name-fr')] },
        unitPrecisions: { data: [precisionRef('unit-1'), precisionRef('unit-2')] },
      },
    },
    included: [
      ...doc.included,
      { type: 'productnames', id: 'name-fr', attributes: { fallback: null, string: 'Widget (fr)' }, relationships: { localization: { data: { type: 'localizations', id: '1' } } } },
      { type: 'productunitprecisions', id: 'unit-2', attributes: { precision: 0, conversionRate: 10, sell: true }, relationships: { unit: { data: { type: 'productunits', id: 'set' } } } },
    ],
  });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  const rel = res.body.data.relationships;
  return { id: res.body.data.id, names: rel.names.data.map((r: { id: string }) => r.id), precisions: rel.unitPrecisions.data.map((r: { id: string }) => r.id) };
}

describe('fake Oro: products, their names and unit precisions as Oro keeps them', () => {
  let oro: FakeOro;
  let api: Client;
  beforeEach(async () => {
    oro = await startFakeOro({ families: [levels], asyncStepMs: 1 });
    api = client(oro, await tokenOf(oro));
  });
  afterEach(() => oro.close());

  it('gives a product Oro\'s defaults (disabled, simple, not featured, no new arrival, no variant fields) and a business unit owner', async () => {
    const res = await api.post('/products', productDocument('P-1'));
    expect(res.body.data.attributes).to.deep.include({ sku: 'P-1', status: 'disabled', productType: 'simple', featured: false, newArrival: false, variantFields: [] });
    expect(res.body.data.relationships.owner.data).to.deep.equal({ type: 'businessunits', id: '1' });
  });

  it('refuses a status or product type Oro does not know, a blank SKU in Oro\'s words, and a SKU under 3 characters', async () => {
    const doc = productDocument('P-1');
    const bad = await api.post('/products', { ...doc, data: { ...doc.data, attributes: { sku: 'P-1', status: 'on', productType: 'bundle' } } });
    expect(errorsOf(bad.body)).to.deep.equal([
      ['choice constraint', 'The value you selected is not a valid choice.', '/data/attributes/status'],
      ['choice constraint', 'The value you selected is not a valid choice.', '/data/attributes/productType'],
    ]);
    const blank = await api.post('/products', { ...doc, data: { ...doc.data, attributes: { sku: ' ' } } });
    expect(errorsOf(blank.body)).to.deep.equal([['not blank constraint', 'SKU should not be blank.', '/data/attributes/sku']]);
    const short = await api.post('/products', { ...doc, data: { ...doc.data, attributes: { sku: 'P1' } } });
    expect(errorsOf(short.body)).to.deep.equal([['length constraint', 'This value is too short. It should have 3 characters or more.', '/data/attributes/sku']]);
  });

  it('refuses a blank default name: "Product default name is blank" (ProductTest::testTryToCreateWithEmptyDefaultName)', async () => {
    const res = await api.post('/products', productDocument('P-1', ' '));
    expect(res.status).to.equal(400);
    expect(errorsOf(res.body)).to.deep.equal([['not blank default localized fallback value constraint', 'Product default name is blank', '/data/relationships/names/data']]);
    const doc = productDocument('P-2');
    const localizedOnly = await api.post('/products', {
      ...doc,
      included: [{ ...doc.included[0], relationships: { localization: { data: { type: 'localizations', id: '1' } } } }, doc.included[1]],
    });
    expect(errorsOf(localizedOnly.body)).to.deep.equal([['not blank default localized fallback value constraint', 'Product default name is blank', '/data/relationships/names/data']]);
  });

  it('refuses two precisions for one unit in a create (ProductTest::testTryToCreateWithDuplicateUnitPrecision), and a precision without a unit', async () => {
    const doc = productDocument('P-1');
    const twice = await api.post('/products', {
      data: { ...doc.data, relationships: { ...doc.data.relationships, unitPrecisions: { data: [precisionRef('unit-1'), precisionRef('unit-2')] } } },
      included: [...doc.included, { ...doc.included[1], id: 'unit-2' }],
    });
    expect(errorsOf(twice.body)).to.deep.equal([['form constraint', 'Unit precision "item" already exists for this product.', '/data/relationships/unitPrecisions/data']]);
    const unitless = await api.post('/products', { ...doc, included: [doc.included[0], { type: 'productunitprecisions', id: 'unit-1', attributes: { precision: 0 } }] });
    expect(errorsOf(unitless.body)).to.deep.include(['not blank constraint', 'Unit should not be blank.', '/included/1/relationships/unit/data']);
  });

  it('keeps a precision\'s digits from 0 to 10 and one precision per product and unit (ProductUnitPrecisionTest)', async () => {
    const { id } = await richProduct(api, 'P-1');
    const precision = (unit: string, digits: number) => ({
      data: { type: 'productunitprecisions', attributes: { precision: digits }, relationships: { product: { data: { type: 'products', id } }, unit: { data: { type: 'productunits', id: unit } } } },
    });
    const taken = await api.post('/productunitprecisions', precision('item', 0));
    expect(errorsOf(taken.body)).to.deep.equal([['unique entity constraint', 'This value is already used.', '/data/relationships/product/data']]);
    const wide = await api.post('/productunitprecisions', precision('kg', 11));
    expect(errorsOf(wide.body)).to.deep.equal([['range constraint', 'This value should be between 0 and 10.', '/data/attributes/precision']]);
    expect((await api.post('/productunitprecisions', precision('kg', 3))).status).to.equal(201);
  });

  it('changes an existing name and precision in place through included items with meta.update (same ids)', async () => {
    const product = await richProduct(api, 'P-1');
    const [defaultName] = product.names;
    const [item] = product.precisions;
    const res = await api.patch(`/products/${product.id}`, {
      data: {
        type: 'products', id: product.id,
        relationships: { names: { data: product.names.map(nameRef) }, unitPrecisions: { data: product.precisions.map(precisionRef) } },
      },
      included: [
        { type: 'productnames', id: defaultName, meta: { update: true }, attributes: { string: 'Widget 2' } },
        { type: 'productunitprecisions', id: item, meta: { update: true }, attributes: { precision: 2 } },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(oro.records('productnames').map((n) => [n.id, n.attributes?.['string']])).to.deep.equal([[product.names[0], 'Widget 2'], [product.names[1], 'Widget (fr)']]);
    expect(oro.records('productunitprecisions').map((p) => [p.id, p.attributes?.['precision']])).to.deep.equal([[item, 2], [product.precisions[1], 0]]);
  });

  it('refuses a new precision for a unit the product has (ProductTest::testTryToUpdateWithDuplicateExistingUnitPrecision)', async () => {
    const product = await richProduct(api, 'P-1');
    const res = await api.patch(`/products/${product.id}`, {
      data: { type: 'products', id: product.id, relationships: { unitPrecisions: { data: [...product.precisions.map(precisionRef), precisionRef('new-1')] } } },
      included: [{ type: 'productunitprecisions', id: 'new-1', attributes: { precision: 0 }, relationships: { unit: { data: { type: 'productunits', id: 'set' } } } }],
    });
    expect(errorsOf(res.body)).to.have.deep.members([
      ['form constraint', 'Unit precision "set" already exists for this product.', '/data/relationships/unitPrecisions/data'],
      ['unique entity constraint', 'This value is already used.', '/included/0/relationships/product/data'],
    ]);
  });

  it('replaces a collection that is sent: names and precisions left out are deleted, but never the primary precision', async () => {
    const product = await richProduct(api, 'P-1');
    const withoutPrimary = await api.patch(`/products/${product.id}`, {
      data: { type: 'products', id: product.id, relationships: { unitPrecisions: { data: [precisionRef(product.precisions[1]!)] } } },
    });
    expect(errorsOf(withoutPrimary.body)).to.deep.equal([
      ['primary product unit precision constraint', 'A primary product unit precision should be in the collection of product unit precisions.', '/data/relationships/unitPrecisions/data'],
    ]);
    const res = await api.patch(`/products/${product.id}`, {
      data: { type: 'products', id: product.id, relationships: { names: { data: [nameRef(product.names[0]!)] }, unitPrecisions: { data: [precisionRef(product.precisions[0]!)] } } },
    });
    expect(res.status).to.equal(200);
    expect(oro.records('productnames').map((n) => n.id)).to.deep.equal([product.names[0]]);
    expect(oro.records('productunitprecisions').map((p) => p.id)).to.deep.equal([product.precisions[0]]);
    expect(oro.records('inventorylevels')).to.have.length(1);
  });

  it('keeps a second default name, as Oro 4.2 to 7.0 does (the first one counts: FallbackTrait only logs it)', async () => {
    const product = await richProduct(api, 'P-1');
    const res = await api.patch(`/products/${product.id}`, {
      data: { type: 'products', id: product.id, relationships: { names: { data: [...product.names.map(nameRef), nameRef('again')] } } },
      included: [{ type: 'productnames', id: 'again', attributes: { fallback: null, string: 'Widget again' } }],
    });
    expect(res.status).to.equal(200);
    const defaults = oro.records('productnames').filter((n) => n.relationships?.['localization']?.data === null);
    expect(defaults.map((n) => n.attributes?.['string'])).to.deep.equal(['Widget', 'Widget again']);
  });

  it('creates an inventory level (quantity "0") with each precision and deletes it with it, and with the product', async () => {
    const product = await richProduct(api, 'P-1');
    const levelsNow = oro.records('inventorylevels');
    expect(levelsNow.map((l) => [l.attributes?.['quantity'], l.relationships?.['product']?.data, l.relationships?.['productUnitPrecision']?.data])).to.deep.equal([
      ['0', { type: 'products', id: product.id }, precisionRef(product.precisions[0]!)],
      ['0', { type: 'products', id: product.id }, precisionRef(product.precisions[1]!)],
    ]);
    expect((await api.delete(`/productunitprecisions/${product.precisions[1]}`)).status).to.equal(204);
    expect(oro.records('inventorylevels')).to.have.length(1);
    expect((await api.delete(`/products/${product.id}`)).status).to.equal(204);
    expect(oro.records('productnames')).to.deep.equal([]);
    expect(oro.records('productunitprecisions')).to.deep.equal([]);
    expect(oro.records('inventorylevels')).to.deep.equal([]);
  });

  it('makes the primary precision sell at conversion rate 1, as Product::setPrimaryUnitPrecision does', async () => {
    const doc = productDocument('P-1');
    const res = await api.post('/products', { ...doc, included: [doc.included[0], { ...doc.included[1], attributes: { precision: 0, conversionRate: 5, sell: false } }] });
    expect(res.status).to.equal(201);
    expect(oro.records('productunitprecisions')[0]?.attributes).to.deep.include({ conversionRate: 1, sell: true });
  });

  it('takes the same in-place update in a Batch API record, the product listing the names and precisions', async () => {
    const product = await richProduct(api, 'P-1');
    const res = await api.raw('PATCH', '/products', {
      body: {
        data: [{ type: 'products', id: product.id, meta: { update: true }, relationships: { names: { data: product.names.map(nameRef) } } }],
        included: [{ type: 'productnames', id: product.names[0], meta: { update: true }, attributes: { string: 'Widget 3' } }],
      },
    });
    expect(res.status).to.equal(202);
    const done = await waitForOperation(oro, await tokenOf(oro), res.body.data.id);
    expect(done.body.data.attributes.summary).to.include({ errorCount: 0 });
    expect(oro.records('productnames').map((n) => n.attributes?.['string'])).to.deep.equal(['Widget 3', 'Widget (fr)']);
  });
});
