import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { client, tokenOf } from './support.js';

type Api = ReturnType<typeof client>;
const T0 = Date.parse('2026-03-02T10:00:00Z');
const iso = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const ids = (body: { data: { id: string }[] }): string[] => body.data.map((r) => r.id);

describe('fake Oro: orders and order line items', () => {
  let oro: FakeOro;
  let api: Api;
  const clock = { now: T0 };

  beforeEach(async () => {
    clock.now = T0;
    oro = await startFakeOro({ now: () => clock.now });
    api = client(oro, await tokenOf(oro));
  });
  afterEach(() => oro.close());

  /** An order with line items, created through the API as a storefront checkout would. */
  const createOrder = (attributes: Record<string, unknown> = {}, items = 2) =>
    api.post('/orders', {
      data: {
        type: 'orders',
        attributes: { poNumber: 'PO-1', ...attributes },
        relationships: { lineItems: { data: Array.from({ length: items }, (_, i) => ({ type: 'orderlineitems', id: `li${i}` })) } },
      },
      included: Array.from({ length: items }, (_, i) => ({
        type: 'orderlineitems',
        id: `li${i}`,
        attributes: { productSku: `SKU-${i}`, quantity: i + 1, value: 10.5, currency: 'USD', productUnitCode: 'item' },
      })),
    });

  it('creates an order with its line items: totals and identifier by Oro, statuses by default', async () => {
    const created = await createOrder();
    expect(created.status).to.equal(201);
    const order = created.body.data;
    expect(order.attributes).to.include({ identifier: order.id, subtotalValue: '31.5000', totalValue: '31.5000', currency: 'USD', external: false });
    expect(order.relationships.internalStatus.data).to.deep.equal({ type: 'orderinternalstatuses', id: 'open' });
    expect(order.relationships.shippingStatus.data).to.deep.equal({ type: 'ordershippingstatuses', id: 'not_shipped' });
    expect(order.relationships.status.data).to.equal(null);
    expect(order.relationships.lineItems.data).to.have.length(2);
    const item = created.body.included[0];
    expect(item.attributes).to.include({ value: '10.5000', quantity: 1 });
  });

  it('include=lineItems puts the line items in included', async () => {
    await createOrder({}, 3);
    const list = await api.get('/orders?include=lineItems');
    expect(list.body.data).to.have.length(1);
    expect(list.body.included.map((r: { type: string }) => r.type)).to.deep.equal(['orderlineitems', 'orderlineitems', 'orderlineitems']);
  });

  it('ignores read-only fields: totals, internalStatus, createdAt, updatedAt; external only on create', async () => {
    const id = (await createOrder({ external: true, subtotalValue: '1.0000', createdAt: '2020-01-01T00:00:00Z' })).body.data.id as string;
    clock.now += 5000;
    const patched = await api.patch(`/orders/${id}`, {
      data: {
        type: 'orders', id,
        attributes: { totalValue: '9.0000', updatedAt: '2020-01-01T00:00:00Z', external: false, poNumber: 'PO-2' },
        relationships: { internalStatus: { data: { type: 'orderinternalstatuses', id: 'closed' } } },
      },
    });
    expect(patched.status).to.equal(200);
    const order = patched.body.data;
    expect(order.attributes).to.include({ totalValue: '31.5000', subtotalValue: '31.5000', external: true, poNumber: 'PO-2', createdAt: iso(T0), updatedAt: iso(T0 + 5000) });
    expect(order.relationships.internalStatus.data.id).to.equal('open');
  });

  it('bumps updatedAt on every write, a line item\'s too (the order\'s totals change)', async () => {
    const created = await createOrder();
    const itemId = created.body.included[0].id as string;
    clock.now += 2000;
    expect((await api.patch(`/orderlineitems/${itemId}`, { data: { type: 'orderlineitems', id: itemId, attributes: { quantity: 3 } } })).status).to.equal(200);
    const order = (await api.get(`/orders/${created.body.data.id as string}`)).body.data;
    expect(order.attributes).to.include({ updatedAt: iso(T0 + 2000), subtotalValue: '52.5000' });
  });

  it('takes status only with external status management on; shippingStatus always', async () => {
    const id = (await createOrder()).body.data.id as string;
    const patch = () => api.patch(`/orders/${id}`, {
      data: {
        type: 'orders', id,
        relationships: {
          status: { data: { type: 'orderstatuses', id: 'processing' } },
          shippingStatus: { data: { type: 'ordershippingstatuses', id: 'shipped' } },
        },
      },
    });
    let order = (await patch()).body.data;
    expect(order.relationships.status.data).to.equal(null);
    expect(order.relationships.shippingStatus.data.id).to.equal('shipped');
    oro.setConfig('oro_order.order_enable_external_status_management', true);
    order = (await patch()).body.data;
    expect(order.relationships.status.data).to.deep.equal({ type: 'orderstatuses', id: 'processing' });
  });

  it('a closed order refuses edits, its line items too: 403 in Oro\'s words', async () => {
    const created = await createOrder();
    const id = created.body.data.id as string;
    oro.touch('orders', id, { relationships: { internalStatus: { data: { type: 'orderinternalstatuses', id: 'closed' } } } });
    const refused = await api.patch(`/orders/${id}`, { data: { type: 'orders', id, attributes: { customerNotes: 'test notes' } } });
    expect(refused.status).to.equal(403);
    expect(refused.body.errors).to.deep.equal([{ status: '403', title: 'access denied exception', detail: 'No access by "EDIT" permission to the entity.' }]);
    const itemId = created.body.included[0].id as string;
    expect((await api.patch(`/orderlineitems/${itemId}`, { data: { type: 'orderlineitems', id: itemId, attributes: { quantity: 9 } } })).status).to.equal(403);
  });

  it('identifier is unique; externalId (6.1.10+/7.0.2+) is at most 36 characters and unique', async () => {
    await createOrder({ identifier: 'SO-1', externalId: 'ERP-1' });
    const twice = await createOrder({ identifier: 'SO-1' });
    expect(twice.status).to.equal(400);
    expect(twice.body.errors[0]).to.deep.include({ title: 'unique entity constraint', source: { pointer: '/data/attributes/identifier' } });
    const taken = await createOrder({ externalId: 'ERP-1' });
    expect(taken.body.errors[0].source).to.deep.equal({ pointer: '/data/attributes/externalId' });
    const long = await createOrder({ externalId: 'x'.repeat(37) });
    expect(long.body.errors[0]).to.deep.include({ title: 'length constraint', source: { pointer: '/data/attributes/externalId' } });
    expect((await api.get('/orders?filter[externalId]=ERP-1')).body.data).to.have.length(1);
  });

  it('has no externalId on 6.0', async () => {
    const old = await startFakeOro({ version: '6.0' });
    try {
      const res = await client(old, await tokenOf(old)).get('/orders?filter[externalId]=ERP-1');
      expect(res.status).to.equal(400);
      expect(res.body.errors[0]).to.deep.include({ title: 'filter constraint', detail: 'The filter is not supported.', source: { parameter: 'filter[externalId]' } });
    } finally {
      await old.close();
    }
  });

  it('filters by updatedAt with operators, sorts by updatedAt and id, and refuses other sorters', async () => {
    for (const offset of [0, 0, 1000, 2000]) oro.seed('orders', { updatedAt: iso(T0 + offset) });
    expect(ids((await api.get(`/orders?filter[updatedAt][gte]=${iso(T0 + 1000)}&sort=updatedAt,id`)).body)).to.deep.equal(['3', '4']);
    expect(ids((await api.get(`/orders?filter[updatedAt][gt]=${iso(T0)}&filter[updatedAt][lt]=${iso(T0 + 2000)}`)).body)).to.deep.equal(['3']);
    expect(ids((await api.get(`/orders?filter[updatedAt]=${iso(T0)}&filter[id][gt]=1&sort=updatedAt,id`)).body)).to.deep.equal(['2']);
    expect(ids((await api.get('/orders?sort=-updatedAt,id')).body)).to.deep.equal(['4', '3', '1', '2']);
    const refused = await api.get('/orders?sort=poNumber');
    expect(refused.status).to.equal(400);
    expect(refused.body.errors[0]).to.deep.include({ title: 'sort constraint', source: { parameter: 'sort' } });
  });

  it('pages by offset with Oro\'s links: next only while more rows exist, never last', async () => {
    for (let i = 0; i < 5; i += 1) oro.seed('orders', {});
    const first = (await api.get('/orders?page[size]=2&sort=id')).body;
    expect(first.links).to.have.keys('self', 'next');
    expect(first.links.next).to.equal(`${oro.baseUrl}/orders?page%5Bsize%5D=2&page%5Bnumber%5D=2&sort=id`);
    const last = (await api.get('/orders?page[size]=2&page[number]=3&sort=id')).body;
    expect(last.links).to.not.have.property('next');
    expect(last.links).to.not.have.property('last');
  });
});
