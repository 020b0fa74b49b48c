/**
 * The orders family: orders, their line items, and the statuses an order points at. Sources:
 * oroinc/orocommerce `OrderBundle` (`Resources/config/oro/api.yml`,
 * `Tests/Functional/Api/RestJsonApi/OrderTest.php`), 6.1 and 7.0; docs/oro-api.md §9.
 *
 * What an ERP integration meets: `updatedAt` to the second and bumped by every write (a line
 * item's too, through the order's totals), read-only totals and internal status, a `status`
 * that is ignored unless external status management is on, a writable `shippingStatus`, closed
 * orders that refuse edits, and `externalId` (6.1.10+ / 7.0.2+) for the ERP's order number.
 */
import { apiError, type ApiError } from '../json-api.js';
import { defineType, OWNERSHIP, TIMESTAMPS, type AttributeSpec, type Family, type HookContext, type MutationContext, type TypeSpec, type WriteCheck } from '../family.js';
import type { StoredRecord } from '../records.js';
import { atLeast, type OroVersion } from '../versions.js';

/** Oro's system configuration option that makes an order's `status` writable. */
export const EXTERNAL_STATUS_MANAGEMENT = 'oro_order.order_enable_external_status_management';

/** `externalId` on orders: 6.1.10+ and 7.0.2+; at most 36 characters, unique, nullable. */
const externalId = (version: OroVersion): Record<string, AttributeSpec> =>
  atLeast(version, '6.1') ? { externalId: { nullable: true, maxLength: 36, unique: true, indexed: true, filter: 'string' } } : {};

/** OrderTest `testTryToUpdateClosedOrder`: a closed order is not editable, whatever is sent. */
const closed = (): ApiError => apiError(403, 'access denied exception', 'No access by "EDIT" permission to the entity.');

const isClosed = (order: StoredRecord | undefined): boolean => order?.relationships['internalStatus'] === 'closed';

function orderEdits(write: WriteCheck): readonly ApiError[] {
  return isClosed(write.existing) ? [closed()] : [];
}

/** A line item of a closed order (the one it belongs to now) is not editable either. */
function lineItemEdits(write: WriteCheck, ctx: HookContext): readonly ApiError[] {
  const order = write.existing?.relationships['order'];
  return typeof order === 'string' && isClosed(ctx.store.get('orders', order)) ? [closed()] : [];
}

/** Money as Oro answers it: a string with four decimals (`"73.5400"`). */
const money = (value: number): string => value.toFixed(4);

/** The order's totals from its line items (no discounts, shipping or taxes here), and its default identifier. */
function orderAfterSave({ record }: { readonly record: StoredRecord }, ctx: MutationContext): void {
  let subtotal = 0;
  for (const id of ctx.store.find('orderlineitems', 'order', record.id)) {
    const item = ctx.store.get('orderlineitems', id);
    subtotal += Number(item?.attributes['quantity'] ?? 0) * Number(item?.attributes['value'] ?? 0);
  }
  const attributes = {
    ...record.attributes,
    subtotalValue: money(subtotal),
    totalValue: money(subtotal),
    // OrderTest `testCreateWithRequiredDataOnly`: without one, the identifier is the order's id.
    identifier: record.attributes['identifier'] ?? record.id,
  };
  const changed = (['subtotalValue', 'totalValue', 'identifier'] as const).some((name) => attributes[name] !== record.attributes[name]);
  // Only a change is written: `replace` runs this hook again.
  if (changed) ctx.replace('orders', { ...record, attributes });
}

/** A line item's value as money, and its order's totals (which bumps the order's `updatedAt`). */
function lineItemAfterSave({ record, before }: { readonly record: StoredRecord; readonly before: StoredRecord | undefined }, ctx: MutationContext): void {
  const value = record.attributes['value'];
  if (typeof value === 'number') {
    ctx.replace('orderlineitems', { ...record, attributes: { ...record.attributes, value: money(value) } });
    return;
  }
  for (const id of new Set([record.relationships['order'], before?.relationships['order']])) {
    const order = typeof id === 'string' ? ctx.store.get('orders', id) : undefined;
    if (order) orderAfterSave({ record: order }, ctx);
  }
}

function lineItemAfterDelete(record: StoredRecord, ctx: MutationContext): void {
  const id = record.relationships['order'];
  const order = typeof id === 'string' ? ctx.store.get('orders', id) : undefined;
  if (order) orderAfterSave({ record: order }, ctx);
}

/** An enum of Oro's (`orderinternalstatuses`...): read-only records with string ids. */
const enumType = (name: string): TypeSpec => defineType({ name, readOnly: true, idKind: 'string', attributes: { name: { required: true } } });

function types(version: OroVersion): TypeSpec[] {
  return [
    defineType({
      name: 'orders',
      timestamps: true,
      attributes: {
        identifier: { nullable: true, maxLength: 255, unique: true, indexed: true, filter: 'string' },
        poNumber: { nullable: true, maxLength: 255, filter: 'string' },
        customerNotes: { nullable: true },
        shipUntil: { nullable: true },
        currency: { maxLength: 3, defaultValue: 'USD' },
        // Set on create only (OrderTest `testTryToUpdateExternal`).
        external: { kind: 'boolean', defaultValue: false, createOnly: true, filter: 'boolean', sortable: true },
        subtotalValue: { readOnly: true },
        totalValue: { readOnly: true },
        ...externalId(version),
        ...TIMESTAMPS,
      },
      relationships: {
        customer: { target: 'customers' },
        customerUser: { target: 'customerusers' },
        lineItems: { target: 'orderlineitems', toMany: { inverseOf: 'order' } },
        internalStatus: { target: 'orderinternalstatuses', readOnly: true, defaultId: 'open', updateRelationship: false },
        status: { target: 'orderstatuses', writableWhen: EXTERNAL_STATUS_MANAGEMENT },
        shippingStatus: { target: 'ordershippingstatuses', defaultId: 'not_shipped' },
        ...OWNERSHIP,
      },
      batch: true,
      hooks: { validate: orderEdits, afterSave: orderAfterSave },
    }),
    defineType({
      name: 'orderlineitems',
      attributes: {
        productSku: { nullable: true, maxLength: 255, filter: 'string' },
        productName: { nullable: true, maxLength: 255 },
        freeFormProduct: { nullable: true, maxLength: 255 },
        quantity: { kind: 'number', required: true },
        productUnitCode: { nullable: true, maxLength: 255 },
        // Sent as a number, answered as money (`"10.0000"`).
        value: { kind: 'number', required: true },
        currency: { nullable: true, maxLength: 3 },
        checksum: { readOnly: true },
      },
      relationships: {
        order: { target: 'orders', required: true, createOnly: true, updateRelationship: false },
        product: { target: 'products' },
        productUnit: { target: 'productunits' },
      },
      batch: true,
      hooks: { validate: lineItemEdits, afterSave: lineItemAfterSave, afterDelete: lineItemAfterDelete },
    }),
    enumType('orderinternalstatuses'),
    enumType('orderstatuses'),
    enumType('ordershippingstatuses'),
  ];
}

const STATUSES: readonly [string, string][] = [['open', 'Open'], ['pending', 'Pending'], ['processing', 'Processing'], ['closed', 'Closed'], ['cancelled', 'Cancelled']];
const SHIPPING: readonly [string, string][] = [['not_shipped', 'Not Shipped'], ['shipped', 'Shipped'], ['partially_shipped', 'Partially Shipped']];

/** Orders, their line items and their statuses. */
export const orders: Family = {
  name: 'orders',
  types,
  fixtures: [
    ...STATUSES.map(([id, name]) => ({ type: 'orderinternalstatuses', id, attributes: { name } })),
    ...STATUSES.map(([id, name]) => ({ type: 'orderstatuses', id, attributes: { name } })),
    ...SHIPPING.map(([id, name]) => ({ type: 'ordershippingstatuses', id, attributes: { name } })),
  ],
};
