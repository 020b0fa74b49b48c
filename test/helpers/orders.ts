/**
 * Orders as Oro's JSON:API reads them out (`include=lineItems`), one document per order: the
 * records a run out of Oro sends to its sink. A stand-in for the Oro source in tests of sinks.
 */

export interface OrderDocument {
  readonly data: {
    readonly type: 'orders';
    readonly id: string;
    readonly attributes: Record<string, unknown>;
    readonly relationships: { readonly lineItems: { readonly data: readonly { type: 'orderlineitems'; id: string }[] } };
  };
  readonly included: readonly { type: 'orderlineitems'; id: string; attributes: Record<string, unknown> }[];
}

/** Order `n` (id `n`, identifier `SO-000n`) with `lines` line items, changed at `updatedAt`. */
export function orderDocument(n: number, options: { updatedAt?: string; lines?: number; attributes?: Record<string, unknown> } = {}): OrderDocument {
  const lines = Array.from({ length: options.lines ?? 2 }, (_, i) => ({
    type: 'orderlineitems' as const,
    id: `${n}-${i + 1}`,
    attributes: { productSku: `SKU-${(n + i) % 7}`, quantity: i + 1, productUnitCode: 'item', value: '9.5000', currency: 'USD' },
  }));
  return {
    data: {
      type: 'orders',
      id: String(n),
      attributes: {
        identifier: `SO-${String(n).padStart(4, '0')}`,
        poNumber: `PO-${n}`,
        currency: 'USD',
        totalValue: `${(lines.length * 9.5).toFixed(4)}`,
        createdAt: '2026-03-01T08:00:00Z',
        updatedAt: options.updatedAt ?? '2026-03-01T08:00:00Z',
        ...options.attributes,
      },
      relationships: { lineItems: { data: lines.map(({ type, id }) => ({ type, id })) } },
    },
    included: lines,
  };
}

/** What the examples' transform delivers to an ERP: the order without Oro's bookkeeping. */
export function erpOrder(document: OrderDocument): Record<string, unknown> {
  const { attributes } = document.data;
  return {
    orderNumber: attributes['identifier'],
    poNumber: attributes['poNumber'],
    currency: attributes['currency'],
    total: attributes['totalValue'],
    lines: document.included.map((item) => ({ sku: item.attributes['productSku'], quantity: item.attributes['quantity'], price: item.attributes['value'] })),
  };
}
