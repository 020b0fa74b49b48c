import type { Relationship } from '../types/jsonapi.js';
import type { MappedRecord, Outcome, RelatedRef } from '../types/outcome.js';
import type { SinkContext } from './context.js';
import type { Pending } from './decide.js';
import { digestOf } from './digest.js';
import type { DigestUpdate } from './digest-store.js';
import { groupOf, relationshipTo } from './resolve-related.js';

/** A round split by the digest check: what needs no request, and what is written as before. */
export interface ChangeCheck {
  /** `unchanged` records, and records rejected before with the same content. */
  readonly settled: Outcome[];
  readonly changed: Pending[];
}

/**
 * Sets aside the records whose content equals what Oro last confirmed for their key (outcome
 * `unchanged`), and those Oro rejected before with the same content (`rejected` again, with the
 * stored reason, not sent and not dead-lettered again). Runs before any lookup, so that such
 * records cost no request: related keys are resolved from the id caches only, and a record with
 * a related id not known without a request is not provably unchanged (it is written as before).
 * One digest-store query per round (and one id-cache query per related type).
 */
export async function setAsideUnchanged(ctx: SinkContext, round: readonly Pending[]): Promise<ChangeCheck> {
  const { digests } = ctx;
  if (!digests || round.length === 0) return { settled: [], changed: [...round] };
  const cached = await cachedRelatedIds(ctx, round);
  const candidates: { pending: Pending; digest: string }[] = [];
  const changed: Pending[] = [];
  for (const pending of round) {
    const digest = digestWithIds(ctx, pending, cached);
    if (digest === undefined) changed.push(pending);
    else candidates.push({ pending, digest });
  }
  if (candidates.length === 0) return { settled: [], changed };
  const stored = await digests.get(candidates.map((c) => c.pending.mapped.key));
  const settled: Outcome[] = [];
  const dry = ctx.dryRun ? { dryRun: true } : {};
  for (const { pending, digest } of candidates) {
    const known = stored.get(pending.mapped.key);
    if (known?.digest !== digest) changed.push(pending);
    else if (known.lastOutcome === 'confirmed') settled.push(unchangedOutcome(pending, known.oroId, ctx.dryRun));
    else if (known.lastOutcome === 'rejected') {
      const errors = known.errors?.length ? known.errors : [{ title: 'rejected before', detail: 'rejected before with the same content' }];
      settled.push({ status: 'rejected', record: pending.record, errors, rejectedBefore: known.at, ...dry });
    } else changed.push(pending);
  }
  return { settled, changed };
}

/** Built member by member: this runs for nearly every record of a snapshot read again. */
function unchangedOutcome(pending: Pending, id: string | undefined, dryRun: boolean): Outcome {
  const { record } = pending;
  if (id === undefined) return dryRun ? { status: 'unchanged', record, dryRun } : { status: 'unchanged', record };
  return dryRun ? { status: 'unchanged', record, id, dryRun } : { status: 'unchanged', record, id };
}

/**
 * Stores what an outcome says about its key: the digest of what Oro confirmed (`created`,
 * `updated`), or rejected; a `failed` record forgets its digest (Oro may hold either version), so
 * it is sent again next run. Nothing in a dry run. Called once Oro's answer is in, so a crash
 * before this leaves the old digest and the record is sent again: never skipped unconfirmed.
 * The write is not awaited here: the batch awaits its writes before releasing its keys.
 */
export function noteOutcome(ctx: SinkContext, outcome: Outcome): void {
  const { digests } = ctx;
  if (!digests || outcome.dryRun) return;
  const mapped = outcome.record.value as MappedRecord | undefined;
  if (typeof mapped?.key !== 'string') return;
  const update = updateFor(ctx, outcome, mapped);
  if (update) void digests.put([update]);
}

function updateFor(ctx: SinkContext, outcome: Outcome, mapped: MappedRecord): DigestUpdate | undefined {
  const { key } = mapped;
  switch (outcome.status) {
    case 'created':
    case 'updated': {
      if (ctx.unconfirmed.has(outcome)) return { key, lastOutcome: 'failed' };
      const digest = digestOfResolved(ctx, mapped);
      return digest === undefined ? { key, lastOutcome: 'failed' } : { key, digest, lastOutcome: 'confirmed', ...(outcome.id !== undefined ? { oroId: outcome.id } : {}) };
    }
    case 'rejected': {
      if (outcome.rejectedBefore !== undefined) return undefined;
      const digest = digestOfResolved(ctx, mapped);
      return { key, ...(digest !== undefined ? { digest } : {}), lastOutcome: 'rejected', errors: outcome.errors };
    }
    case 'failed':
      return { key, lastOutcome: 'failed' };
    default:
      return undefined;
  }
}

/** The digest of a record whose relationships are all resolved; undefined while some are not. */
function digestOfResolved(ctx: SinkContext, mapped: MappedRecord): string | undefined {
  if (mapped.related?.length) return undefined;
  return digestOf({ type: ctx.target.type, resource: mapped.resource, included: mapped.included, basis: mapped.later?.basis });
}

/** Per related group (`groupOf`), key -> its one cached Oro id, in the shape `fill` takes. */
type CachedIds = Map<string, Map<string, string[]>>;

/** The related ids the caches know for the round's records, one cache query per related type. */
async function cachedRelatedIds(ctx: SinkContext, round: readonly Pending[]): Promise<CachedIds> {
  const wanted = new Map<string, { ref: RelatedRef; keys: Set<string> }>();
  for (const pending of round) {
    for (const ref of pending.mapped.related ?? []) {
      const group = groupOf(ref);
      const entry = wanted.get(group) ?? { ref, keys: new Set<string>() };
      for (const key of ref.keys) entry.keys.add(key);
      wanted.set(group, entry);
    }
  }
  const cached: CachedIds = new Map();
  if (wanted.size === 0) return cached;
  await Promise.all([...wanted].map(async ([group, { ref, keys }]) => {
    const ids = await ctx.relatedIds(ref.type, ref.match).get([...keys]);
    cached.set(group, new Map([...ids].map(([key, id]) => [key, [id]])));
  }));
  return cached;
}

function digestWithIds(ctx: SinkContext, pending: Pending, cached: CachedIds): string | undefined {
  const { mapped } = pending;
  if (!mapped.related?.length) return digestOfResolved(ctx, mapped);
  // What `fill` would make of the record, built only as far as the digest needs (no filled
  // record per unchanged one): the same resource, so the same digest as the one stored.
  const relationships: Record<string, Relationship> = { ...mapped.resource.relationships };
  for (const ref of mapped.related) {
    const known = cached.get(groupOf(ref));
    const ids: string[] = [];
    for (const key of ref.keys) {
      const id = known?.get(key)?.[0];
      if (id === undefined) return undefined;
      ids.push(id);
    }
    relationships[ref.relationship] = relationshipTo(ref, ids);
  }
  return digestOf({ type: ctx.target.type, resource: { ...mapped.resource, relationships }, included: mapped.included, basis: mapped.later?.basis });
}
