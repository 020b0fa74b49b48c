/**
 * The customers family: customers, their groups, users and addresses, and the records they point
 * at (Oro users, organizations, countries, regions, customer ratings, customer user roles). Sources: oroinc/customer-portal
 * `CustomerBundle` (`Resources/config/oro/api.yml`, `Tests/Functional/Api/RestJsonApi`), 7.0.
 */
import { apiError, at, isObject, type ApiError } from '../json-api.js';
import { defineType, OWNERSHIP, TIMESTAMPS, type AttributeSpec, type Family, type HookContext, type TypeSpec, type WriteCheck } from '../family.js';
import { atLeast, type OroVersion } from '../versions.js';

const name255: AttributeSpec = { required: true, maxLength: 255, filter: 'string', sortable: true };

/** `externalId` on customers and customer users: 6.1.10+ and 7.0.2+. Unique per type through a validator, nullable, at most 36 characters. */
const externalId = (version: OroVersion): Record<string, AttributeSpec> =>
  atLeast(version, '6.1') ? { externalId: { nullable: true, maxLength: 36, unique: true, uniqueByValidator: true, indexed: true, filter: 'string', sortable: true } } : {};

/** `true` when `ancestor` is `id` itself or above it through `parent` links. */
function isAncestorOrSelf(ctx: HookContext, ancestor: string, id: string): boolean {
  const seen = new Set<string>();
  for (let current: string | undefined = id; current !== undefined && !seen.has(current); ) {
    if (current === ancestor) return true;
    seen.add(current);
    const link: unknown = ctx.store.get('customers', current)?.relationships['parent'];
    current = typeof link === 'string' ? link : undefined;
  }
  return false;
}

const nameOf = (ctx: HookContext, id: string): string => String(ctx.store.get('customers', id)?.attributes['name'] ?? id);

/**
 * Oro's circular customer reference check: a `parent` or `children` change of an existing customer
 * may not make it its own ancestor ("circular customer reference constraint", naming both).
 */
function circularReferences(write: WriteCheck, ctx: HookContext): ApiError[] {
  const { existing, sent, pointer } = write;
  if (!existing) return [];
  const title = 'circular customer reference constraint';
  const self = nameOf(ctx, existing.id);
  const errors: ApiError[] = [];
  const parent = write.fields.relationships['parent'];
  const parentNow = typeof parent === 'string' ? parent : undefined;
  if ('parent' in sent.relationships && parentNow !== undefined && isAncestorOrSelf(ctx, existing.id, parentNow))
    errors.push(apiError(400, title, `Circular reference detected. '${nameOf(ctx, parentNow)}' cannot be a parent of '${self}' because it is its child.`, at(`${pointer}/relationships/parent/data`)));
  const children = sent.relationships['children'];
  for (const member of isObject(children) && Array.isArray(children['data']) ? children['data'] : []) {
    if (!isObject(member) || typeof member['id'] !== 'string') continue;
    const child = member['id'];
    // A child that is this record's parent (or above it) would be its own ancestor.
    const above = parentNow !== undefined && isAncestorOrSelf(ctx, child, parentNow);
    if (above || isAncestorOrSelf(ctx, child, existing.id)) {
      errors.push(apiError(400, title, `Circular reference detected. '${nameOf(ctx, child)}' cannot be a child of '${self}' because it is its parent.`, at(`${pointer}/relationships/children/data`)));
      break;
    }
  }
  return errors;
}

/** What a customer address and a customer user address have (CustomerBundle's `get_customer_address.yml`). */
const addressAttributes: Record<string, AttributeSpec> = {
  phone: { nullable: true, maxLength: 255 },
  primary: { kind: 'boolean', defaultValue: false },
  label: { nullable: true, maxLength: 255 },
  street: { required: true, maxLength: 500 },
  street2: { nullable: true, maxLength: 500 },
  city: { required: true, maxLength: 255, filter: 'string' },
  postalCode: { required: true, maxLength: 255, filter: 'string' },
  // The company's name, not a relationship: the record's organization is `systemOrganization`.
  organization: { nullable: true, maxLength: 255 },
  namePrefix: { nullable: true, maxLength: 255 },
  firstName: { nullable: true, maxLength: 255 },
  middleName: { nullable: true, maxLength: 255 },
  lastName: { nullable: true, maxLength: 255 },
  nameSuffix: { nullable: true, maxLength: 255 },
  customRegion: { nullable: true, maxLength: 255 },
  validatedAt: { nullable: true },
  // `[{ "default": true, "addressType": "billing" }, …]`, stored as sent.
  types: { kind: 'array', defaultValue: [] },
  ...TIMESTAMPS,
};

/** An address type: its owner (`customer` or `customerUser`, set on create only) and where it is. */
const addressType = (name: string, owner: string, ownerType: string): TypeSpec =>
  defineType({
    name,
    timestamps: true,
    attributes: addressAttributes,
    relationships: {
      [owner]: { target: ownerType, required: true, createOnly: true, updateRelationship: false },
      owner: OWNERSHIP.owner,
      systemOrganization: { target: 'organizations', defaultId: '1', updateRelationship: false },
      country: { target: 'countries', required: true, updateRelationship: false },
      region: { target: 'regions', updateRelationship: false },
    },
    batch: true,
  });

/** The types of one version. */
function types(version: OroVersion): TypeSpec[] {
  return [
    defineType({
      name: 'customers',
      timestamps: true,
      attributes: { name: name255, ...externalId(version), ...TIMESTAMPS },
      relationships: {
        group: { target: 'customergroups' },
        parent: { target: 'customers', noNewIncluded: true },
        children: { target: 'customers', toMany: { inverseOf: 'parent' }, noNewIncluded: true },
        addresses: { target: 'customeraddresses', toMany: { inverseOf: 'customer' } },
        users: { target: 'customerusers', toMany: { inverseOf: 'customer' } },
        salesRepresentatives: { target: 'users', toMany: { owned: true } },
        // Snake case, as Oro names it.
        internal_rating: { target: 'customerratings' },
        ...OWNERSHIP,
      },
      batch: true,
      hooks: { validate: circularReferences },
    }),
    defineType({ name: 'customergroups', timestamps: true, attributes: { name: name255, ...TIMESTAMPS }, relationships: { ...OWNERSHIP }, batch: true }),
    defineType({
      name: 'customerusers',
      timestamps: true,
      attributes: {
        email: {
          required: true,
          minLength: 6,
          maxLength: 255,
          email: true,
          // CustomerBundle's UniqueCustomerUserNameAndEmail validator, as with "case-insensitive email addresses" on.
          unique: true,
          uniqueError: { title: 'unique customer user name and email constraint', detail: 'This email is already used.' },
          caseInsensitive: true,
          indexed: true,
          filter: 'string',
          sortable: true,
        },
        firstName: { required: true, maxLength: 255, filter: 'string' },
        lastName: { required: true, maxLength: 255, filter: 'string' },
        enabled: { kind: 'boolean', defaultValue: true },
        confirmed: { kind: 'boolean', defaultValue: true },
        password: { nullable: true, password: true },
        ...externalId(version),
        ...TIMESTAMPS,
      },
      relationships: {
        customer: { target: 'customers', required: true },
        userRoles: { target: 'customeruserroles', toMany: { owned: true }, defaultIds: ['2'] },
        addresses: { target: 'customeruseraddresses', toMany: { inverseOf: 'customerUser' } },
        ...OWNERSHIP,
      },
      // Email is indexed, not a unique column: no upsert.
      batch: true,
    }),
    addressType('customeraddresses', 'customer', 'customers'),
    addressType('customeruseraddresses', 'customerUser', 'customerusers'),
    defineType({
      // Oro's users: a unique username and email, so upsert by either (and no generated-id upsert).
      name: 'users',
      timestamps: true,
      attributes: {
        username: { required: true, maxLength: 255, unique: true, indexed: true, filter: 'string' },
        email: { required: true, maxLength: 255, email: true, unique: true, indexed: true, filter: 'string' },
        firstName: { nullable: true, maxLength: 255 },
        lastName: { nullable: true, maxLength: 255 },
        ...TIMESTAMPS,
      },
      relationships: { organization: { target: 'organizations', defaultId: '1' } },
      upsert: { byId: false, keys: [['username'], ['email']] },
    }),
    defineType({ name: 'organizations', readOnly: true, timestamps: true, attributes: { name: { required: true, filter: 'string' }, ...TIMESTAMPS } }),
    defineType({ name: 'countries', readOnly: true, idKind: 'string', attributes: { name: { required: true, filter: 'string' }, iso3Code: { required: true } } }),
    // Ids are Oro's combined codes (`US-NY`).
    defineType({
      name: 'regions',
      readOnly: true,
      idKind: 'string',
      attributes: { name: { required: true, filter: 'string' }, code: { required: true } },
      relationships: { country: { target: 'countries', required: true } },
    }),
    // An enum: ids `1_of_5`…`5_of_5`.
    defineType({ name: 'customerratings', readOnly: true, idKind: 'string', attributes: { name: { required: true } } }),
    defineType({
      name: 'customeruserroles',
      readOnly: true,
      timestamps: true,
      attributes: { role: { required: true, filter: 'string' }, label: { required: true, filter: 'string' }, ...TIMESTAMPS },
    }),
  ];
}

/** Customers, customer groups, customer users, their addresses, Oro users and what they point at. */
export const customers: Family = {
  name: 'customers',
  types,
  fixtures: [
    { type: 'organizations', attributes: { name: 'ORO' } },
    { type: 'users', attributes: { username: 'admin', email: 'admin@example.com', firstName: 'John', lastName: 'Doe' } },
    { type: 'countries', id: 'DE', attributes: { name: 'Germany', iso3Code: 'DEU' } },
    { type: 'countries', id: 'FR', attributes: { name: 'France', iso3Code: 'FRA' } },
    { type: 'countries', id: 'GB', attributes: { name: 'United Kingdom', iso3Code: 'GBR' } },
    { type: 'countries', id: 'US', attributes: { name: 'United States', iso3Code: 'USA' } },
    { type: 'regions', id: 'DE-BE', attributes: { name: 'Berlin', code: 'BE' }, relationships: { country: 'DE' } },
    { type: 'regions', id: 'DE-BY', attributes: { name: 'Bayern', code: 'BY' }, relationships: { country: 'DE' } },
    { type: 'regions', id: 'US-CA', attributes: { name: 'California', code: 'CA' }, relationships: { country: 'US' } },
    { type: 'regions', id: 'US-NY', attributes: { name: 'New York', code: 'NY' }, relationships: { country: 'US' } },
    ...[1, 2, 3, 4, 5].map((n) => ({ type: 'customerratings', id: `${n}_of_5`, attributes: { name: `${n} of 5` } })),
    { type: 'customeruserroles', attributes: { role: 'ROLE_FRONTEND_ADMINISTRATOR', label: 'Administrator' } },
    { type: 'customeruserroles', attributes: { role: 'ROLE_FRONTEND_BUYER', label: 'Buyer' } },
  ],
};
