import { map, type OperatorFunction } from 'rxjs';
import type { Json, Relationship, ResourceIdentifier, ResourceObject } from '../types/jsonapi.js';
import { isOutcome, rejected, type ErrorDetail, type MappedRecord, type RelatedRef, type Step } from '../types/outcome.js';
import { rawOf, type SourceRecord } from '../types/record.js';
import type { Mutable } from '../types/mutable.js';
import { shortJson } from './format-decode-errors.js';
import { getPath, pointerOf } from '../util/path.js';
import { sourceName, sourcePointer, valueAt, type ValueSource } from './mapping-value.js';
import { asKind, fieldKind, type FieldKind } from './oro-field-types.js';
import { hasProductParts, productLater, productPartsOf, type UnitPrecisionMapping } from './product-parts.js';
import { transformed, transformLater, wantsExisting, type Transform } from './transform-later.js';
import type { BuiltLater } from '../types/existing.js';

export type { ValueSource } from './mapping-value.js';
export type { UnitPrecisionMapping } from './product-parts.js';
export type { Transform, TransformContext, TransformResult } from './transform-later.js';

/** One Oro relationship filled from a source field that holds the related record's id. */
export interface RelationshipMapping {
  /** The related Oro resource type, e.g. `customergroups`. */
  readonly type: string;
  /** Dot path in the source record of the related id. */
  readonly source: string;
  /**
   * The Oro field that the source value matches (`externalId`) when the source holds its own key
   * rather than Oro's id. Such a relationship is not put in the resource here: it is carried in
   * `MappedRecord.related`, and the sink resolves the keys to Oro ids before writing.
   */
  readonly match?: string;
}

/** One Oro relationship that is the same for every record: `{ "type": "attributefamilies", "id": "1" }`. */
export interface ConstantRelationship {
  readonly type: string;
  readonly id: string;
}

/**
 * How a source record becomes an Oro resource (the `target` part of the config).
 *
 * @example
 * ```ts
 * const mapping: Mapping<Customer> = {
 *   type: 'customers',
 *   key: { source: 'id', oro: 'externalId' },
 *   attributes: { name: 'company.name', externalId: 'id' },
 *   relationships: { group: { type: 'customergroups', source: 'groupId' } },
 * };
 * records$.pipe(mapRecords(mapping));
 * ```
 */
export interface Mapping<A = unknown> {
  /** Oro resource type, e.g. `customers`. */
  readonly type: string;
  /** `source`: dot path of the record's key; `oro`: the Oro attribute / filter that holds it. */
  readonly key: { readonly source: string; readonly oro: string };
  /** Oro attribute name <- source dot path, or a constant `{ value }`. */
  readonly attributes?: Readonly<Record<string, ValueSource>>;
  /** Oro relationship name <- source dot path holding the related id, or a constant `{ type, id }`. */
  readonly relationships?: Readonly<Record<string, RelationshipMapping | ConstantRelationship>>;
  /** Products: the default name (`names.default`), changed in place on update. */
  readonly names?: { readonly default: ValueSource };
  /** Products: one unit precision per entry, the first primary, changed in place on update. */
  readonly unitPrecisions?: readonly UnitPrecisionMapping[];
  /** Dot path of the record's change time (ISO string, or epoch milliseconds). */
  readonly watermark?: string;
  /**
   * Replaces `attributes` / `relationships` when given. May throw: the record is then rejected.
   * One that declares a second parameter is told Oro's record (see {@link Transform}).
   */
  readonly transform?: Transform<A>;
}

/** A mapping problem with one record, carried out of the helpers below as a value. */
class Refusal {
  constructor(readonly detail: ErrorDetail) {}
}

/**
 * Maps each decoded source record to a {@link MappedRecord}: the JSON:API resource to write, the
 * record's key (as a string) and its change time. Outcomes already decided upstream pass untouched;
 * a record that cannot be mapped becomes a `rejected` outcome naming the record and the field.
 * One step out per step in, in order; the operator never errors because of a record.
 *
 * Declarative rules (when there is no `transform`):
 * - a source path that is absent: the attribute / relationship is left out, so Oro keeps its value
 *   (source-wins writes only what is mapped and present);
 * - `null`: sent as `null` (`{ data: null }` for a relationship, which clears it);
 * - strings, numbers, booleans, objects and arrays are sent as the JSON they are; a `Date` is sent
 *   as its ISO string; `NaN`, `Infinity`, bigints and functions reject the record;
 * - text for a field Oro types as a number or a boolean (a product's `featured`, a unit
 *   precision's `precision`: see `fieldKind`) is sent as one, an empty text left out;
 * - a constant `{ value }` is sent as that value, a constant relationship `{ type, id }` as it is;
 * - a relationship value `v` becomes `{ data: { type, id: String(v) } }`, an array becomes a to-many
 *   relationship, and an empty (or blank) string counts as `null` (an empty CSV cell means "none");
 * - `attributes` / `relationships` are left out of the resource when nothing was mapped into them;
 * - `names` / `unitPrecisions` (products) are carried as `MappedRecord.later`: the sink writes
 *   them once it knows the product's existing names and precisions (see `productBody`).
 *
 * A transform that declares a second parameter is likewise carried as `later`, called by the sink
 * with `{ action, existing }` once Oro's record is read.
 *
 * Rejected: a key that is missing, empty or not a string/number; a transform that throws or
 * returns no resource `type`; a watermark that is not a time. `changedAt` keeps a string
 * watermark as is and turns epoch milliseconds into ISO 8601.
 *
 * ```
 * source:              --a--b--o--k--|   (o an outcome from upstream, k has no key)
 * mapRecords(mapping): --A--B--o--r--|   (A = { value: MappedRecord, position }, r = rejected(k))
 * ```
 *
 * @example
 * source$.pipe(
 *   decodeWith(recordWithKey('id')),
 *   mapRecords({
 *     type: 'customers',
 *     key: { source: 'id', oro: 'externalId' },
 *     attributes: { name: 'name', externalId: 'id', active: { value: true } },
 *     relationships: { group: { type: 'customergroups', source: 'groupId' } },
 *     watermark: 'updatedAt',
 *   }),
 * );
 *
 * @throws RangeError at construction when the mapping has no `type` or no key paths.
 */
export function mapRecords<A>(mapping: Mapping<A>): OperatorFunction<Step<A>, Step<MappedRecord>> {
  if (mapping.type.trim() === '') throw new RangeError('mapRecords: mapping.type must name an Oro resource type');
  if (mapping.key.source.trim() === '' || mapping.key.oro.trim() === '') {
    throw new RangeError('mapRecords: mapping.key.source and mapping.key.oro must both be set');
  }
  const compiled = compile(mapping);
  return map((step): Step<MappedRecord> => {
    if (isOutcome(step)) return step;
    const result = mapOne(compiled, step);
    return result instanceof Refusal ? rejected(step, [result.detail]) : { ...step, value: result, raw: rawOf(step) };
  });
}

/** A mapping's rules as lists, made once: not an `Object.entries` per record and field. */
interface Compiled<A> {
  readonly mapping: Mapping<A>;
  /** Name, value source, and the JSON type Oro wants when it is not a string. */
  readonly attributes: readonly (readonly [string, ValueSource, FieldKind | undefined])[];
  readonly relationships: readonly (readonly [string, RelationshipMapping | ConstantRelationship])[];
  readonly products: boolean;
  /** The transform runs in the sink, told Oro's record. */
  readonly later: boolean;
}

function compile<A>(mapping: Mapping<A>): Compiled<A> {
  return {
    mapping,
    attributes: Object.entries(mapping.attributes ?? {}).map(([name, source]) => [name, source, fieldKind(mapping.type, name)] as const),
    relationships: Object.entries(mapping.relationships ?? {}),
    products: hasProductParts(mapping),
    later: mapping.transform !== undefined && wantsExisting(mapping.transform),
  };
}

function mapOne<A>(compiled: Compiled<A>, record: SourceRecord<A>): MappedRecord | Refusal {
  const { mapping } = compiled;
  const where = record.position.where;
  const rawKey = getPath(record.value, mapping.key.source);
  const keyProblem = checkKey(rawKey);
  if (keyProblem !== undefined) {
    return new Refusal({
      title: 'invalid record',
      detail: `record at ${where}: key ${JSON.stringify(mapping.key.source)} ${keyProblem}`,
      pointer: pointerOf(mapping.key.source),
    });
  }
  const key = String(rawKey);
  // Only an error needs it: not a string built per record.
  const which = (): string => `record ${JSON.stringify(key)} at ${where}`;

  const body = bodyOf(compiled, record.value, which);
  if (body instanceof Refusal) return body;

  const changedAt = watermarkOf(mapping.watermark, record.value, which);
  if (changedAt instanceof Refusal) return changedAt;

  const mapped: Mutable<MappedRecord> = { resource: body.resource, key };
  if (body.included) mapped.included = body.included;
  if (body.related) mapped.related = body.related;
  if (body.later) mapped.later = body.later;
  if (changedAt !== undefined) mapped.changedAt = changedAt;
  return mapped;
}

/** Why a key value cannot be used, or `undefined` when it can. */
function checkKey(value: unknown): string | undefined {
  if (value === undefined) return 'is missing';
  if (value === null) return 'is null';
  if (typeof value === 'string') return value.trim() === '' ? `is empty (${shortJson(value)})` : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `is not a finite number (${value})`;
  return `must be a string or a number, got ${shortJson(value)}`;
}

type Body = { resource: ResourceObject; included?: readonly ResourceObject[]; related?: readonly RelatedRef[]; later?: BuiltLater };

function bodyOf<A>(compiled: Compiled<A>, value: A, which: () => string): Body | Refusal {
  const { mapping } = compiled;
  const { transform } = mapping;
  if (transform === undefined) {
    const body = declarative(compiled, value, which);
    if (body instanceof Refusal || !compiled.products) return body;
    const product = productPartsOf(mapping, value, which());
    return 'problem' in product ? new Refusal(product.problem) : { ...body, later: productLater(product.parts, which) };
  }
  if (compiled.later) return { resource: { type: mapping.type }, later: transformLater(transform, value, mapping.type, which) };
  // A transform that declares no second parameter is called with the record alone.
  const body = transformed(() => (transform as (value: A) => unknown)(value), which);
  return typeof body === 'string' ? new Refusal({ title: 'transform failed', detail: body }) : body;
}

function declarative<A>(compiled: Compiled<A>, value: A, which: () => string): Body | Refusal {
  const attributes: Record<string, Json> = {};
  let hasAttributes = false;
  for (const [name, source, kind] of compiled.attributes) {
    const raw = valueAt(value, source);
    if (raw === undefined) continue;
    let json = toJson(raw);
    if (json !== undefined && kind !== undefined) {
      const converted = asKind(kind, json);
      if ('expected' in converted) {
        return new Refusal({
          title: 'invalid record',
          detail: `${which()}: attribute ${JSON.stringify(name)} <- ${sourceName(source)} expected ${converted.expected}, got ${shortJson(raw)}`,
          ...sourcePointer(source),
        });
      }
      if (converted.value === undefined) continue;
      json = converted.value;
    }
    if (json === undefined) {
      return new Refusal({
        title: 'invalid record',
        detail: `${which()}: attribute ${JSON.stringify(name)} <- ${sourceName(source)} is not a JSON value (${shortJson(raw)})`,
        ...sourcePointer(source),
      });
    }
    attributes[name] = json;
    hasAttributes = true;
  }

  const relationships: Record<string, Relationship> = {};
  let hasRelationships = false;
  const related: RelatedRef[] = [];
  for (const [name, rel] of compiled.relationships) {
    if (!('source' in rel)) {
      relationships[name] = { data: { type: rel.type, id: rel.id } };
      hasRelationships = true;
      continue;
    }
    const raw = getPath(value, rel.source);
    if (raw === undefined) continue;
    const data = relationshipData(rel.type, raw);
    if (data !== undefined && rel.match !== undefined && data !== null) {
      // Source keys, not Oro ids: the sink resolves them (and may wait for them) before writing.
      const keys = Array.isArray(data) ? data.map((d) => d.id) : [(data as ResourceIdentifier).id];
      related.push({ relationship: name, type: rel.type, match: rel.match, keys, many: Array.isArray(data) });
      continue;
    }
    if (data === undefined) {
      return new Refusal({
        title: 'invalid record',
        detail: `${which()}: relationship ${JSON.stringify(name)} <- ${JSON.stringify(rel.source)} expected an id (string or number), or an array of ids, got ${shortJson(raw)}`,
        pointer: pointerOf(rel.source),
      });
    }
    relationships[name] = { data };
    hasRelationships = true;
  }

  const resource: Mutable<ResourceObject> = { type: compiled.mapping.type };
  if (hasAttributes) resource.attributes = attributes;
  if (hasRelationships) resource.relationships = relationships;
  return related.length > 0 ? { resource, related } : { resource };
}

/** A mapped value as JSON, or `undefined` when JSON cannot carry it faithfully. */
function toJson(value: unknown): Json | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'object':
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
      // Decoded from JSON (or built by a codec from it): nested values are JSON already.
      return value as Json;
    default:
      return undefined;
  }
}

function identifierOf(type: string, value: unknown): ResourceIdentifier | null | undefined {
  if (value === null || (typeof value === 'string' && value.trim() === '')) return null;
  if (typeof value === 'string') return { type, id: value };
  if (typeof value === 'number' && Number.isFinite(value)) return { type, id: String(value) };
  return undefined;
}

function relationshipData(type: string, value: unknown): Relationship['data'] | undefined {
  if (!Array.isArray(value)) return identifierOf(type, value);
  const ids: ResourceIdentifier[] = [];
  for (const item of value) {
    const id = identifierOf(type, item);
    if (id === undefined) return undefined;
    if (id !== null) ids.push(id);
  }
  return ids;
}

function watermarkOf(path: string | undefined, value: unknown, which: () => string): string | undefined | Refusal {
  if (path === undefined) return undefined;
  const raw = getPath(value, path);
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw === 'string') return raw;
  const date = typeof raw === 'number' ? new Date(raw) : raw instanceof Date ? raw : undefined;
  if (date !== undefined && !Number.isNaN(date.getTime())) return date.toISOString();
  return new Refusal({
    title: 'invalid record',
    detail: `${which()}: watermark ${JSON.stringify(path)} expected a time (ISO string or epoch milliseconds), got ${shortJson(raw)}`,
    pointer: pointerOf(path),
  });
}
