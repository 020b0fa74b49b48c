/**
 * The resource types the fake Oro knows, with the subset of Oro's metadata that matters to a
 * customer sync: attributes and their constraints, relationships, filters, upsert and Batch API.
 */

/** Constraints of one attribute (every attribute of the fake is a string). */
export interface AttributeSpec {
  readonly required?: boolean;
  /** Accepts `null` (an absent value); required attributes never do. */
  readonly nullable?: boolean;
  readonly maxLength?: number;
  readonly email?: boolean;
  /** Set by the server; values sent by clients are ignored. */
  readonly readOnly?: boolean;
  /** A unique database constraint ("unique entity constraint" on duplicates). */
  readonly unique?: boolean;
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
  readonly toMany?: { readonly inverseOf: string };
  readonly required?: boolean;
  /** Applied on create when the client does not send the relationship. */
  readonly defaultId?: string;
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
  /** `meta.upsert` support: null = "The upsert operation is not allowed." */
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

const SPECS: readonly TypeSpec[] = [
  {
    name: 'customers',
    readOnly: false,
    numericIds: true,
    timestamps: true,
    attributes: {
      name: name255,
      externalId: { nullable: true, maxLength: 36, indexed: true, filter: 'string', sortable: true },
      ...timestamps,
    },
    relationships: {
      group: { target: 'customergroups' },
      parent: { target: 'customers' },
      children: { target: 'customers', toMany: { inverseOf: 'parent' } },
      addresses: { target: 'customeraddresses', toMany: { inverseOf: 'customer' } },
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
      sku: { required: true, maxLength: 255, unique: true, uniqueScope: 'organization', indexed: true, filter: 'string', sortable: true },
      name: { nullable: true, maxLength: 255, filter: 'string', sortable: true },
      ...timestamps,
    },
    relationships: { ...ownership },
    upsert: { byId: true, keys: [['sku'], ['sku', 'organization']] },
    batch: true,
  },
  {
    name: 'customerusers',
    readOnly: false,
    numericIds: true,
    timestamps: true,
    attributes: {
      email: { required: true, maxLength: 255, email: true, indexed: true, filter: 'string', sortable: true },
      firstName: { required: true, maxLength: 255, filter: 'string' },
      lastName: { required: true, maxLength: 255, filter: 'string' },
      ...timestamps,
    },
    relationships: { customer: { target: 'customers', required: true }, ...ownership },
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
    name: 'users',
    readOnly: true,
    numericIds: true,
    timestamps: true,
    attributes: {
      username: { required: true, filter: 'string' },
      email: { required: true, email: true, indexed: true, filter: 'string' },
      firstName: { nullable: true },
      lastName: { nullable: true },
      ...timestamps,
    },
    relationships: { organization: { target: 'organizations' } },
    upsert: null,
    batch: false,
  },
  {
    name: 'organizations',
    readOnly: true,
    numericIds: true,
    timestamps: true,
    attributes: { name: { required: true, filter: 'string' }, ...timestamps },
    relationships: {},
    upsert: null,
    batch: false,
  },
  {
    name: 'countries',
    readOnly: true,
    numericIds: false,
    timestamps: false,
    attributes: { name: { required: true, filter: 'string' }, iso3Code: { required: true } },
    relationships: {},
    upsert: null,
    batch: false,
  },
];

/** Every type of the fake, by JSON:API type name. */
export const TYPES: ReadonlyMap<string, TypeSpec> = new Map(SPECS.map((spec) => [spec.name, spec]));

/** The records every fresh fake starts with (ids are assigned in this order). */
export const FIXTURES: readonly { readonly type: string; readonly id?: string; readonly attributes: Record<string, string> }[] = [
  { type: 'organizations', attributes: { name: 'ORO' } },
  { type: 'users', attributes: { username: 'admin', email: 'admin@example.com', firstName: 'John', lastName: 'Doe' } },
  { type: 'countries', id: 'DE', attributes: { name: 'Germany', iso3Code: 'DEU' } },
  { type: 'countries', id: 'FR', attributes: { name: 'France', iso3Code: 'FRA' } },
  { type: 'countries', id: 'GB', attributes: { name: 'United Kingdom', iso3Code: 'GBR' } },
  { type: 'countries', id: 'US', attributes: { name: 'United States', iso3Code: 'USA' } },
];

/** The pseudo type that exposes Batch API operations. */
export const ASYNC_OPERATIONS = 'asyncoperations';
