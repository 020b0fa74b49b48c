/**
 * The products family: products with their localized names and unit precisions, and the records
 * a product points at (attribute families, units, inventory statuses, localizations, business
 * units). Sources: oroinc/orocommerce 7.0 `ProductBundle` (`Resources/config/oro/api.yml`,
 * `Resources/config/validation.yml`, `Resources/translations/validators.en.yml`,
 * `Api/Processor/ValidateDuplicatedProductUnitPrecisions.php`, `Entity/Product.php`,
 * `Tests/Functional/Api/RestJsonApi/ProductTest.php` and `ProductUnitPrecisionTest.php`) and
 * oroinc/platform 7.0 `LocaleBundle` (`NotBlankDefaultLocalizedFallbackValueValidator`,
 * `FallbackTrait`).
 */
import type { Json } from '../../types/index.js';
import { apiError, at, isObject, type ApiError } from '../json-api.js';
import { defineType, OWNERSHIP, TIMESTAMPS, type Family, type HookContext, type MutationContext, type StoreView, type TypeSpec, type WriteCheck } from '../family.js';
import { isLinkList, linkId, type StoredRecord } from '../records.js';

const NAMES = 'productnames';
const PRECISIONS = 'productunitprecisions';
/** Oro keeps one inventory level per unit precision; the type is served by the inventory family. */
const LEVELS = 'inventorylevels';

/** The types of every version (products did not change between 6.0 and 7.0 as far as the fake goes). */
function types(): TypeSpec[] {
  return [
    defineType({
      name: 'products',
      timestamps: true,
      attributes: {
        // Unique per organization: a unique constraint with a foreign key, so no upsert by sku.
        sku: {
          required: true, blankMessage: 'SKU should not be blank.', minLength: 3, maxLength: 255,
          unique: true, uniqueScope: 'organization', indexed: true, filter: 'string', sortable: true,
        },
        status: { choices: ['enabled', 'disabled'], defaultValue: 'disabled' },
        productType: { choices: ['simple', 'configurable', 'kit'], defaultValue: 'simple' },
        featured: { kind: 'boolean', defaultValue: false },
        newArrival: { kind: 'boolean', defaultValue: false },
        variantFields: { kind: 'array', defaultValue: [] },
        ...TIMESTAMPS,
      },
      relationships: {
        names: {
          target: NAMES,
          toMany: { inverseOf: 'product' },
          required: true,
          // NotBlankDefaultLocalizedFallbackValue, and the create action's Count(min: 1).
          blankErrors: [
            { title: 'not blank default localized fallback value constraint', detail: 'Product default name is blank' },
            { title: 'count constraint', detail: 'This collection should contain 1 element or more.' },
          ],
        },
        attributeFamily: { target: 'attributefamilies', required: true },
        primaryUnitPrecision: { target: PRECISIONS, required: true },
        unitPrecisions: { target: PRECISIONS, toMany: { inverseOf: 'product' } },
        inventory_status: { target: 'prodinventorystatuses', required: true },
        owner: { target: 'businessunits', defaultId: '1' },
        organization: OWNERSHIP.organization,
      },
      batch: true,
      hooks: { validate: productRules, afterSave: productSaved, afterDelete: productDeleted },
    }),
    defineType({
      name: NAMES,
      attributes: { string: { nullable: true, maxLength: 255 }, fallback: { nullable: true, maxLength: 64, choices: ['system', 'parent_localization'] } },
      relationships: { product: { target: 'products', required: true }, localization: { target: 'localizations' } },
      // api.yml: names are changed or replaced, never deleted on their own.
      actions: { delete: false },
    }),
    defineType({
      name: PRECISIONS,
      attributes: {
        precision: { kind: 'integer', required: true, blankMessage: 'Precision should not be blank.' },
        conversionRate: { kind: 'number', nullable: true, defaultValue: 1 },
        sell: { kind: 'boolean', nullable: true, defaultValue: true },
      },
      relationships: {
        product: { target: 'products', required: true },
        unit: { target: 'productunits', required: true, blankErrors: [{ title: 'not blank constraint', detail: 'Unit should not be blank.' }] },
      },
      hooks: { validate: precisionRules, afterSave: precisionSaved, afterDelete: precisionDeleted },
    }),
    defineType({ name: 'attributefamilies', readOnly: true, timestamps: true, attributes: { code: { required: true, filter: 'string' }, ...TIMESTAMPS } }),
    defineType({ name: 'productunits', readOnly: true, idKind: 'string', attributes: { defaultPrecision: { kind: 'integer', required: true } } }),
    defineType({ name: 'prodinventorystatuses', readOnly: true, idKind: 'string', attributes: { name: { required: true } } }),
    defineType({ name: 'localizations', readOnly: true, timestamps: true, attributes: { name: { required: true, filter: 'string' }, ...TIMESTAMPS } }),
    defineType({ name: 'businessunits', readOnly: true, timestamps: true, attributes: { name: { required: true, filter: 'string' }, ...TIMESTAMPS } }),
  ];
}

/** A member of a product's names or unit precisions after a write: stored, sent in the request, or both. */
interface Member {
  readonly id: string;
  readonly stored: StoredRecord | undefined;
  /** The resource object of the same request with this type and id (an included record). */
  readonly sent: Record<string, unknown> | undefined;
}

/** The request's resource objects by `type\0id`. */
function requestObjects(write: WriteCheck): Map<string, Record<string, unknown>> {
  const objects = new Map<string, Record<string, unknown>>();
  for (const { raw } of write.request)
    if (isObject(raw) && typeof raw['type'] === 'string' && typeof raw['id'] === 'string') objects.set(`${raw['type']}\u0000${raw['id']}`, raw);
  return objects;
}

/** The `{type, id}` members of a sent to-many relationship, or undefined when it was not sent. */
function sentIds(relationship: unknown, type: string): string[] | undefined {
  if (!isObject(relationship) || !('data' in relationship)) return undefined;
  const data = relationship['data'];
  return (Array.isArray(data) ? data : []).flatMap((m: unknown) => (isObject(m) && m['type'] === type && typeof m['id'] === 'string' ? [m['id']] : []));
}

/** The stored members of a product's to-many relationship (read from the members' `product`). */
function storedIds(store: StoreView, type: string, productId: string | undefined): string[] {
  return productId === undefined ? [] : [...store.find(type, 'product', productId)];
}

/**
 * The members a product has after the write: a sent to-many relationship replaces the collection
 * (Oro's forms do, and orphan removal deletes the others), else the stored ones stay.
 */
function members(write: WriteCheck, ctx: HookContext, name: string, type: string): Member[] {
  const objects = requestObjects(write);
  const ids = sentIds(write.sent.relationships[name], type) ?? storedIds(ctx.store, type, write.existing?.id);
  return ids.map((id) => ({ id, stored: ctx.store.get(type, id), sent: objects.get(`${type}\u0000${id}`) }));
}

/** An attribute of a member after the write: as sent, else as stored. */
function attributeOf(member: Member, name: string): unknown {
  const sent = isObject(member.sent?.['attributes']) ? (member.sent['attributes'] as Record<string, unknown>) : undefined;
  return sent && name in sent ? sent[name] : member.stored?.attributes[name];
}

/** A to-one relationship's id of a member after the write: as sent, else as stored (null: none). */
function relationshipOf(member: Member, name: string): unknown {
  const sent = isObject(member.sent?.['relationships']) ? (member.sent['relationships'] as Record<string, unknown>) : undefined;
  const rel = sent?.[name];
  if (isObject(rel) && 'data' in rel) return isObject(rel['data']) ? rel['data']['id'] : null;
  return member.stored?.relationships[name] ?? null;
}

const isBlank = (value: unknown): boolean => typeof value !== 'string' || value.trim() === '';

/**
 * A product's own rules across its names and unit precisions, at the pointers Oro's tests show:
 * its default name (the first name without a localization, as `FallbackTrait` picks it) must not
 * be blank (a create without names is refused by the relationship itself); a unit precision sent for a unit the product already
 * has (or twice) is refused; the primary precision must stay in the collection. A second default
 * name is not refused: Oro 4.2 to 7.0 keeps it, uses the first, and only logs "There must be only
 * one fallback value".
 */
function productRules(write: WriteCheck, ctx: HookContext): ApiError[] {
  const errors: ApiError[] = [];
  const { existing, sent, pointer } = write;
  const names = members(write, ctx, 'names', NAMES);
  if (!existing || 'names' in sent.relationships || names.some((m) => m.sent)) {
    // A create without names got the relationship's own errors.
    const first = names.find((m) => relationshipOf(m, 'localization') === null);
    if ((existing || names.length > 0) && (!first || isBlank(attributeOf(first, 'string')))) {
      errors.push(apiError(400, 'not blank default localized fallback value constraint', 'Product default name is blank', at(`${pointer}/relationships/names/data`)));
    }
  }
  const precisionsAt = at(`${pointer}/relationships/unitPrecisions/data`);
  const precisions = members(write, ctx, 'unitPrecisions', PRECISIONS);
  if ('unitPrecisions' in sent.relationships) {
    // ValidateDuplicatedProductUnitPrecisions: each included precision against the product's stored units and the ones before it.
    const units = new Map<string, string | undefined>(storedIds(ctx.store, PRECISIONS, existing?.id).map((id) => [String(ctx.store.get(PRECISIONS, id)?.relationships['unit']), id]));
    for (const member of precisions) {
      const unit = relationshipOf(member, 'unit');
      if (!member.sent || typeof unit !== 'string') continue;
      const id = member.stored ? member.id : undefined;
      if (units.has(unit) && (id === undefined || units.get(unit) !== id)) {
        errors.push(apiError(400, 'form constraint', `Unit precision "${unit}" already exists for this product.`, precisionsAt));
      }
      units.set(unit, id);
    }
  }
  const primary = write.sent.relationships['primaryUnitPrecision'];
  const primaryId = isObject(primary) && isObject(primary['data']) ? primary['data']['id'] : existing?.relationships['primaryUnitPrecision'];
  // A create that lists no precisions gets its primary one added by Oro's setter.
  const listedOrStored = existing !== undefined || 'unitPrecisions' in sent.relationships;
  if (typeof primaryId === 'string' && listedOrStored && !precisions.some((m) => m.id === primaryId)) {
    errors.push(apiError(400, 'primary product unit precision constraint', 'A primary product unit precision should be in the collection of product unit precisions.', precisionsAt));
  }
  return errors;
}

/**
 * After a product is saved: the names and precisions a sent list left out are deleted (Oro's
 * orphan removal), and the primary precision sells at conversion rate 1 (`setPrimaryUnitPrecision`).
 */
function productSaved({ record, before, sent }: { readonly record: StoredRecord; readonly before: StoredRecord | undefined; readonly sent?: WriteCheck['sent'] }, ctx: MutationContext): void {
  if (!sent) return;
  if (before) {
    for (const [name, type] of [['names', NAMES], ['unitPrecisions', PRECISIONS]] as const) {
      const listed = sentIds(sent.relationships[name], type);
      if (listed === undefined) continue;
      for (const id of storedIds(ctx.store, type, record.id)) if (!listed.includes(id)) ctx.remove(type, id);
    }
  }
  if (!('primaryUnitPrecision' in sent.relationships)) return;
  const id = record.relationships['primaryUnitPrecision'];
  const precision = typeof id === 'string' ? ctx.store.get(PRECISIONS, id) : undefined;
  if (precision && (precision.attributes['conversionRate'] !== 1 || precision.attributes['sell'] !== true)) {
    ctx.replace(PRECISIONS, { ...precision, attributes: { ...precision.attributes, conversionRate: 1, sell: true } });
  }
}

/** A product's names and precisions go with it (`onDelete: CASCADE`). */
function productDeleted(product: StoredRecord, ctx: MutationContext): void {
  for (const type of [NAMES, PRECISIONS]) for (const id of storedIds(ctx.store, type, product.id)) ctx.remove(type, id);
}

/**
 * A precision's own rules: 0 to 10 digits (Range), and one precision per product and unit
 * (UniqueEntity on product and unit: "This value is already used." at its product).
 */
function precisionRules(write: WriteCheck, ctx: HookContext): ApiError[] {
  const errors: ApiError[] = [];
  const precision: Json | undefined = write.fields.attributes['precision'];
  if (typeof precision === 'number' && (precision < 0 || precision > 10)) {
    errors.push(apiError(400, 'range constraint', 'This value should be between 0 and 10.', at(`${write.pointer}/attributes/precision`)));
  }
  const product = write.fields.relationships['product'];
  const unit = write.fields.relationships['unit'];
  const productId = product === undefined || isLinkList(product) ? null : linkId(product);
  if (typeof productId === 'string' && typeof unit === 'string') {
    const taken = storedIds(ctx.store, PRECISIONS, productId).some((id) => id !== write.existing?.id && ctx.store.get(PRECISIONS, id)?.relationships['unit'] === unit);
    if (taken) errors.push(apiError(400, 'unique entity constraint', 'This value is already used.', at(`${write.pointer}/relationships/product/data`)));
  }
  return errors;
}

/** Oro creates the inventory level of a new precision itself, with quantity 0. */
function precisionSaved({ record, before }: { readonly record: StoredRecord; readonly before: StoredRecord | undefined }, ctx: MutationContext): void {
  if (before || !ctx.store.spec(LEVELS)) return;
  const product = record.relationships['product'];
  const organization = typeof product === 'string' ? (ctx.store.get('products', product)?.relationships['organization'] ?? '1') : '1';
  ctx.insert(LEVELS, { quantity: '0' }, { product: product ?? null, productUnitPrecision: record.id, organization });
}

/** ... and deletes it with the precision. */
function precisionDeleted(precision: StoredRecord, ctx: MutationContext): void {
  if (!ctx.store.spec(LEVELS)) return;
  for (const id of [...ctx.store.find(LEVELS, 'productUnitPrecision', precision.id)]) ctx.remove(LEVELS, id);
}

/** Products, their names and unit precisions, and the fixtures a product needs. */
export const products: Family = {
  name: 'products',
  types,
  fixtures: [
    { type: 'businessunits', attributes: { name: 'Main' } },
    { type: 'attributefamilies', attributes: { code: 'default_family' } },
    // Oro's default units.
    ...['each', 'hour', 'item', 'kg', 'piece', 'set'].map((id) => ({ type: 'productunits', id, attributes: { defaultPrecision: id === 'kg' ? 3 : 0 } })),
    { type: 'prodinventorystatuses', id: 'in_stock', attributes: { name: 'In Stock' } },
    { type: 'prodinventorystatuses', id: 'out_of_stock', attributes: { name: 'Out of Stock' } },
    { type: 'prodinventorystatuses', id: 'discontinued', attributes: { name: 'Discontinued' } },
    { type: 'localizations', attributes: { name: 'English (United States)' } },
  ],
};
