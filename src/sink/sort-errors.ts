/**
 * Sorting a batch's records by the 4xx errors that name them, for both batch modes (async
 * operations' errors and sync batches' refusals) and single writes: a record named by no error
 * is left to be confirmed, one named only for ids Oro no longer has is looked up again and sent
 * once more, and one named for anything else is rejected with Oro's own errors.
 */
import { isFatal } from '../errors/classify.js';
import type { ErrorDetail, Outcome } from '../types/outcome.js';
import type { BatchItem } from './batch-document.js';
import { request, type SinkContext } from './context.js';
import type { Pending } from './decide.js';
import { outcomeOfError, outcomeWithoutWrite } from './outcomes.js';
import { notFound, resolveRelated } from './resolve-related.js';
import { resolve } from './resolve.js';

/**
 * What Oro's errors about one record say about the ids the sink sent: Oro answers 404 "The entity
 * does not exist." for an update of an id it no longer has (`/data/N/id`, `/data/N`, or `/data/id`
 * in a single request), and "does not exist" at `/…/relationships/<name>/data` for a related id
 * it no longer has. Such a record was deleted in Oro behind the sync's back: not the record's
 * fault, so it is looked up again and written, not rejected.
 */
export interface Staleness {
  /** The record's own id (an update) is gone. */
  readonly own: boolean;
  /** Relationships whose ids, taken from the id cache, are gone. */
  readonly relationships: readonly string[];
  /** The errors that are about something else. */
  readonly other: readonly ErrorDetail[];
}

// A single request's 404 has no pointer: it is about the record.
const OWN_ID = /^(?:\/data(?:\/\d+)?(?:\/id)?)?$/;
const RELATIONSHIP = /^\/data(?:\/\d+)?\/relationships\/([^/]+)\/data(?:\/\d+)?$/;

/** Sorts a record's errors (those whose pointers name it) into stale ids and the rest. */
export function stalenessOf(item: BatchItem, errors: readonly ErrorDetail[]): Staleness {
  const relationships = new Set<string>();
  const other: ErrorDetail[] = [];
  let own = false;
  const cached = item.pending.resolvedFrom?.cached ?? [];
  for (const error of errors) {
    const pointer = error.pointer ?? '';
    const relationship = RELATIONSHIP.exec(pointer)?.[1];
    if (item.decision.action === 'update' && Number(error.status) === 404 && OWN_ID.test(pointer)) own = true;
    else if (relationship !== undefined && cached.includes(relationship) && saysGone(error)) relationships.add(relationship);
    else other.push(error);
  }
  return { own, relationships: [...relationships], other };
}

/** Whether a record should be looked up again and sent once more rather than rejected. */
export function isStale(item: BatchItem, staleness: Staleness): boolean {
  return item.relooked === undefined && staleness.other.length === 0 && (staleness.own || staleness.relationships.length > 0);
}

/**
 * The errors a record is rejected with: those about something else than stale ids when there are
 * any (a stale id it was sent with is then forgotten, since the id is gone either way).
 */
function rejectionOf(ctx: SinkContext, item: BatchItem, staleness: Staleness, errors: readonly ErrorDetail[]): Outcome {
  if (staleness.own) void ctx.ids.forget(item.pending.mapped.key);
  return { status: 'rejected', record: item.pending.record, errors: staleness.other.length > 0 ? staleness.other : errors };
}

/** A batch's records sorted by the errors that name them. */
export interface Sorted {
  /** Named by no error. */
  readonly unnamed: BatchItem[];
  /** Named only for stale ids: to look up again. */
  readonly stale: { readonly item: BatchItem; readonly staleness: Staleness }[];
  readonly rejected: Outcome[];
}

/** Sorts the records sent by the errors that name them (`byItem`: the data index -> its errors). */
export function sortByErrors(ctx: SinkContext, sent: readonly BatchItem[], byItem: ReadonlyMap<number, readonly ErrorDetail[]>): Sorted {
  const sorted: Sorted = { unnamed: [], stale: [], rejected: [] };
  sent.forEach((item, i) => {
    const errors = byItem.get(i);
    if (!errors) {
      sorted.unnamed.push(item);
      return;
    }
    const staleness = stalenessOf(item, errors);
    if (isStale(item, staleness)) sorted.stale.push({ item, staleness });
    else sorted.rejected.push(rejectionOf(ctx, item, staleness, errors));
  });
  return sorted;
}

function saysGone(error: ErrorDetail): boolean {
  return Number(error.status) === 404 || /does not exist/i.test(`${error.title} ${error.detail ?? ''}`);
}

/**
 * Forgets the stale ids of these records, looks their keys (and stale related keys) up in Oro
 * again and decides anew: a record Oro no longer has is created, one found under another id is
 * updated there. Records that now skip, or whose related record is gone from Oro, are settled.
 */
async function relook(
  ctx: SinkContext,
  stale: readonly { readonly item: BatchItem; readonly staleness: Staleness }[],
): Promise<{ readonly items: BatchItem[]; readonly settled: Outcome[] }> {
  const settled: Outcome[] = [];
  const again: Pending[] = [];
  for (const { item, staleness } of stale) {
    if (staleness.own) void ctx.ids.forget(item.pending.mapped.key);
    const from = item.pending.resolvedFrom?.pending;
    if (staleness.relationships.length === 0 || !from) {
      again.push(item.pending);
      continue;
    }
    for (const ref of from.mapped.related ?? []) {
      if (!staleness.relationships.includes(ref.relationship)) continue;
      const cache = ctx.relatedIds(ref.type, ref.match);
      for (const key of ref.keys) void cache.forget(key);
    }
    const related = await resolveRelated(ctx, [from]);
    settled.push(...related.settled);
    const ready = related.ready[0];
    if (ready) again.push(ready);
    for (const blocked of related.blocked) settled.push({ status: 'rejected', record: blocked.record, errors: await notFound(ctx, blocked) });
  }
  if (again.length === 0) return { items: [], settled };
  const decisions = await request(ctx, () => resolve(ctx, again, true), 'read');
  const items: BatchItem[] = [];
  again.forEach((pending, i) => {
    const decision = decisions[i] ?? { action: 'reject', errors: [{ title: 'internal error', detail: 'no decision after looking up again' }] };
    const early = outcomeWithoutWrite(ctx, pending, decision);
    if (early) settled.push(early);
    else items.push({ pending, decision, relooked: true });
  });
  return { items, settled };
}

/** {@link relook}, with a read that failed for good settling those records with its error. */
export async function relookSettled(
  ctx: SinkContext,
  stale: readonly { readonly item: BatchItem; readonly staleness: Staleness }[],
): Promise<{ readonly items: BatchItem[]; readonly settled: Outcome[] }> {
  if (stale.length === 0) return { items: [], settled: [] };
  try {
    return await relook(ctx, stale);
  } catch (error) {
    if (isFatal(error)) throw error;
    return { items: [], settled: stale.map(({ item }) => outcomeOfError(item.pending, error)) };
  }
}
