/**
 * `sink.transform`: an Oro order (`{data, included}`, its line items included) as the ERP books
 * it. Only what the ERP needs: not Oro's bookkeeping (`updatedAt`, ids), nor the ERP's own number
 * once written back (`externalId`), so that writing it back is no change to send again.
 */
export default ({ data, included }) => ({
  orderNumber: data.attributes.identifier,
  poNumber: data.attributes.poNumber,
  currency: data.attributes.currency,
  total: data.attributes.totalValue,
  lines: included
    .filter((resource) => resource.type === 'orderlineitems')
    .map(({ attributes }) => ({ sku: attributes.productSku, quantity: attributes.quantity, unit: attributes.productUnitCode, price: attributes.value })),
});
