/**
 * The products family: products with their localized names and unit precisions, and the records
 * a product points at (attribute families, units, inventory statuses, localizations). Sources:
 * oroinc/orocommerce `ProductBundle` (`Resources/config/oro/api.yml`, `Tests/Functional/Api`).
 */
import { defineType, OWNERSHIP, TIMESTAMPS, type Family, type TypeSpec } from '../family.js';

/** The types of every version (products did not change between 6.0 and 7.0 as far as the fake goes). */
function types(): TypeSpec[] {
  return [
    defineType({
      name: 'products',
      timestamps: true,
      attributes: {
        // Unique per organization: a unique constraint with a foreign key, so no upsert by sku.
        sku: { required: true, maxLength: 255, unique: true, uniqueScope: 'organization', indexed: true, filter: 'string', sortable: true },
        ...TIMESTAMPS,
      },
      relationships: {
        names: { target: 'productnames', toMany: { inverseOf: 'product' }, required: true },
        attributeFamily: { target: 'attributefamilies', required: true },
        primaryUnitPrecision: { target: 'productunitprecisions', required: true },
        unitPrecisions: { target: 'productunitprecisions', toMany: { inverseOf: 'product' } },
        inventory_status: { target: 'prodinventorystatuses', required: true },
        ...OWNERSHIP,
      },
      batch: true,
    }),
    defineType({
      name: 'productnames',
      attributes: { string: { nullable: true, maxLength: 255 }, fallback: { nullable: true, maxLength: 64 } },
      relationships: { product: { target: 'products', required: true }, localization: { target: 'localizations' } },
    }),
    defineType({
      name: 'productunitprecisions',
      attributes: {
        precision: { kind: 'integer', required: true },
        conversionRate: { kind: 'number', nullable: true, defaultValue: 1 },
        sell: { kind: 'boolean', nullable: true, defaultValue: true },
      },
      relationships: { product: { target: 'products', required: true }, unit: { target: 'productunits', required: true } },
    }),
    defineType({ name: 'attributefamilies', readOnly: true, timestamps: true, attributes: { code: { required: true, filter: 'string' }, ...TIMESTAMPS } }),
    defineType({ name: 'productunits', readOnly: true, idKind: 'string', attributes: { defaultPrecision: { kind: 'integer', required: true } } }),
    defineType({ name: 'prodinventorystatuses', readOnly: true, idKind: 'string', attributes: { name: { required: true } } }),
    defineType({ name: 'localizations', readOnly: true, timestamps: true, attributes: { name: { required: true, filter: 'string' }, ...TIMESTAMPS } }),
  ];
}

/** Products, their names and unit precisions, and the fixtures a product needs. */
export const products: Family = {
  name: 'products',
  types,
  fixtures: [
    { type: 'attributefamilies', attributes: { code: 'default_family' } },
    { type: 'productunits', id: 'item', attributes: { defaultPrecision: 0 } },
    { type: 'productunits', id: 'set', attributes: { defaultPrecision: 0 } },
    { type: 'productunits', id: 'kg', attributes: { defaultPrecision: 3 } },
    { type: 'prodinventorystatuses', id: 'in_stock', attributes: { name: 'In Stock' } },
    { type: 'prodinventorystatuses', id: 'out_of_stock', attributes: { name: 'Out of Stock' } },
    { type: 'prodinventorystatuses', id: 'discontinued', attributes: { name: 'Discontinued' } },
    { type: 'localizations', attributes: { name: 'English (United States)' } },
  ],
};
