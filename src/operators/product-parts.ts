/**
 * A product's default name and unit precisions, mapped from a source record (`target.names`,
 * `target.unitPrecisions`) and written the way Oro keeps them: created with the product, changed
 * in place afterwards (docs/oro-api.md, "Products").
 *
 * Why `included` items with `meta.update` inside the product's own write, rather than
 * `PATCH /productnames/{id}` and `PATCH /productunitprecisions/{id}`: it is one request per product
 * in every mode. The Batch API takes one type per request, so separate name and precision writes
 * could not ride in the product's batch (and `productnames` has no Batch API by default). In a
 * batch, Oro links an included item to a record only through the record's own relationships, so
 * the product lists its names and precisions; a to-many relationship replaces the collection,
 * so it lists every one Oro holds (read with the product), not only those changed: the other
 * localized names and the units the source does not map stay as they are.
 */
import type { Json, Relationship, ResourceIdentifier, ResourceObject } from '../types/jsonapi.js';
import type { ErrorDetail } from '../types/outcome.js';
import type { BuiltBody, BuiltLater, ExistingRead, ExistingRecord } from '../types/existing.js';
import type { Mutable } from '../types/mutable.js';
import { shortJson } from './format-decode-errors.js';
import { sourceName, sourcePointer, valueAt, type ValueSource } from './mapping-value.js';
import { asKind, fieldKind } from './oro-field-types.js';

/** One entry of `target.unitPrecisions`: the unit, and the precision's fields. */
export interface UnitPrecisionMapping {
  readonly unit: ValueSource;
  readonly precision?: ValueSource;
  readonly conversionRate?: ValueSource;
  readonly sell?: ValueSource;
}

/** The product parts of a mapping. */
export interface ProductPartsMapping {
  /** `default`: the product's default name (the name without a localization). */
  readonly names?: { readonly default: ValueSource };
  /** The first entry is the primary unit precision. */
  readonly unitPrecisions?: readonly UnitPrecisionMapping[];
}

/** What one record says about its product's default name and unit precisions. */
export interface ProductParts {
  /** Absent: the source has no name for it (the product's names are left alone). */
  readonly name?: Json;
  /** In mapping order, one per unit; the first is the primary. */
  readonly precisions: readonly { readonly unit: string; readonly attributes: Readonly<Record<string, Json>> }[];
}

const NAMES = 'productnames';
const PRECISIONS = 'productunitprecisions';
const PRECISION_FIELDS = ['precision', 'conversionRate', 'sell'] as const;

/** A product read with what its update needs: the ids and contents of its names and precisions. */
export const PRODUCT_READ: ExistingRead = {
  include: ['names', 'unitPrecisions'],
  fields: {
    products: ['names', 'unitPrecisions', 'primaryUnitPrecision'],
    [NAMES]: ['string', 'fallback', 'localization'],
    [PRECISIONS]: [...PRECISION_FIELDS, 'unit'],
  },
};

/** Whether a mapping has product parts at all. */
export function hasProductParts(mapping: ProductPartsMapping): boolean {
  return mapping.names !== undefined || (mapping.unitPrecisions?.length ?? 0) > 0;
}

/**
 * The product parts of one record, or the problem that keeps it from being written (the mapping
 * entry and source field named). A unit precision whose unit is absent or empty is left out (an
 * optional second unit in a CSV), but the first, primary one must have its unit. A precision's
 * text fields are sent as the numbers and booleans Oro wants.
 *
 * @example
 * ```ts
 * productPartsOf({ names: { default: 'name' }, unitPrecisions: [{ unit: 'unit', precision: 'precision' }] },
 *   { name: 'Widget', unit: 'item', precision: '0' }, 'record "P-1" at products.csv:2');
 * // { parts: { name: 'Widget', precisions: [{ unit: 'item', attributes: { precision: 0 } }] } }
 * ```
 */
export function productPartsOf(mapping: ProductPartsMapping, value: unknown, which: string): { readonly parts: ProductParts } | { readonly problem: ErrorDetail } {
  const parts: Mutable<ProductParts> = { precisions: [] };
  if (mapping.names !== undefined) {
    const name = valueAt(value, mapping.names.default);
    if (name !== undefined) {
      if (name !== null && typeof name !== 'string' && typeof name !== 'number') {
        return { problem: invalid(`${which}: names.default <- ${sourceName(mapping.names.default)} expected a string, got ${shortJson(name)}`, mapping.names.default) };
      }
      parts.name = name === null ? null : String(name);
    }
  }
  const precisions: { unit: string; attributes: Record<string, Json> }[] = [];
  for (const [index, entry] of (mapping.unitPrecisions ?? []).entries()) {
    const where = `unitPrecisions[${index}]`;
    const unit = valueAt(value, entry.unit);
    if (unit === undefined || unit === null || (typeof unit === 'string' && unit.trim() === '')) {
      if (index === 0) return { problem: invalid(`${which}: ${where}.unit <- ${sourceName(entry.unit)} is ${unit === undefined ? 'missing' : 'empty'}: the primary unit precision needs a unit`, entry.unit) };
      continue;
    }
    if (typeof unit !== 'string' && typeof unit !== 'number') {
      return { problem: invalid(`${which}: ${where}.unit <- ${sourceName(entry.unit)} expected a unit code, got ${shortJson(unit)}`, entry.unit) };
    }
    const code = String(unit).trim();
    if (precisions.some((p) => p.unit === code)) {
      return { problem: invalid(`${which}: ${where}.unit is "${code}" again: Oro keeps one precision per unit`, entry.unit) };
    }
    const attributes: Record<string, Json> = {};
    for (const field of PRECISION_FIELDS) {
      const source = entry[field];
      if (source === undefined) continue;
      const raw = valueAt(value, source) as Json | undefined;
      if (raw === undefined) continue;
      const kind = fieldKind(PRECISIONS, field);
      const converted = kind === undefined ? { value: raw } : asKind(kind, raw);
      if ('expected' in converted) {
        return { problem: invalid(`${which}: ${where}.${field} <- ${sourceName(source)} expected ${converted.expected}, got ${shortJson(raw)}`, source) };
      }
      if (converted.value !== undefined) attributes[field] = converted.value;
    }
    precisions.push({ unit: code, attributes });
  }
  parts.precisions = precisions;
  return { parts };
}

function invalid(detail: string, source: ValueSource): ErrorDetail {
  return { title: 'invalid record', detail, ...sourcePointer(source) };
}

/**
 * The record's product parts as the sink builds them once the product is read (see
 * {@link BuiltLater}); `which` names the record in a problem.
 */
export function productLater(parts: ProductParts, which: () => string): BuiltLater {
  return {
    basis: parts as unknown as Json,
    read: PRODUCT_READ,
    build: (resource, existing) => {
      const body = productBody(resource, parts, existing);
      return typeof body === 'string' ? { problem: { title: 'unexpected answer', detail: `${which()}: ${body}` } } : body;
    },
  };
}

/**
 * The product's document: on create (`existing` undefined) its default name and unit precisions
 * as `included` items with temporary ids, the first precision primary; on update only what
 * differs from Oro's copy: the existing default name's `string`, an existing precision's fields
 * (`meta.update`, same ids), a precision for a unit the product lacks (created), and the primary
 * precision when it is another unit's now. Never a second default name, never a second precision
 * for a unit.
 *
 * Returns why not (text) when Oro's copy lists names or precisions its answer did not include:
 * guessing there would risk the very duplicates this avoids.
 */
export function productBody(resource: ResourceObject, parts: ProductParts, existing: ExistingRecord | undefined): BuiltBody | string {
  const relationships: Record<string, Relationship> = { ...resource.relationships };
  const included: ResourceObject[] = [];
  const names = existing ? listed(existing, 'names', NAMES) : [];
  const precisions = existing ? listed(existing, 'unitPrecisions', PRECISIONS) : [];
  if (typeof names === 'string') return names;
  if (typeof precisions === 'string') return precisions;
  const unknown = names.find((name) => name.relationships?.['localization'] === undefined);
  if (existing && unknown) return `Oro's answer for ${existing.data.type} ${existing.data.id} does not say whether ${NAMES} ${unknown.id} is the default name (no "localization")`;
  if (parts.name !== undefined) nameBody(parts.name, names, relationships, included);
  if (parts.precisions.length > 0) precisionsBody(parts, precisions, existing, relationships, included);
  const body: Mutable<ResourceObject> = { ...resource };
  if (Object.keys(relationships).length > 0) body.relationships = relationships;
  return included.length > 0 ? { resource: body, included } : { resource: body };
}

function nameBody(name: Json, refs: readonly ResourceObject[], relationships: Record<string, Relationship>, included: ResourceObject[]): void {
  const current = refs.find((ref) => isDefaultName(ref));
  if (current) {
    if (current.attributes?.['string'] === name) return;
    included.push({ type: NAMES, id: current.id as string, meta: { update: true }, attributes: { string: name } });
  } else {
    included.push({ type: NAMES, id: 'name-default', attributes: { fallback: null, string: name } });
  }
  relationships['names'] = { data: [...refs.map(identifier), ...(current ? [] : [{ type: NAMES, id: 'name-default' }])] };
}

function precisionsBody(
  parts: ProductParts,
  refs: readonly ResourceObject[],
  existing: ExistingRecord | undefined,
  relationships: Record<string, Relationship>,
  included: ResourceObject[],
): void {
  const added: ResourceIdentifier[] = [];
  let primary: string | undefined;
  parts.precisions.forEach(({ unit, attributes }, index) => {
    const current = refs.find((ref) => unitOf(ref) === unit);
    let id: string;
    if (current) {
      id = current.id as string;
      if (differs(attributes, current.attributes)) included.push({ type: PRECISIONS, id, meta: { update: true }, attributes });
    } else {
      id = `precision-${index}`;
      included.push({ type: PRECISIONS, id, attributes, relationships: { unit: { data: { type: 'productunits', id: unit } } } });
      added.push({ type: PRECISIONS, id });
    }
    if (index === 0) primary = id;
  });
  if (included.some((item) => item.type === PRECISIONS)) {
    relationships['unitPrecisions'] = { data: [...refs.map(identifier), ...added] };
  }
  const currentPrimary = existing?.data.relationships?.['primaryUnitPrecision']?.data;
  const currentPrimaryId = currentPrimary && !Array.isArray(currentPrimary) ? (currentPrimary as ResourceIdentifier).id : undefined;
  if (primary !== undefined && primary !== currentPrimaryId) {
    relationships['primaryUnitPrecision'] = { data: { type: PRECISIONS, id: primary } };
  }
}

/** The records of a to-many relationship of Oro's copy, from what it included; text: why not. */
function listed(existing: ExistingRecord, relationship: string, type: string): ResourceObject[] | string {
  const data = existing.data.relationships?.[relationship]?.data;
  const ids = Array.isArray(data) ? (data as readonly ResourceIdentifier[]).filter((ref) => ref.type === type).map((ref) => ref.id) : [];
  const byId = new Map(existing.included.filter((item) => item.type === type && item.id !== undefined).map((item) => [item.id as string, item]));
  const items: ResourceObject[] = [];
  for (const id of ids) {
    const item = byId.get(id);
    if (!item) return `Oro's answer for ${existing.data.type} ${existing.data.id} lists ${type} ${id} in "${relationship}" without including it: cannot tell what it holds`;
    items.push(item);
  }
  return items;
}

function identifier(resource: ResourceObject): ResourceIdentifier {
  return { type: resource.type, id: resource.id as string };
}

/** The default name is the one without a localization. */
function isDefaultName(name: ResourceObject): boolean {
  return name.relationships?.['localization']?.data === null;
}

function unitOf(precision: ResourceObject): string | undefined {
  const unit = precision.relationships?.['unit']?.data;
  return unit && !Array.isArray(unit) ? (unit as ResourceIdentifier).id : undefined;
}

/** Whether a mapped field differs from Oro's value (numbers compared as numbers: `"1.0"` is 1). */
function differs(mapped: Readonly<Record<string, Json>>, current: Readonly<Record<string, Json>> | undefined): boolean {
  return Object.entries(mapped).some(([field, value]) => {
    const held = current?.[field];
    if (typeof value !== 'number' || typeof held === 'number') return held !== value;
    return typeof held !== 'string' || held.trim() === '' || Number(held) !== value;
  });
}
