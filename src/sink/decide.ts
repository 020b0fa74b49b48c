import type { ResourceObject } from '../types/jsonapi.js';
import type { ErrorDetail, MappedRecord } from '../types/outcome.js';
import type { SourceRecord } from '../types/record.js';
import type { SinkTarget } from './options.js';
import type { Existing } from './lookup.js';
import type { BuiltBody } from '../types/existing.js';

/** A record on its way through the sink, with its index in its batch. */
export interface Pending {
  readonly index: number;
  readonly record: SourceRecord;
  readonly mapped: MappedRecord;
  /**
   * Set once its source-keyed relationships were filled with Oro ids: the record before that, and
   * the relationships whose ids came from the id cache (Oro may have deleted those since).
   */
  readonly resolvedFrom?: { readonly pending: Pending; readonly cached: readonly string[] };
}

/**
 * What the sink will do with one record. `body`: the document made for this decision from Oro's
 * record (`MappedRecord.later`), sent instead of the mapped resource and included items.
 */
export type Decision =
  | { readonly action: 'create'; readonly body?: BuiltBody }
  | { readonly action: 'update'; readonly id: string; readonly body?: BuiltBody }
  /** Let Oro decide (`meta.upsert`) without reading first. */
  | { readonly action: 'upsert'; readonly body?: BuiltBody }
  | { readonly action: 'skip'; readonly id: string; readonly reason: string }
  | { readonly action: 'reject'; readonly errors: readonly ErrorDetail[] };

/**
 * Decides, from what Oro holds for the record's key, whether to create, update or skip it.
 * `existing` is undefined when nothing was read (upsert without a read).
 */
export function decide(target: SinkTarget, pending: Pending, existing: readonly Existing[] | undefined): Decision {
  if (existing === undefined) return { action: 'upsert' };
  const { key } = pending.mapped;
  if (existing.length > 1) {
    return {
      action: 'reject',
      errors: [{
        title: 'ambiguous key',
        detail: `${existing.length} ${target.type} have ${target.key.oro}=${key} (ids ${existing.map((e) => e.id).join(', ')}); ` +
          'make the key unique in Oro',
      }],
    };
  }
  const found = existing[0];
  if (!found) return target.strategy === 'update-only' ? { action: 'reject', errors: [notInOro(target, key)] } : { action: 'create' };
  if (target.strategy === 'create-only') {
    return { action: 'skip', id: found.id, reason: `${target.type} ${target.key.oro}=${key} already exists (id ${found.id})` };
  }
  if (target.conflict === 'skip-if-target-newer' && isNewer(found.updatedAt, pending.mapped.changedAt)) {
    return {
      action: 'skip',
      id: found.id,
      reason: `Oro's copy is newer (updatedAt ${found.updatedAt} > ${pending.mapped.changedAt})`,
    };
  }
  return { action: 'update', id: found.id };
}

/**
 * Why `update-only` rejects a key Oro does not have: it never creates (the record may be one Oro
 * makes itself, or one another system owns), so the key or Oro's data must be put right.
 */
function notInOro(target: SinkTarget, key: string): ErrorDetail {
  return {
    title: 'not found in Oro',
    detail: `${target.type} ${target.key.oro}=${key} not found in Oro; target.strategy "update-only" never creates: ` +
      `check that the record exists in Oro with that ${target.key.oro} and that the API user may see it`,
  };
}

function isNewer(targetTime: string | undefined, sourceTime: string | undefined): boolean {
  if (!targetTime || !sourceTime) return false;
  const target = Date.parse(targetTime);
  const source = Date.parse(sourceTime);
  return Number.isFinite(target) && Number.isFinite(source) && target > source;
}

/** What is sent for a record: the body its decision made, else the mapped resource and included items. */
export function bodyFor(pending: Pending, decision: Decision): BuiltBody {
  return ('body' in decision ? decision.body : undefined) ?? pending.mapped;
}

/** The resource object to send for a decision (`create`, `update` or `upsert`). */
export function resourceFor(target: SinkTarget, pending: Pending, decision: Decision): ResourceObject {
  const { resource } = bodyFor(pending, decision);
  const base: ResourceObject = { ...resource, type: target.type };
  switch (decision.action) {
    case 'update':
      return { ...base, id: decision.id };
    case 'upsert':
      return withUpsert(target, base);
    case 'create':
      return target.strategy === 'upsert' ? withUpsert(target, base) : stripId(base);
    default:
      return base;
  }
}

function withUpsert(target: SinkTarget, resource: ResourceObject): ResourceObject {
  const upsert = target.key.oro === 'id' ? true : [target.key.oro];
  return { ...resource, meta: { ...resource.meta, upsert } };
}

function stripId(resource: ResourceObject): ResourceObject {
  const { id: _id, ...rest } = resource;
  return rest;
}
