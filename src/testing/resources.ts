/**
 * The resource types the fake Oro knows, with the subset of Oro's metadata that matters to a
 * customer sync: attributes and their constraints, relationships, filters, upsert and Batch API.
 */

/** The Oro versions the fake can play (`startFakeOro({ version })`); see docs/fake-oro.md. */
export type OroVersion = '6.0' | '6.1' | '7.0';

/** Every version the fake can play, oldest first; the last one is the default. */
export const ORO_VERSIONS: readonly OroVersion[] = ['6.0', '6.1', '7.0'];

/** The JSON type of an attribute's value (Oro's `string`, `boolean`, `integer`, `float`...). */
export type AttributeKind = 'string' | 'boolean' | 'integer' | 'number';

/** Constraints of one attribute. */
export interface AttributeSpec {
  /** The value's JSON type; default `string`. */
  readonly kind?: AttributeKind;
  /** The value a create without the attribute gets (e.g. `enabled: true`). */
  readonly defaultValue?: string | boolean | number;
  readonly required?: boolean;
  /** Accepts `null` (an absent value); required attributes never do. */
  readonly nullable?: boolean;
  readonly maxLength?: number;
  readonly minLength?: number;
  /** Symfony's strict Email constraint (RFC 5322 addr-spec, checked before saving). */
  readonly email?: boolean;
  /** Oro's password policy (`password complexity constraint`); never rendered. */
  readonly password?: boolean;
  /** Set by the server; values sent by clients are ignored. */
  readonly readOnly?: boolean;
  /**
   * Unique per type ("unique entity constraint" on duplicates, answered 400 by a validator before
   * anything is saved): a unique column, or a validator such as `externalId`'s.
   */
  readonly unique?: boolean;
  /**
   * Unique through a validator only, not a database constraint: two concurrent creates can both
   * pass on a real Oro, so `seed` (which stands for data that got there somehow) may insert duplicates.
   */
  readonly uniqueByValidator?: boolean;
  /** Uniqueness ignores case (Oro compares customer user emails lower-cased). */
  readonly caseInsensitive?: boolean;
  /** The to-one relationship the unique constraint is scoped to (e.g. a SKU per organization). */
  readonly uniqueScope?: string;
  /** Kept in a hash index so that `filter[x]=a,b,…` does not scan the table. */
  readonly indexed?: boolean;
  /** How `filter[x]` compares values; absent = not filterable. */
  readonly filter?: 'string' | 'datetime';
  /** Allowed in `sort`. */
  readonly sortable?: boolean;
}

/** One relationship. */
export interface RelationshipSpec {
  readonly target: string;
  /**
   * To-many relationships of the fake are the inverse side of a to-one relationship of the target
   * (`children` of `parent`, `addresses` of the address's `customer`), read from it. In a write,
   * members created by the same request (`included`) get their `inverseOf` relationship set to
   * the record; members that already exist are left as they are.
   */
  readonly toMany?: { readonly inverseOf: string } | { readonly owned: true };
  readonly required?: boolean;
  /** Applied on create when the client does not send the relationship. */
  readonly defaultId?: string;
  /** Owned to-many relationships: the members a create without the relationship gets. */
  readonly defaultIds?: readonly string[];
  /**
   * Oro refuses to create a record of this relationship inside `included` ("new included entity
   * existence constraint"): a new parent or child customer could close a cycle.
   */
  readonly noNewIncluded?: boolean;
}

/** One resource type. */
export interface TypeSpec {
  readonly name: string;
  /** Only GET/OPTIONS (users, organizations, countries). */
  readonly readOnly: boolean;
  /** Server-generated integer ids (otherwise string ids chosen by the data, e.g. countries). */
  readonly numericIds: boolean;
  /** Server-maintained `createdAt` / `updatedAt`. */
  readonly timestamps: boolean;
  readonly attributes: Readonly<Record<string, AttributeSpec>>;
  readonly relationships: Readonly<Record<string, RelationshipSpec>>;
  /**
   * `meta.upsert` support as Oro derives it (`CompleteUpsertConfig`): by id only when the id is
   * not generated, by fields only for a unique column mapped to an API field (a unique constraint
   * that includes a foreign key does not count). null = "The upsert operation is not allowed."
   */
  readonly upsert: null | { readonly byId: boolean; readonly keys: readonly (readonly string[])[] };
  /** Batch API enabled unless the server options disable it. */
  readonly batch: boolean;
}

const timestamps = {
  createdAt: { readOnly: true, filter: 'datetime', sortable: true },
  updatedAt: { readOnly: true, filter: 'datetime', sortable: true },
} as const satisfies Record<string, AttributeSpec>;

const ownership = {
  owner: { target: 'users', defaultId: '1' },
  organization: { target: 'organizations', defaultId: '1' },
} as const satisfies Record<string, RelationshipSpec>;

const name255: AttributeSpec = { required: true, maxLength: 255, filter: 'string', sortable: true };

/** `externalId` on customers and customer users: 6.1.10+ and 7.0.2+ (the fake's 6.1 is the latest patch). */
const hasExternalId = (version: OroVersion): boolean => version !== '6.0';

/** Unique per type through a validator (not a database constraint), nullable, at most 36 characters. */
const externalId: AttributeSpec = { nullable: true, maxLength: 36, unique: true, uniqueByValidator: true, indexed: true, filter: 'string', sortable: true };

const readOnlyType = (name: string, attributes: Record<string, AttributeSpec>, relationships: Record<string, RelationshipSpec> = {}, numericIds = true): TypeSpec => ({
  name,
  readOnly: true,
  numericIds,
  timestamps: numericIds,
  attributes: numericIds ? { ...attributes, ...timestamps } : attributes,
  relationships,
  upsert: null,
  batch: false,
});

/** The types of one Oro version. */
function specsFor(version: OroVersion): TypeSpec[] {
  const external: Record<string, AttributeSpec> = hasExternalId(version) ? { externalId } : {};
  return [
    {
      name: 'customers',
      readOnly: false,
      numericIds: true,
      timestamps: true,
      attributes: { name: name255, ...external, ...timestamps },
      relationships: {
        group: { target: 'customergroups' },
        parent: { target: 'customers', noNewIncluded: true },
        children: { target: 'customers', toMany: { inverseOf: 'parent' }, noNewIncluded: true },
        addresses: { target: 'customeraddresses', toMany: { inverseOf: 'customer' } },
        users: { target: 'customerusers', toMany: { inverseOf: 'customer' } },
        ...ownership,
      },
      upsert: null,
      batch: true,
    },
    {
      name: 'customergroups',
      readOnly: false,
      numericIds: true,
      timestamps: true,
      attributes: { name: name255, ...timestamps },
      relationships: { ...ownership },
      upsert: null,
      batch: true,
    },
    {
      name: 'products',
      readOnly: false,
      numericIds: true,
      timestamps: true,
      attributes: {
        // Unique per organization: a unique constraint with a foreign key, so no upsert by sku.
        sku: { required: true, maxLength: 255, unique: true, uniqueScope: 'organization', indexed: true, filter: 'string', sortable: true },
        ...timestamps,
      },
      relationships: {
        names: { target: 'productnames', toMany: { inverseOf: 'product' }, required: true },
        attributeFamily: { target: 'attributefamilies', required: true },
        primaryUnitPrecision: { target: 'productunitprecisions', required: true },
        unitPrecisions: { target: 'productunitprecisions', toMany: { inverseOf: 'product' } },
        inventory_status: { target: 'prodinventorystatuses', required: true },
        ...ownership,
      },
      upsert: null,
      batch: true,
    },
    {
      name: 'productnames',
      readOnly: false,
      numericIds: true,
      timestamps: false,
      attributes: { string: { nullable: true, maxLength: 255 }, fallback: { nullable: true, maxLength: 64 } },
      relationships: { product: { target: 'products', required: true }, localization: { target: 'localizations' } },
      upsert: null,
      batch: false,
    },
    {
      name: 'productunitprecisions',
      readOnly: false,
      numericIds: true,
      timestamps: false,
      attributes: {
        precision: { kind: 'integer', required: true },
        conversionRate: { kind: 'number', nullable: true, defaultValue: 1 },
        sell: { kind: 'boolean', nullable: true, defaultValue: true },
      },
      relationships: { product: { target: 'products', required: true }, unit: { target: 'productunits', required: true } },
      upsert: null,
      batch: false,
    },
    {
      name: 'customerusers',
      readOnly: false,
      numericIds: true,
      timestamps: true,
      attributes: {
        email: { required: true, minLength: 6, maxLength: 255, email: true, unique: true, caseInsensitive: true, indexed: true, filter: 'string', sortable: true },
        firstName: { required: true, maxLength: 255, filter: 'string' },
        lastName: { required: true, maxLength: 255, filter: 'string' },
        enabled: { kind: 'boolean', defaultValue: true },
        confirmed: { kind: 'boolean', defaultValue: true },
        password: { nullable: true, password: true },
        ...external,
        ...timestamps,
      },
      relationships: {
        customer: { target: 'customers', required: true },
        userRoles: { target: 'customeruserroles', toMany: { owned: true }, defaultIds: ['2'] },
        ...ownership,
      },
      upsert: null,
      batch: true,
    },
    {
      name: 'customeraddresses',
      readOnly: false,
      numericIds: true,
      timestamps: true,
      attributes: {
        label: { nullable: true, maxLength: 255 },
        street: { required: true, maxLength: 500 },
        street2: { nullable: true, maxLength: 500 },
        city: { required: true, maxLength: 255, filter: 'string' },
        postalCode: { required: true, maxLength: 255, filter: 'string' },
        ...timestamps,
      },
      relationships: {
        customer: { target: 'customers', required: true },
        country: { target: 'countries', required: true },
        ...ownership,
      },
      upsert: null,
      batch: true,
    },
    {
      // Oro's users: a unique username and email, so upsert by either (and no generated-id upsert).
      name: 'users',
      readOnly: false,
      numericIds: true,
      timestamps: true,
      attributes: {
        username: { required: true, maxLength: 255, unique: true, indexed: true, filter: 'string' },
        email: { required: true, maxLength: 255, email: true, unique: true, indexed: true, filter: 'string' },
        firstName: { nullable: true, maxLength: 255 },
        lastName: { nullable: true, maxLength: 255 },
        ...timestamps,
      },
      relationships: { organization: { target: 'organizations', defaultId: '1' } },
      upsert: { byId: false, keys: [['username'], ['email']] },
      batch: false,
    },
    readOnlyType('organizations', { name: { required: true, filter: 'string' } }),
    readOnlyType('countries', { name: { required: true, filter: 'string' }, iso3Code: { required: true } }, {}, false),
    readOnlyType('customeruserroles', { role: { required: true, filter: 'string' }, label: { required: true, filter: 'string' } }),
    readOnlyType('attributefamilies', { code: { required: true, filter: 'string' } }),
    readOnlyType('productunits', { defaultPrecision: { kind: 'integer', required: true } }, {}, false),
    readOnlyType('prodinventorystatuses', { name: { required: true } }, {}, false),
    readOnlyType('localizations', { name: { required: true, filter: 'string' } }),
  ];
}

/** The type map of one Oro version, by JSON:API type name. */
export function typesFor(version: OroVersion): ReadonlyMap<string, TypeSpec> {
  return new Map(specsFor(version).map((spec) => [spec.name, spec]));
}

/** The newest version the fake plays (the default). */
export const LATEST_VERSION: OroVersion = '7.0';

/** The types of the newest version (the default `Store`'s). */
export const TYPES: ReadonlyMap<string, TypeSpec> = typesFor(LATEST_VERSION);

/** The records every fresh fake starts with (ids are assigned in this order). */
export const FIXTURES: readonly { readonly type: string; readonly id?: string; readonly attributes: Record<string, string | number> }[] = [
  { type: 'organizations', attributes: { name: 'ORO' } },
  { type: 'users', attributes: { username: 'admin', email: 'admin@example.com', firstName: 'John', lastName: 'Doe' } },
  { type: 'countries', id: 'DE', attributes: { name: 'Germany', iso3Code: 'DEU' } },
  { type: 'countries', id: 'FR', attributes: { name: 'France', iso3Code: 'FRA' } },
  { type: 'countries', id: 'GB', attributes: { name: 'United Kingdom', iso3Code: 'GBR' } },
  { type: 'countries', id: 'US', attributes: { name: 'United States', iso3Code: 'USA' } },
  { type: 'customeruserroles', attributes: { role: 'ROLE_FRONTEND_ADMINISTRATOR', label: 'Administrator' } },
  { type: 'customeruserroles', attributes: { role: 'ROLE_FRONTEND_BUYER', label: 'Buyer' } },
  { type: 'attributefamilies', attributes: { code: 'default_family' } },
  { type: 'productunits', id: 'item', attributes: { defaultPrecision: 0 } },
  { type: 'productunits', id: 'set', attributes: { defaultPrecision: 0 } },
  { type: 'productunits', id: 'kg', attributes: { defaultPrecision: 3 } },
  { type: 'prodinventorystatuses', id: 'in_stock', attributes: { name: 'In Stock' } },
  { type: 'prodinventorystatuses', id: 'out_of_stock', attributes: { name: 'Out of Stock' } },
  { type: 'prodinventorystatuses', id: 'discontinued', attributes: { name: 'Discontinued' } },
  { type: 'localizations', attributes: { name: 'English (United States)' } },
];

/** The pseudo type that exposes Batch API operations. */
export const ASYNC_OPERATIONS = 'asyncoperations';
