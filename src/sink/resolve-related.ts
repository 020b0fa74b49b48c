import { defer, filter, forkJoin, from, map, merge, mergeMap, of, take, tap, type Observable } from 'rxjs';
import { isFatal } from '../errors/classify.js';
import type { Relationship } from '../types/jsonapi.js';
import type { ErrorDetail, MappedRecord, Outcome, RelatedRef } from '../types/outcome.js';
import { request, type SinkContext } from './context.js';
import type { Pending } from './decide.js';
import { lookupByKeys } from './lookup.js';
import { outcomeOfError } from './outcomes.js';

/** What resolving a round's source-keyed relationships gave. */
export interface RelatedResolution {
  /** Records whose relationships all have Oro ids now (or had none to resolve). */
  readonly ready: Pending[];
  /** Records with related keys not (yet) in Oro. */
  readonly blocked: Pending[];
  /** Records that cannot be written (ambiguous key, a read Oro refused). */
  readonly settled: Outcome[];
}

/**
 * Finds the Oro ids of the related records named by source keys: from the id cache when it knows
 * them, else one filtered read per related type and 100 keys, remembering what it learns.
 */
export async function resolveRelated(ctx: SinkContext, round: readonly Pending[], fresh = false): Promise<RelatedResolution> {
  const ready: Pending[] = [];
  const needing: Pending[] = [];
  for (const p of round) (p.mapped.related?.length ? needing : ready).push(p);
  if (needing.length === 0) return { ready, blocked: [], settled: [] };

  const wanted = new Map<string, { type: string; match: string; keys: Set<string> }>();
  for (const p of needing) {
    for (const ref of p.mapped.related ?? []) {
      const group = groupOf(ref);
      const entry = wanted.get(group) ?? { type: ref.type, match: ref.match, keys: new Set<string>() };
      for (const key of ref.keys) entry.keys.add(key);
      wanted.set(group, entry);
    }
  }

  const known = new Map<string, Map<string, string[]>>();
  const fromCache = new Map<string, ReadonlySet<string>>();
  try {
    for (const [group, { type, match, keys }] of wanted) {
      const cache = ctx.relatedIds(type, match);
      const cached = fresh ? new Map<string, string>() : await cache.get([...keys]);
      const ids = new Map<string, string[]>([...cached].map(([k, id]) => [k, [id]]));
      fromCache.set(group, new Set(cached.keys()));
      const missing = [...keys].filter((k) => !cached.has(k));
      if (missing.length > 0) {
        const found = await request(ctx, () => lookupByKeys(ctx.client, type, match, missing), 'read');
        for (const [key, matches] of found) ids.set(key, matches.map((m) => m.id));
        void cache.put([...found].flatMap(([key, matches]) => (matches.length === 1 && matches[0] ? [[key, matches[0].id] as const] : [])));
      }
      known.set(group, ids);
    }
  } catch (error) {
    if (isFatal(error)) throw error;
    return { ready, blocked: [], settled: needing.map((p) => outcomeOfError(p, error)) };
  }

  const blocked: Pending[] = [];
  const settled: Outcome[] = [];
  for (const p of needing) {
    const result = fill(p, (ref) => known.get(groupOf(ref)), (ref, key) => fromCache.get(groupOf(ref))?.has(key) ?? false);
    if ('ambiguous' in result) settled.push({ status: 'rejected', record: p.record, errors: [result.ambiguous] });
    else if (result.pending) ready.push(result.pending);
    else blocked.push(p);
  }
  return { ready, blocked, settled };
}

/**
 * Waits for a blocked record's related keys to be written in this run, then fills them in; a key
 * that never appears rejects the record with `customers externalId=4711 not found`.
 *
 * ```
 * written(parent):  ------p
 * unblock(child):   ------(c|)    c: the child with the parent's id, emitted inside written()
 * ```
 *
 * When the last key is written, the filled record is emitted synchronously, inside that write's
 * `written()`; a wait that ended without the id looks in Oro once more (asynchronously).
 */
export function unblock(ctx: SinkContext, pending: Pending): Observable<Pending | Outcome> {
  const waited = new Map<RelatedRef, Map<string, string[]>>();
  const fromCache = new Set<string>();
  const waits = (pending.mapped.related ?? []).flatMap((ref) => {
    const cache = ctx.relatedIds(ref.type, ref.match);
    const ids = waited.get(ref) ?? new Map<string, string[]>();
    waited.set(ref, ids);
    return ref.keys.map((key) => {
      // The wait is taken at once (the sink going quiet releases only waits it knows of); an id
      // the cache knows (another worker may have stored it since) ends it as well.
      const cached = from(cache.get([key])).pipe(
        map((found) => found.get(key)),
        filter((id): id is string => id !== undefined),
        tap(() => fromCache.add(`${groupOf(ref)}\u0000${key}`)),
      );
      return merge(cached, ctx.waits.wait(ref.type, ref.match, key)).pipe(
        take(1),
        tap((id) => {
          if (id !== undefined) ids.set(key, [id]);
        }),
      );
    });
  });
  return (waits.length > 0 ? forkJoin(waits) : of([])).pipe(
    mergeMap(() => {
      // Incomplete (a key not written in time) fills nothing; one id per key is never ambiguous.
      const result = fill(pending, (ref) => waited.get(ref), (ref, key) => fromCache.has(`${groupOf(ref)}\u0000${key}`));
      if ('pending' in result && result.pending) return of(result.pending);
      return defer(() => lookOnceMore(ctx, pending));
    }),
  );
}

/** One last look in Oro before giving up: the related record may have been written by someone else. */
async function lookOnceMore(ctx: SinkContext, pending: Pending): Promise<Pending | Outcome> {
  const again = await resolveRelated(ctx, [pending], true);
  const settledOutcome = again.settled[0];
  if (settledOutcome) return settledOutcome;
  const readyPending = again.ready[0];
  if (readyPending) return readyPending;
  return { status: 'rejected', record: pending.record, errors: await notFound(ctx, pending) };
}

/** Why a record is rejected whose related keys Oro does not hold (read after the cache was asked). */
export async function notFound(ctx: SinkContext, pending: Pending): Promise<ErrorDetail[]> {
  const errors: ErrorDetail[] = [];
  for (const ref of pending.mapped.related ?? []) {
    const known = await ctx.relatedIds(ref.type, ref.match).get(ref.keys);
    for (const key of ref.keys) {
      if (known.has(key)) continue;
      errors.push({
        title: 'related record not found',
        detail: `${ref.type} ${ref.match}=${key} not found`,
        pointer: `/data/relationships/${ref.relationship}/data`,
      });
    }
  }
  return errors;
}

export type Filled = { pending: Pending | undefined } | { ambiguous: { title: string; detail: string; pointer: string } };

/** Related records are read and cached per type and matched field. */
export function groupOf(ref: RelatedRef): string {
  return `${ref.type}\u0000${ref.match}`;
}

/** The relationship `ref` names, pointing at the Oro ids its keys resolved to (in key order). */
export function relationshipTo(ref: RelatedRef, ids: readonly string[]): Relationship {
  return { data: ref.many ? ids.map((id) => ({ type: ref.type, id })) : { type: ref.type, id: ids[0] as string } };
}

/**
 * The record with every related key replaced by its Oro id, if all are known (`idsOf`: key -> the
 * ids Oro has for it); `cached` tells the ids that came from the id cache.
 */
function fill(
  pending: Pending,
  idsOf: (ref: RelatedRef) => ReadonlyMap<string, readonly string[]> | undefined,
  cached: (ref: RelatedRef, key: string) => boolean = () => false,
): Filled {
  const relationships: Record<string, Relationship> = { ...pending.mapped.resource.relationships };
  const fromCache: string[] = [];
  for (const ref of pending.mapped.related ?? []) {
    if (ref.keys.some((key) => cached(ref, key))) fromCache.push(ref.relationship);
    const known = idsOf(ref);
    const ids: string[] = [];
    for (const key of ref.keys) {
      const found = known?.get(key);
      if (!found || found.length === 0) return { pending: undefined };
      if (found.length > 1) {
        return {
          ambiguous: {
            title: 'ambiguous related key',
            detail: `${found.length} ${ref.type} have ${ref.match}=${key} (ids ${found.join(', ')})`,
            pointer: `/data/relationships/${ref.relationship}/data`,
          },
        };
      }
      ids.push(found[0] as string);
    }
    relationships[ref.relationship] = relationshipTo(ref, ids);
  }
  const { related: _related, ...rest } = pending.mapped;
  const mapped: MappedRecord = { ...rest, resource: { ...pending.mapped.resource, relationships } };
  return { pending: { ...pending, mapped, record: { ...pending.record, value: mapped }, resolvedFrom: { pending, cached: fromCache } } };
}
