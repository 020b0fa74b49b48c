/**
 * The storefront of this example: a shop order (`storefront-orders.ndjson`) as the Oro order a
 * customer's checkout would make, with its line items created in the same request (`included`).
 * Only the fake Oro lets a client place orders this plainly; in a real shop customers do.
 */
export default (order) => ({
  resource: {
    type: 'orders',
    attributes: { identifier: order.orderNumber, poNumber: order.poNumber, currency: 'USD' },
    relationships: { lineItems: { data: order.lines.map((_, i) => ({ type: 'orderlineitems', id: `line-${i + 1}` })) } },
  },
  included: order.lines.map((line, i) => ({
    type: 'orderlineitems',
    id: `line-${i + 1}`,
    attributes: { productSku: line.sku, quantity: line.quantity, productUnitCode: line.unit, value: line.price, currency: 'USD' },
  })),
});
