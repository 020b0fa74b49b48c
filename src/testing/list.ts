/**
 * `GET {base}/{type}`: filters (`filter[f]=a,b`, `filter[f][op]=v`, `filter[id]=5..7`), sorting,
 * paging. Equality filters on indexed fields (id, externalId, sku, email, to-one relationships)
 * read the index instead of scanning the table.
 */
import type { Json } from '../types/index.js';
import { ApiFailure, apiError, param, type ApiError } from './json-api.js';
import type { TypeSpec } from './family.js';
import { attrKey, compareIds, relKey, type Table, type StoredRecord } from './store.js';

type Op = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'exists' | 'neq_or_null';
type Kind = 'int' | 'number' | 'boolean' | 'string' | 'datetime' | 'rel';

/** One parsed `filter[...]` parameter. */
export interface Filter {
  /** The query parameter as sent, e.g. `filter[id][gt]`. */
  readonly parameter: string;
  /** Its value as sent. */
  readonly raw: string;
  readonly field: string;
  readonly kind: Kind;
  readonly op: Op;
  readonly values: readonly string[];
  readonly ranges: readonly (readonly [string, string])[];
  readonly exists?: boolean;
  readonly indexKey: string | undefined;
}

const ALL_OPS: readonly Op[] = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'exists', 'neq_or_null'];
/**
 * Every operator name Oro knows in `filter[f][name]=v` (ApiBundle's `filter_operators`); another
 * last `[...]` is read as part of the filter's path, so the filter itself is unknown.
 */
const OPERATOR_NAMES: ReadonlySet<string> = new Set([
  ...ALL_OPS, 'contains', 'not_contains', 'starts_with', 'not_starts_with', 'ends_with', 'not_ends_with', 'empty',
]);
const EQUALITY_OPS: readonly Op[] = ['eq', 'neq', 'exists', 'neq_or_null'];
const LIST_PARAMS = new Set(['page[number]', 'page[size]', 'sort', 'include']);

/** A record's value of a filter field. */
function fieldOf(record: StoredRecord, filter: { field: string; kind: Kind }): Json | undefined {
  if (filter.field === 'id') return record.id;
  if (filter.kind !== 'rel') return record.attributes[filter.field];
  const link = record.relationships[filter.field];
  return typeof link === 'string' || link === null ? link : undefined;
}

/** Compares two non-null values of a kind. */
function compare(kind: Kind, a: string, b: string): number {
  if (kind === 'int' || kind === 'number') return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

function normalise(kind: Kind, raw: string, name: string): string {
  if (kind === 'int') {
    if (!/^-?\d+$/.test(raw)) throw new ApiFailure([apiError(400, 'filter constraint', `Expected integer value. Given "${raw}".`, param(name))]);
    return String(Number(raw));
  }
  if (kind === 'number') {
    if (raw.trim() === '' || !Number.isFinite(Number(raw))) throw new ApiFailure([apiError(400, 'filter constraint', `Expected number value. Given "${raw}".`, param(name))]);
    return String(Number(raw));
  }
  if (kind === 'boolean') {
    const b = raw.toLowerCase();
    if (!['true', 'false', '1', '0', 'yes', 'no'].includes(b)) throw new ApiFailure([apiError(400, 'filter constraint', `Expected boolean value. Given "${raw}".`, param(name))]);
    return String(['true', '1', 'yes'].includes(b));
  }
  if (kind === 'datetime') {
    const ms = Date.parse(raw);
    if (Number.isNaN(ms)) throw new ApiFailure([apiError(400, 'filter constraint', `Expected datetime value. Given "${raw}".`, param(name))]);
    return `${new Date(ms).toISOString().slice(0, 19)}Z`;
  }
  return raw;
}

/** Parses every `filter[...]` parameter; unknown filters and operators are 400 "filter constraint". */
export function parseFilters(spec: TypeSpec, table: Table, query: URLSearchParams): Filter[] {
  const filters: Filter[] = [];
  const errors: ApiError[] = [];
  for (const [name, raw] of query) {
    if (LIST_PARAMS.has(name) || /^fields\[[^\]]+\]$/.test(name)) continue;
    const m = /^filter\[([^\]]+)\](?:\[([^\]]+)\])?$/.exec(name);
    const field = m?.[1];
    let kind: Kind | undefined;
    let indexKey: string | undefined;
    if (field === 'id') kind = spec.idKind === 'integer' ? 'int' : 'string';
    else if (field !== undefined && spec.attributes[field]?.filter) {
      kind = spec.attributes[field]?.filter;
      if (table.isIndexed(attrKey(field))) indexKey = attrKey(field);
    } else if (field !== undefined && spec.relationships[field] && !spec.relationships[field]?.toMany) {
      kind = 'rel';
      indexKey = relKey(field);
    }
    if (field === undefined || kind === undefined || (m?.[2] !== undefined && !OPERATOR_NAMES.has(m[2]))) {
      errors.push(apiError(400, 'filter constraint', 'The filter is not supported.', param(name)));
      continue;
    }
    const op = (m?.[2] ?? 'eq') as Op;
    const allowed = field === 'id' || kind === 'datetime' || kind === 'number' ? ALL_OPS : EQUALITY_OPS;
    if (!allowed.includes(op)) {
      errors.push(apiError(400, 'filter constraint', `The operator "${op}" is not supported.`, param(name)));
      continue;
    }
    try {
      if (op === 'exists') {
        const b = raw.toLowerCase();
        if (!['true', 'false', '1', '0', 'yes', 'no'].includes(b))
          throw new ApiFailure([apiError(400, 'filter constraint', `Expected boolean value. Given "${raw}".`, param(name))]);
        filters.push({ parameter: name, raw, field, kind, op, values: [], ranges: [], exists: ['true', '1', 'yes'].includes(b), indexKey });
        continue;
      }
      const values: string[] = [];
      const ranges: [string, string][] = [];
      for (const part of raw.split(',')) {
        const range = /^(.+)\.\.(.+)$/.exec(part);
        if (range?.[1] !== undefined && range[2] !== undefined && (kind === 'int' || kind === 'number' || kind === 'datetime'))
          ranges.push([normalise(kind, range[1], name), normalise(kind, range[2], name)]);
        else values.push(normalise(kind, part, name));
      }
      filters.push({ parameter: name, raw, field, kind, op, values, ranges, indexKey });
    } catch (e) {
      if (e instanceof ApiFailure) errors.push(...e.errors);
      else throw e;
    }
  }
  if (errors.length > 0) throw new ApiFailure(errors);
  return filters;
}

function matches(filter: Filter, record: StoredRecord): boolean {
  const raw = fieldOf(record, filter);
  const value = raw === null || raw === undefined ? null : String(raw);
  if (filter.op === 'exists') return (value !== null) === filter.exists;
  const inSet = (v: string): boolean =>
    filter.values.some((x) => compare(filter.kind, v, x) === 0) || filter.ranges.some(([lo, hi]) => compare(filter.kind, v, lo) >= 0 && compare(filter.kind, v, hi) <= 0);
  if (filter.op === 'neq_or_null') return value === null || !inSet(value);
  if (value === null) return false;
  switch (filter.op) {
    case 'eq':
      return inSet(value);
    case 'neq':
      return !inSet(value);
    default: {
      const bound = filter.values[0] ?? filter.ranges[0]?.[0];
      if (bound === undefined) return false;
      const c = compare(filter.kind, value, bound);
      return filter.op === 'lt' ? c < 0 : filter.op === 'lte' ? c <= 0 : filter.op === 'gt' ? c > 0 : c >= 0;
    }
  }
}

/** Records matching every filter, id ascending; uses an index for an equality filter when it can. */
export function selectRecords(table: Table, filters: readonly Filter[]): StoredRecord[] {
  const seek = filters.find((f) => f.op === 'eq' && f.ranges.length === 0 && (f.field === 'id' || f.indexKey !== undefined));
  let candidates: StoredRecord[];
  if (seek) {
    const ids = new Set<string>();
    for (const v of seek.values) {
      if (seek.field === 'id') ids.add(v);
      else if (seek.indexKey) for (const id of table.lookup(seek.indexKey, v)) ids.add(id);
    }
    candidates = [...ids].sort(compareIds).flatMap((id) => table.get(id) ?? []);
  } else candidates = [...table.values()];
  if (table.spec.idKind !== 'integer' && !seek) candidates.sort((a, b) => compareIds(a.id, b.id));
  return filters.length === 0 ? candidates : candidates.filter((r) => filters.every((f) => matches(f, r)));
}

/**
 * The order `sort=-updatedAt,id` asks for, or undefined for the default (id ascending, as
 * selected). Unknown fields are 400 "sort constraint". Oro adds no tie-breaker: rows with equal
 * sort keys come in whatever order the database returns them, not by id. Here that order is a
 * scramble of the ids, the same on every request (pages stay consistent) but not id order, so a
 * client that relies on ties coming by id finds out in its tests.
 */
export function sortOrder(spec: TypeSpec, raw: string | null): ((a: StoredRecord, b: StoredRecord) => number) | undefined {
  if (raw === null || raw === '' || raw === 'id') return undefined;
  const keys = raw.split(',').map((part) => {
    const desc = part.startsWith('-');
    const field = desc ? part.slice(1) : part;
    if (field !== 'id' && !spec.attributes[field]?.sortable)
      throw new ApiFailure([apiError(400, 'sort constraint', `Sorting by "${field}" field is not supported.`, param('sort'))]);
    const numeric = ['integer', 'number'].includes(spec.attributes[field]?.kind ?? 'string');
    return { field, desc, kind: (field === 'id' ? (spec.idKind === 'integer' ? 'int' : 'string') : numeric ? 'number' : 'string') as Kind };
  });
  const byId = keys.some((key) => key.field === 'id');
  return (a, b) => {
    for (const key of keys) {
      const va = fieldOf(a, { field: key.field, kind: key.kind });
      const vb = fieldOf(b, { field: key.field, kind: key.kind });
      const na = va === null || va === undefined;
      const nb = vb === null || vb === undefined;
      let c = na && nb ? 0 : na ? -1 : nb ? 1 : compare(key.kind, String(va), String(vb));
      if (key.desc) c = -c;
      if (c !== 0) return c;
    }
    return byId ? 0 : scramble(a.id) - scramble(b.id) || compareIds(a.id, b.id);
  };
}

/** FNV-1a of an id: a fixed, id-unrelated order for rows whose sort keys tie. */
function scramble(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * The rows of the page `[start, start + size)` of `records` in `order` (size `-1`: all), and
 * whether rows follow it. A page near the start of a long list is picked with a bounded heap
 * instead of sorting every row: a client that reads page 1 of "what comes after my keyset" over
 * and over must not cost the fake a full sort per request.
 */
export function sortedPage<T>(records: T[], order: ((a: T, b: T) => number) | undefined, start: number, size: number): { rows: T[]; hasNext: boolean } {
  if (size === 0) return { rows: [], hasNext: false };
  const end = size === -1 ? records.length : start + size;
  const hasNext = records.length > end;
  if (order === undefined) return { rows: records.slice(start, end), hasNext };
  if (end * 8 >= records.length) return { rows: records.sort(order).slice(start, end), hasNext };
  // A max-heap of the `end` first rows in `order`: most rows are refused by one comparison with its top.
  const heap: T[] = [];
  const swap = (i: number, j: number): void => void ([heap[i], heap[j]] = [heap[j] as T, heap[i] as T]);
  const up = (from: number): void => {
    for (let i = from; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (order(heap[i] as T, heap[parent] as T) <= 0) return;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (): void => {
    for (let i = 0; ; ) {
      const [l, r] = [2 * i + 1, 2 * i + 2];
      let top = i;
      if (l < heap.length && order(heap[l] as T, heap[top] as T) > 0) top = l;
      if (r < heap.length && order(heap[r] as T, heap[top] as T) > 0) top = r;
      if (top === i) return;
      swap(i, top);
      i = top;
    }
  };
  for (const record of records) {
    if (heap.length < end) {
      heap.push(record);
      up(heap.length - 1);
    } else if (order(record, heap[0] as T) < 0) {
      heap[0] = record;
      down();
    }
  }
  return { rows: heap.sort(order).slice(start, end), hasNext };
}

/**
 * The page `[start, start + size)` of a list request and whether rows follow it (and, when
 * `total` is asked, how many rows match). A request whose first sort key is an attribute with a
 * lower bound on it (`filter[updatedAt][gte]=t&sort=updatedAt,id`: a keyset reader's page 1) is
 * answered from the table sorted once, from the bound on, as a database answers it from an index;
 * any other from the matching rows.
 */
export function listPage(table: Table, spec: TypeSpec, filters: readonly Filter[], sort: string | null, start: number, size: number, total: boolean): { rows: StoredRecord[]; hasNext: boolean; total?: number } {
  const order = sortOrder(spec, sort);
  const first = sort?.split(',')[0];
  const lower = order !== undefined && first !== undefined && !first.startsWith('-') && first !== 'id' && size > 0 && !total
    ? lowerBound(filters, first)
    : undefined;
  const seeks = filters.some((f) => f.op === 'eq' && f.ranges.length === 0 && (f.field === 'id' || f.indexKey !== undefined));
  if (order === undefined || lower === undefined || seeks) {
    const records = selectRecords(table, filters);
    return { ...sortedPage(records, order, start, size), ...(total ? { total: records.length } : {}) };
  }
  const sorted = table.view(`sorted:${sort ?? ''}`, () => selectRecords(table, []).sort(order));
  const value = (record: StoredRecord): string | null => {
    const raw = fieldOf(record, lower);
    return raw === null || raw === undefined ? null : String(raw);
  };
  // The first row at or after the bound (rows without a value sort first and match no bound).
  let lo = 0;
  for (let hi = sorted.length; lo < hi; ) {
    const mid = (lo + hi) >> 1;
    const v = value(sorted[mid] as StoredRecord);
    if (v === null || compare(lower.kind, v, lower.bound) < 0) lo = mid + 1;
    else hi = mid;
  }
  const rows: StoredRecord[] = [];
  let matched = 0;
  for (let i = lo; i < sorted.length; i += 1) {
    const record = sorted[i] as StoredRecord;
    const v = value(record);
    // Past an upper bound on the sort key nothing more can match.
    if (v !== null && lower.upper !== undefined && compare(lower.kind, v, lower.upper.bound) > (lower.upper.inclusive ? 0 : -1)) break;
    if (!filters.every((f) => matches(f, record))) continue;
    if (matched >= start + size) return { rows, hasNext: true };
    if (matched >= start) rows.push(record);
    matched += 1;
  }
  return { rows, hasNext: false };
}

/** The greatest lower bound the filters put on `field` (`gte`, `gt`, `eq`), with the least upper bound (`eq`, `lt`, `lte`). */
function lowerBound(filters: readonly Filter[], field: string): { field: string; kind: Kind; bound: string; upper?: { bound: string; inclusive: boolean } } | undefined {
  let found: { field: string; kind: Kind; bound: string; upper?: { bound: string; inclusive: boolean } } | undefined;
  for (const f of filters) {
    if (f.field !== field || f.values.length !== 1 || f.ranges.length > 0) continue;
    const v = f.values[0] as string;
    if (f.op === 'gte' || f.op === 'gt' || f.op === 'eq') {
      if (found === undefined || compare(f.kind, v, found.bound) > 0) found = { ...(found ?? {}), field, kind: f.kind, bound: v };
    }
  }
  if (found === undefined) return undefined;
  for (const f of filters) {
    if (f.field !== field || f.values.length !== 1 || f.ranges.length > 0 || !['eq', 'lt', 'lte'].includes(f.op)) continue;
    const upper = { bound: f.values[0] as string, inclusive: f.op !== 'lt' };
    if (found.upper === undefined || compare(f.kind, upper.bound, found.upper.bound) < 0) found = { ...found, upper };
  }
  return found;
}
