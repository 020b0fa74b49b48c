/**
 * What a resource family declares, and the hooks the machinery calls. A family (customers,
 * products, prices, orders...) is one module in `families/`: its types with their attributes,
 * relationships, required fields, filters, sorters, read-only fields, version switches and upsert
 * support, plus hooks for the rules that are not data (a required filter, ids Oro builds, records
 * Oro creates itself). The HTTP machinery reads these and knows no type by name.
 * See docs/fake-oro.md, "Adding an Oro type".
 */
import type { Json } from '../types/index.js';
import type { ApiError } from './json-api.js';
import type { Fields, StoredLink, StoredRecord } from './records.js';
import type { OroVersion } from './versions.js';

/** The JSON type of an attribute's value (Oro's `string`, `boolean`, `integer`, `float`, `objects`...). */
export type AttributeKind = 'string' | 'boolean' | 'integer' | 'number' | 'array';

/** Constraints of one attribute. */
export interface AttributeSpec {
  /** The value's JSON type; default `string`. */
  readonly kind?: AttributeKind;
  /** The value a create without the attribute gets (e.g. `enabled: true`). */
  readonly defaultValue?: Json;
  readonly required?: boolean;
  /** Oro's message for a required value that is missing or blank (default "This value should not be blank."). */
  readonly blankMessage?: string;
  /** The values Symfony's Choice constraint allows ("choice constraint", "The value you selected is not a valid choice."). */
  readonly choices?: readonly string[];
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
  /** Set on create only: a value sent on update is ignored (an order's `external`). */
  readonly createOnly?: boolean;
  /**
   * Unique per type, answered 400 by a validator before anything is saved: a unique column, or a
   * validator such as `externalId`'s. `uniqueError` is the validator's title and message.
   */
  readonly unique?: boolean;
  /** Oro's title and detail for a duplicate (default "unique entity constraint", "This value is already used."). */
  readonly uniqueError?: { readonly title: string; readonly detail: string };
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
  /** How `filter[x]` compares values (`number` and `datetime` take every operator); absent = not filterable. */
  readonly filter?: 'string' | 'datetime' | 'number' | 'boolean';
  /** Allowed in `sort`. */
  readonly sortable?: boolean;
}

/** One relationship. */
export interface RelationshipSpec {
  readonly target: string;
  /**
   * To-many relationships are either the inverse side of a to-one relationship of the target
   * (`children` of `parent`, `addresses` of the address's `customer`), read from it, or owned
   * (stored on the record, e.g. a customer user's `userRoles`). In a write, members created by
   * the same request get their `inverseOf` relationship set to the record; members that already
   * exist are left as they are.
   */
  readonly toMany?: { readonly inverseOf: string } | { readonly owned: true };
  readonly required?: boolean;
  /**
   * What Oro answers for a required relationship that is missing or empty (default one "not blank
   * constraint", "This value should not be blank."), each at the relationship's `data`.
   */
  readonly blankErrors?: readonly { readonly title: string; readonly detail: string }[];
  /** Applied on create when the client does not send the relationship. */
  readonly defaultId?: string;
  /** Owned to-many relationships: the members a create without the relationship gets. */
  readonly defaultIds?: readonly string[];
  /** Set on create only: a value sent on update is ignored, as Oro's unmapped field (an address's `customer`). */
  readonly createOnly?: boolean;
  /** Set by the server: a value sent is ignored (an order's `internalStatus`); `seed` and `touch` still set it. */
  readonly readOnly?: boolean;
  /**
   * Writable only while Oro's system configuration option of this name is `true` (`config`,
   * `setConfig`); otherwise a value sent is ignored, as Oro ignores an order's `status` unless
   * `oro_order.order_enable_external_status_management` is on.
   */
  readonly writableWhen?: string;
  /** `false`: its `relationships/{name}` route is read-only (Oro's `update_relationship: false`). */
  readonly updateRelationship?: boolean;
  /**
   * Oro refuses to create a record of this relationship inside `included` ("new included entity
   * existence constraint"): a new parent or child customer could close a cycle.
   */
  readonly noNewIncluded?: boolean;
}

/** The actions a type allows; a disallowed one answers 405 "The "create" action is not allowed.". */
export interface TypeActions {
  readonly create: boolean;
  readonly update: boolean;
  readonly delete: boolean;
}

/** `meta.upsert` support as Oro derives it (`CompleteUpsertConfig`); null: "The upsert operation is not allowed.". */
export type UpsertSupport = null | { readonly byId: boolean; readonly keys: readonly (readonly string[])[] };

/** One resource type. */
export interface TypeSpec {
  readonly name: string;
  /** Only GET/OPTIONS (organizations, countries...). */
  readonly readOnly: boolean;
  /** `integer` ids are compared, filtered and sorted as numbers; `string` ids as strings. */
  readonly idKind: 'integer' | 'string';
  /** Ids are assigned by the server (`hooks.newId`, else the table's next integer). */
  readonly generatedIds: boolean;
  /** Server-maintained `createdAt` / `updatedAt`: set on create, bumped by every write. */
  readonly timestamps: boolean;
  readonly attributes: Readonly<Record<string, AttributeSpec>>;
  readonly relationships: Readonly<Record<string, RelationshipSpec>>;
  /**
   * By id only when the id is not generated, by fields only for a unique column mapped to an API
   * field (a unique constraint that includes a foreign key does not count).
   */
  readonly upsert: UpsertSupport;
  /** Batch API (`update_list`) enabled unless the server options disable it. */
  readonly batch: boolean;
  readonly actions: TypeActions;
  readonly hooks: TypeHooks;
}

/** Read access to the fake's records, for hooks. */
export interface StoreView {
  spec(type: string): TypeSpec | undefined;
  get(type: string, id: string): StoredRecord | undefined;
  /** The records of a type, id ascending. */
  all(type: string): Iterable<StoredRecord>;
  /** Ids of `type` whose indexed attribute or to-one relationship `field` equals `value`. */
  find(type: string, field: string, value: Json): ReadonlySet<string>;
}

/** What every hook may read. */
export interface HookContext {
  readonly store: StoreView;
  readonly version: OroVersion;
  /** An Oro system configuration option (`FakeOroOptions.config`, `setConfig`); undefined when unset. */
  config(name: string): Json | undefined;
  /** `now()` of the fake, in ms. */
  readonly now: number;
}

/** What an `afterSave` / `afterDelete` hook may also do: records Oro writes itself. */
export interface MutationContext extends HookContext {
  /** Creates a record of `type` as Oro would (id, timestamps, defaults); no validation. */
  insert(type: string, attributes: Record<string, Json>, relationships?: Record<string, StoredLink>): StoredRecord;
  /** Replaces a stored record's values (timestamps bumped where the type has them). */
  replace(type: string, record: StoredRecord): void;
  /** Removes a record (its own `afterDelete` hooks run too). */
  remove(type: string, id: string): void;
}

/** One record about to be written, as a `validate` hook sees it (nothing is saved yet). */
export interface WriteCheck {
  readonly spec: TypeSpec;
  /** The stored record an update changes; undefined for a create. */
  readonly existing: StoredRecord | undefined;
  /** The values after the write: sent values merged over the stored ones, defaults applied. */
  readonly fields: Fields;
  /** `attributes` and `relationships` as the request sent them (`{}` when absent). */
  readonly sent: { readonly attributes: Readonly<Record<string, unknown>>; readonly relationships: Readonly<Record<string, unknown>> };
  /** JSON pointer of the resource object (`/data`, `/data/3`, `/included/0`). */
  readonly pointer: string;
  /**
   * Every resource object written with this one (the request, or one Batch API record and its
   * included records), as sent: for rules across records (a product's default name is one of the
   * included records it lists).
   */
  readonly request: readonly { readonly raw: unknown; readonly pointer: string }[];
}

/** One `filter[...]` of a list request, as a `listErrors` hook sees it. */
export interface ListFilter {
  readonly field: string;
  readonly op: string;
  /** The comma-separated values as sent (ranges `a..b` unsplit). */
  readonly values: readonly string[];
  /** The query parameter, e.g. `filter[priceList]`. */
  readonly parameter: string;
}

/** Type-specific rules that are not data. Every hook is optional. */
export interface TypeHooks {
  /** More errors for a record about to be written (a 403 for a closed order, a cycle of parents...). */
  readonly validate?: (write: WriteCheck, ctx: HookContext) => readonly ApiError[];
  /** The id of a new record (e.g. `<guid>-<priceListId>`); default the table's next integer. */
  readonly newId?: (record: { readonly attributes: Readonly<Record<string, Json>>; readonly relationships: Readonly<Record<string, StoredLink>> }, ctx: HookContext) => string;
  /**
   * Side effects once a record is saved (a create when `before` is undefined); `sent` is what a
   * request sent for it, records created by the same request named by their new ids (absent when
   * a hook wrote it).
   */
  readonly afterSave?: (saved: { readonly record: StoredRecord; readonly before: StoredRecord | undefined; readonly sent?: WriteCheck['sent'] }, ctx: MutationContext) => void;
  /** Side effects once a record is deleted. */
  readonly afterDelete?: (deleted: StoredRecord, ctx: MutationContext) => void;
  /** Refuses a list read before it runs (a required filter, a filter that takes one value only). */
  readonly listErrors?: (filters: readonly ListFilter[], ctx: HookContext) => readonly ApiError[];
}

/** A record every fresh fake starts with. */
export interface Fixture {
  readonly type: string;
  /** For types whose ids are not generated (`countries`: `DE`); else the next id. */
  readonly id?: string;
  readonly attributes: Readonly<Record<string, Json>>;
  /** Defaults to each to-one relationship's `defaultId`. */
  readonly relationships?: Readonly<Record<string, StoredLink>>;
}

/** Hooks a family adds to a type of another family (a price list's records when a product unit changes). */
export type Observers = Readonly<Record<string, Pick<TypeHooks, 'validate' | 'afterSave' | 'afterDelete'>>>;

/**
 * One family of Oro resources: one file in `families/`.
 *
 * @example
 * export const widgets: Family = {
 *   name: 'widgets',
 *   types: () => [defineType({ name: 'widgets', attributes: { name: { required: true } }, batch: true })],
 * };
 */
export interface Family {
  readonly name: string;
  /** The types of this family in one Oro version (version switches live here). */
  readonly types: (version: OroVersion) => readonly TypeSpec[];
  /** Records every fresh fake starts with (ids assigned in this order). */
  readonly fixtures?: readonly Fixture[];
  /** Hooks on types that other families declare, keyed by type name. */
  readonly observers?: Observers;
}

/** What `defineType` needs; everything else has Oro's usual default. */
export type TypeDefinition = Pick<TypeSpec, 'name'> & Partial<Omit<TypeSpec, 'name' | 'actions'>> & { readonly actions?: Partial<TypeActions> };

/**
 * A type with the defaults most Oro resources have: writable, integer ids the server assigns,
 * no timestamps, no upsert, Batch API off, no hooks. A read-only type allows no write action.
 *
 * @example
 * defineType({ name: 'customergroups', attributes: { name: { required: true } }, timestamps: true, batch: true });
 */
export function defineType(definition: TypeDefinition): TypeSpec {
  const readOnly = definition.readOnly ?? false;
  const idKind = definition.idKind ?? 'integer';
  return {
    name: definition.name,
    readOnly,
    idKind,
    generatedIds: definition.generatedIds ?? idKind === 'integer',
    timestamps: definition.timestamps ?? false,
    attributes: definition.attributes ?? {},
    relationships: definition.relationships ?? {},
    upsert: definition.upsert ?? null,
    batch: definition.batch ?? false,
    actions: { create: !readOnly, update: !readOnly, delete: !readOnly, ...definition.actions },
    hooks: definition.hooks ?? {},
  };
}

/** `createdAt` / `updatedAt` as Oro renders them: read-only, filterable and sortable. */
export const TIMESTAMPS = {
  createdAt: { readOnly: true, filter: 'datetime', sortable: true },
  updatedAt: { readOnly: true, filter: 'datetime', sortable: true },
} as const satisfies Record<string, AttributeSpec>;

/** `owner` and `organization`, which default to the token's user and organization (1 and 1 here). */
export const OWNERSHIP = {
  owner: { target: 'users', defaultId: '1' },
  organization: { target: 'organizations', defaultId: '1' },
} as const satisfies Record<string, RelationshipSpec>;
