import type { BatchDocument, Relationship, ResourceIdentifier, ResourceObject } from '../types/jsonapi.js';
import type { SinkContext } from './context.js';
import { bodyFor, resourceFor, type Decision, type Pending } from './decide.js';

/** One item of a batch request: the record and what is done with it. */
export interface BatchItem {
  readonly pending: Pending;
  readonly decision: Decision;
  /** Looked up again after Oro no longer had an id it was sent with: a second stale id rejects it. */
  readonly relooked?: true;
}

/** A Batch API document and, for each included item, the data index of the record that carried it. */
export interface BuiltBatch {
  readonly document: BatchDocument;
  readonly includedOwner: readonly number[];
}

/**
 * Builds the Batch API document for items: creates without meta (with a temporary id so that Oro's
 * answer and errors can be matched back), updates with `meta.update`, upserts with `meta.upsert`.
 * Temporary ids of `included` items are prefixed per record, because two records' transforms may
 * pick the same ones.
 */
export function buildBatch(ctx: SinkContext, items: readonly BatchItem[]): BuiltBatch {
  const data: ResourceObject[] = [];
  const included: ResourceObject[] = [];
  const includedOwner: number[] = [];
  items.forEach(({ pending, decision }, index) => {
    const resource = resourceFor(ctx.target, pending, decision);
    const item: ResourceObject =
      decision.action === 'update'
        ? { ...resource, meta: { ...resource.meta, update: true } }
        : resource.meta?.['upsert'] !== undefined
          ? resource
          : { ...resource, id: resource.id ?? `new-${index}` };
    const ownIncluded = bodyFor(pending, decision).included ?? [];
    // Most records include nothing: then there is nothing to rename.
    if (ownIncluded.length === 0) {
      data.push(item);
      return;
    }
    const prefix = `r${index}-`;
    // Only temporary ids: an included item updated in place (`meta.update`) has its Oro id.
    const own = new Set(ownIncluded.filter((inc) => !isUpdate(inc)).map((inc) => `${inc.type}\u0000${inc.id ?? ''}`));
    const rename = (ref: ResourceIdentifier): ResourceIdentifier =>
      own.has(`${ref.type}\u0000${ref.id}`) ? { type: ref.type, id: prefix + ref.id } : ref;
    data.push(renameRelationships(item, rename));
    for (const inc of ownIncluded) {
      const id = inc.id !== undefined && !isUpdate(inc) ? { id: prefix + inc.id } : {};
      included.push(renameRelationships({ ...inc, ...id }, rename));
      includedOwner.push(index);
    }
  });
  return { document: included.length > 0 ? { data, included } : { data }, includedOwner };
}

function isUpdate(resource: ResourceObject): boolean {
  return resource.meta?.['update'] === true;
}

function renameRelationships(resource: ResourceObject, rename: (ref: ResourceIdentifier) => ResourceIdentifier): ResourceObject {
  if (!resource.relationships) return resource;
  const relationships: Record<string, Relationship> = {};
  for (const [name, rel] of Object.entries(resource.relationships)) {
    const data = rel.data;
    relationships[name] = { data: data === null ? null : Array.isArray(data) ? data.map(rename) : rename(data as ResourceIdentifier) };
  }
  return { ...resource, relationships };
}

/** Splits items into requests of at most `maxData` records and `maxIncluded` included items. */
export function chunkItems(items: readonly BatchItem[], maxData: number, maxIncluded: number): BatchItem[][] {
  const chunks: BatchItem[][] = [];
  let current: BatchItem[] = [];
  let includedCount = 0;
  for (const item of items) {
    const inc = bodyFor(item.pending, item.decision).included?.length ?? 0;
    if (current.length > 0 && (current.length >= maxData || includedCount + inc > maxIncluded)) {
      chunks.push(current);
      current = [];
      includedCount = 0;
    }
    current.push(item);
    includedCount += inc;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
