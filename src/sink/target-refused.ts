import { ConfigError } from '../errors/config-error.js';
import { HttpError } from '../errors/http-error.js';
import type { ErrorDetail } from '../types/outcome.js';
import type { SinkTarget } from './options.js';

/**
 * Answers that say the target, not a record, is wrong: no record could be written this way, so
 * the run stops with one line saying what to change instead of rejecting every record.
 *
 * - a 405 to the collection PATCH: the Batch API is off for the type;
 * - "The upsert operation is not allowed." at `/meta/upsert`: Oro allows upsert only where the
 *   schema makes it unambiguous (a non-generated id, or a unique column mapped to an API field;
 *   see `CompleteUpsertConfig` in Oro's ApiBundle), so never for customers, customer groups,
 *   customer users or products by sku;
 * - the key field is unknown to this Oro: `filter[externalId]` refused as a "filter constraint",
 *   or an `externalId` attribute as an "extra fields constraint" (Oro before 6.1.10 / 7.0.2);
 * - an `externalId` attribute the mapping sets (an ERP's number written back into orders) refused
 *   as an "extra fields constraint": that Oro has none.
 */
export function targetRefusal(target: Pick<SinkTarget, 'type' | 'mode' | 'strategy' | 'key'>, error: unknown): ConfigError | undefined {
  if (!(error instanceof HttpError)) return undefined;
  if (error.status === 405 && error.method === 'PATCH') {
    return new ConfigError([
      `target.mode: "${target.mode}" needs Oro's Batch API, but ${error.method} ${error.url} answered 405: ` +
        `it is disabled for ${target.type}; use "single", or enable the Batch API for ${target.type} in Oro ` +
        '(`oro-sync check` tells which)',
    ]);
  }
  return refusalIn(target, error.errors);
}

/** {@link targetRefusal} for errors that came as data (an async operation's error list). */
export function refusalIn(target: Pick<SinkTarget, 'type' | 'strategy' | 'key'>, errors: readonly ErrorDetail[]): ConfigError | undefined {
  const upsert = errors.find(isUpsertRefusal);
  if (upsert) return new ConfigError([upsertNotAllowed(target.type, oroSaid(upsert))]);
  const missing = errors.find((e) => isMissingKeyField(e, target.key.oro));
  if (missing) return new ConfigError([keyFieldMissing(target.type, target.key.oro, oroSaid(missing))]);
  // Every record sets it: none can be written until the mapping names a field this Oro has.
  const noExternalId = errors.find((e) => isMissingField(e, 'externalId'));
  if (noExternalId) return new ConfigError([externalIdMissing(target.type, oroSaid(noExternalId))]);
  return undefined;
}

/**
 * The advice when this Oro has no `externalId` attribute on `type` (before 6.1.10 / 7.0.2: a write
 * setting it is a 400 "extra fields constraint", a filter by it a "filter constraint"): which
 * field to map the ERP's number to instead. `candidates` are fields of `type` this Oro has whose
 * names suggest one (a custom field a former integration added), when `oro-sync check` found some.
 */
export function externalIdMissing(type: string, said: string, candidates: readonly string[] = []): string {
  const instead = candidates.length > 0
    ? `this Oro's ${type} have ${candidates.map((c) => `"${c}"`).join(', ')}: map the ERP's number there`
    : `put the ERP's number in a field of ${type} that this Oro has: a custom field (an extend field, e.g. erpNumber, with its API access enabled)`;
  return `target.attributes.externalId: this Oro has no "externalId" on ${type} (Oro has it from 6.1.10 and 7.0.2 on): ${said}; ` +
    `${instead}, and name it in target.attributes instead of externalId`;
}

/** Throws {@link targetRefusal}'s error, if any: for the sink's catch blocks. */
export function throwIfTargetRefused(target: Pick<SinkTarget, 'type' | 'mode' | 'strategy' | 'key'>, error: unknown): void {
  const refusal = targetRefusal(target, error);
  if (refusal) throw refusal;
}

/**
 * Types a stock Oro (6.0 to 7.0) refuses `meta.upsert` for, and why: their ids are generated, and
 * their natural keys are no unique column of their own (`CompleteUpsertConfig` in Oro's ApiBundle).
 * A customised Oro may differ, so this only informs `oro-sync check`; a run goes by Oro's answer.
 */
export const NO_UPSERT: Readonly<Record<string, string>> = {
  customers: 'no unique column maps to an API field',
  customergroups: 'no unique column maps to an API field',
  customerusers: 'email is indexed, not unique',
  products: 'sku is unique only together with the organization (a foreign key)',
  productprices: 'no unique column maps to an API field',
  inventorylevels: 'no unique column maps to an API field',
};

/** The advice when Oro refuses `meta.upsert` for the type. */
export function upsertNotAllowed(type: string, said: string): string {
  return (
    `target.strategy: Oro does not allow upsert for ${type} (${said}); ` +
    `use "lookup" with a filterable key field (e.g. externalId), or "create-only"`
  );
}

/** The advice when this Oro has no such field, or no filter on it, for the type. */
function keyFieldMissing(type: string, field: string, said: string): string {
  const versions = field === 'externalId' && (type === 'customers' || type === 'customerusers')
    ? ` (${type}.externalId exists from Oro 6.1.10 and 7.0.2 on)`
    : '';
  return (
    `target.key.oro: this Oro has no filterable "${field}" on ${type}${versions}: ${said}; ` +
    `add a custom field with an API filter (an indexed extend field) and name it in target.key.oro, or key by another filterable field`
  );
}

function isUpsertRefusal(error: ErrorDetail): boolean {
  return /^(\/data(\/\d+)?)?\/meta\/upsert$/.test(error.pointer ?? '') && /upsert operation is not allowed/i.test(error.detail ?? '');
}

function isMissingKeyField(error: ErrorDetail, field: string): boolean {
  if (field === 'id') return false;
  return error.parameter === `filter[${field}]` || isMissingField(error, field);
}

/** Oro refused a document setting `field`: "extra fields constraint" at its attribute. */
function isMissingField(error: ErrorDetail, field: string): boolean {
  const attribute = new RegExp(`^/data(/\\d+)?/attributes/${escapeRegExp(field)}$`);
  return error.title === 'extra fields constraint' && attribute.test(error.pointer ?? '');
}

/** What Oro said, in its words and where: `Oro said "filter constraint: The filter is not supported." at filter[externalId]`. */
export function oroSaid(error: ErrorDetail): string {
  const where = error.parameter ?? error.pointer;
  return `Oro said "${error.title}${error.detail ? `: ${error.detail}` : ''}"${where ? ` at ${where}` : ''}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
