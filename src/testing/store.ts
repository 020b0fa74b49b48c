/**
 * In-memory records of the fake Oro, with hash indexes on key attributes and on every to-one
 * relationship, so that key lookups and inverse relationships (`children`) never scan a table.
 */
import type { Json } from '../types/index.js';
import type { StoreView, TypeSpec } from './family.js';
import type { StoredLink, StoredRecord } from './records.js';
import type { OroVersion } from './versions.js';

export type { StoredLink, StoredRecord } from './records.js';

const keyOf = (value: Json | StoredLink | undefined): string => (value === null || value === undefined ? '\u0000' : String(value));

const EMPTY: ReadonlySet<string> = new Set();

/** Ids under one index value: a bare id while it is unique (most keys are), a Set once shared. */
type Bucket = string | Set<string>;

/** The index key of an attribute or a relationship. */
export const attrKey = (name: string): string => `a:${name}`;
export const relKey = (name: string): string => `r:${name}`;
/** The index key of a case-insensitive unique attribute, keyed by the lower-cased value. */
export const lowerKey = (name: string): string => `l:${name}`;

/** A table's rows and id counter at one moment (`Table.snapshot`). */
export interface TableSnapshot {
  readonly rows: readonly StoredRecord[];
  readonly nextId: number;
}

/** Every table of a store at one moment (`Store.snapshot`): what a backup of Oro's database holds. */
export interface StoreSnapshot {
  readonly tables: ReadonlyMap<string, TableSnapshot>;
}

/** The table of one type. Rows iterate in id-ascending order. */
export class Table {
  private readonly rows = new Map<string, StoredRecord>();
  private readonly indexes = new Map<string, Map<string, Bucket>>();
  private readonly fields: { readonly attribute: boolean; readonly name: string; readonly index: Map<string, Bucket>; readonly lower: boolean }[] = [];
  private nextId = 1;
  /** Bumped by every put and delete: what a cached view of the rows was built from. */
  private changes = 0;
  private readonly views = new Map<string, { readonly changes: number; readonly value: unknown }>();

  constructor(readonly spec: TypeSpec) {
    const add = (attribute: boolean, name: string, lower = false): void => {
      const index = new Map<string, Bucket>();
      this.indexes.set(lower ? lowerKey(name) : attribute ? attrKey(name) : relKey(name), index);
      this.fields.push({ attribute, name, index, lower });
    };
    for (const [name, attr] of Object.entries(spec.attributes)) {
      if (attr.indexed || attr.unique) add(true, name);
      if (attr.caseInsensitive) add(true, name, true);
    }
    for (const [name, rel] of Object.entries(spec.relationships)) if (!rel.toMany) add(false, name);
  }

  get size(): number {
    return this.rows.size;
  }

  get(id: string): StoredRecord | undefined {
    return this.rows.get(id);
  }

  has(id: string): boolean {
    return this.rows.has(id);
  }

  /** Rows in id-ascending order (numeric ids are only ever appended, so insertion order is id order). */
  values(): IterableIterator<StoredRecord> {
    return this.rows.values();
  }

  /** The id the next created record gets. */
  allocateId(): string {
    return String(this.nextId++);
  }

  /** The rows and the id counter as they are now (rows are never changed in place: a copy of the list holds them). */
  snapshot(): TableSnapshot {
    return { rows: [...this.rows.values()], nextId: this.nextId };
  }

  /** Back to `snapshot`: rows, indexes and the id counter (the ids given out since are given out again). */
  restore(snapshot: TableSnapshot): void {
    for (const record of [...this.rows.values()]) this.delete(record.id);
    for (const record of snapshot.rows) this.put(record);
    this.nextId = snapshot.nextId;
  }

  /** `true` when `key` (from `attrKey`/`relKey`) has an index. */
  isIndexed(key: string): boolean {
    return this.indexes.has(key);
  }

  /** Ids whose indexed field equals `value` (null matches absent values). */
  lookup(key: string, value: Json): ReadonlySet<string> {
    const bucket = this.indexes.get(key)?.get(keyOf(value));
    return bucket === undefined ? EMPTY : typeof bucket === 'string' ? new Set([bucket]) : bucket;
  }

  /** Inserts or replaces a record, keeping indexes in step. */
  /**
   * A view of the rows (the rows sorted one way) built by `build` and kept until the table next
   * changes: a client reading page after page of an unchanging list costs one build.
   */
  view<T>(key: string, build: () => T): T {
    const cached = this.views.get(key);
    if (cached?.changes === this.changes) return cached.value as T;
    const value = build();
    this.views.set(key, { changes: this.changes, value });
    return value;
  }

  put(record: StoredRecord): void {
    this.changes += 1;
    const old = this.rows.get(record.id);
    if (old) this.unindex(old);
    this.rows.set(record.id, record);
    this.index(record);
  }

  delete(id: string): boolean {
    const old = this.rows.get(id);
    if (!old) return false;
    this.changes += 1;
    this.unindex(old);
    this.rows.delete(id);
    return true;
  }

  private keyIn(f: { readonly attribute: boolean; readonly name: string; readonly lower: boolean }, record: StoredRecord): string {
    const k = keyOf(f.attribute ? record.attributes[f.name] : record.relationships[f.name]);
    return f.lower ? k.toLowerCase() : k;
  }

  private index(record: StoredRecord): void {
    for (const f of this.fields) {
      const k = this.keyIn(f, record);
      const bucket = f.index.get(k);
      if (bucket === undefined) f.index.set(k, record.id);
      else if (typeof bucket === 'string') f.index.set(k, new Set([bucket, record.id]));
      else bucket.add(record.id);
    }
  }

  private unindex(record: StoredRecord): void {
    for (const f of this.fields) {
      const k = this.keyIn(f, record);
      const bucket = f.index.get(k);
      if (bucket === record.id) f.index.delete(k);
      else if (typeof bucket === 'object') {
        bucket.delete(record.id);
        if (bucket.size === 0) f.index.delete(k);
      }
    }
  }
}

/** Every table of the fake, for the types of one Oro version; what hooks read (`StoreView`). */
export class Store implements StoreView {
  private readonly tables = new Map<string, Table>();
  /** Oro's system configuration options that change behaviour (`FakeOroOptions.config`). */
  readonly config = new Map<string, Json>();

  constructor(
    readonly specs: ReadonlyMap<string, TypeSpec>,
    readonly version: OroVersion,
  ) {
    for (const [name, spec] of specs) this.tables.set(name, new Table(spec));
  }

  /** The spec of a type in this store's version, or undefined for a type it does not have. */
  spec(type: string): TypeSpec | undefined {
    return this.specs.get(type);
  }

  /** The table of a type, or undefined for an unknown type. */
  table(type: string): Table | undefined {
    return this.tables.get(type);
  }

  /** Every table as it is now. */
  snapshot(): StoreSnapshot {
    return { tables: new Map([...this.tables].map(([type, table]) => [type, table.snapshot()])) };
  }

  /** Every table back to `snapshot`, id counters included. */
  restore(snapshot: StoreSnapshot): void {
    for (const [type, table] of this.tables) {
      const saved = snapshot.tables.get(type);
      if (saved) table.restore(saved);
    }
  }

  /** `true` when a record of that type and id exists. */
  exists(type: string, id: string): boolean {
    return this.tables.get(type)?.has(id) ?? false;
  }

  get(type: string, id: string): StoredRecord | undefined {
    return this.tables.get(type)?.get(id);
  }

  all(type: string): Iterable<StoredRecord> {
    const table = this.tables.get(type);
    if (!table) return [];
    return table.spec.idKind === 'integer' ? table.values() : [...table.values()].sort((a, b) => compareIds(a.id, b.id));
  }

  find(type: string, field: string, value: Json): ReadonlySet<string> {
    const table = this.tables.get(type);
    if (!table) return new Set();
    const spec = table.spec;
    const key = field in spec.relationships ? relKey(field) : spec.attributes[field]?.caseInsensitive ? lowerKey(field) : attrKey(field);
    if (table.isIndexed(key)) return table.lookup(key, key === lowerKey(field) && typeof value === 'string' ? value.toLowerCase() : value);
    const ids = new Set<string>();
    for (const record of table.values()) if ((field in spec.relationships ? record.relationships[field] : record.attributes[field]) === value) ids.add(record.id);
    return ids;
  }
}

/** Numeric-aware id comparison: integer ids by value, other ids as strings. */
export function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isInteger(na) && Number.isInteger(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}
