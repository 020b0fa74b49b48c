import { concat, defer, finalize, from, merge, mergeMap, of, tap, type Observable } from 'rxjs';
import { isFatal } from '../errors/classify.js';
import type { MappedRecord, Outcome } from '../types/outcome.js';
import { request, settleIfQuiet, type SinkContext } from './context.js';
import { resolveRelated, unblock } from './resolve-related.js';
import type { BatchItem } from './batch-document.js';
import type { Decision, Pending } from './decide.js';
import { outcomeOfError, outcomeWithoutWrite } from './outcomes.js';
import { decideFromCache, resolve } from './resolve.js';
import { LOOKUP_CHUNK } from './lookup.js';
import { writeBatchAsync } from './write-batch-async.js';
import { writeBatchSync } from './write-batch-sync.js';
import { writeSingle } from './write-single.js';
import { writeClaimed } from './claimed.js';
import { noteOutcome, setAsideUnchanged } from './unchanged.js';

/**
 * Writes one round of records (no key twice) in the target's mode: decide what to do with each
 * (one read per 100 keys), then write. Emits exactly one outcome per record, whatever fails.
 */
export function writeRound(ctx: SinkContext, round: readonly Pending[], onBlocked: (pending: Pending) => void): Observable<Outcome> {
  type Resolved = { readonly ready: readonly Pending[]; readonly decisions: Decision[]; readonly settled: Outcome[] } | { readonly failure: Outcome[] };
  return defer(async (): Promise<Resolved> => {
    // Before any read: a record Oro already holds as it is costs no request.
    const checked = await setAsideUnchanged(ctx, round);
    const related = await resolveRelated(ctx, checked.changed);
    related.blocked.forEach(onBlocked);
    const settled = [...checked.settled, ...related.settled];
    try {
      const ready = related.ready;
      const decisions = await resolveInChunks(ctx, ready);
      return { ready, decisions, settled };
    } catch (error) {
      if (isFatal(error)) throw error;
      return { failure: [...settled, ...related.ready.map((p) => outcomeOfError(p, error))] };
    }
  }).pipe(
    mergeMap((resolved) => {
      if ('failure' in resolved) return from(resolved.failure);
      const round = resolved.ready;
      const items: BatchItem[] = [];
      const settled: Outcome[] = [...resolved.settled];
      round.forEach((pending, i) => {
        const decision: Decision = resolved.decisions[i] ?? { action: 'reject', errors: [{ title: 'internal error', detail: 'no decision' }] };
        const early = outcomeWithoutWrite(ctx, pending, decision);
        if (early) settled.push(early);
        else items.push({ pending, decision });
      });
      return concat(from(settled), write(ctx, items));
    }),
    tap((outcome) => {
      noteOutcome(ctx, outcome);
      announce(ctx, outcome);
    }),
  );
}

/**
 * Decides for every record: from the id cache where it can (no request, no limiter slot), else
 * one read per 100 keys; the reads run side by side, each through the limiter's read lane, so a
 * batch of 1,000 waits for one read's latency, not ten.
 */
async function resolveInChunks(ctx: SinkContext, pendings: readonly Pending[]): Promise<Decision[]> {
  const known = await decideFromCache(ctx, pendings);
  const unread = pendings.filter((_, i) => known[i] === undefined);
  const chunks: Pending[][] = [];
  for (let i = 0; i < unread.length; i += LOOKUP_CHUNK) chunks.push(unread.slice(i, i + LOOKUP_CHUNK));
  const read = (await Promise.all(chunks.map((chunk) => request(ctx, () => resolve(ctx, chunk, true), 'read')))).flat();
  let next = 0;
  return known.map((decision) => decision ?? (read[next++] as Decision));
}

/** Tells records waiting for this one (by the sink's key field) that it exists now. */
function announce(ctx: SinkContext, outcome: Outcome): void {
  if ((outcome.status !== 'created' && outcome.status !== 'updated' && outcome.status !== 'unchanged') || outcome.id === undefined || outcome.dryRun) return;
  const key = (outcome.record.value as MappedRecord | undefined)?.key;
  if (typeof key === 'string') ctx.waits.written(ctx.target.type, ctx.target.key.oro, key, outcome.id);
}

/**
 * A record whose related record was not in Oro yet: waits (not counted as work in progress) until
 * it is written or waiting can no longer help, then is written alone, or rejected with the reason.
 */
export function writeBlocked(ctx: SinkContext, pending: Pending): Observable<Outcome> {
  let counted = false;
  return unblock(ctx, pending).pipe(
    // Synchronous with the wake-up (inside the write that woke it): from here on the sink is not
    // quiet, so `settleIfQuiet` releases no other waiter ahead of this one.
    tap(() => {
      ctx.active++;
      counted = true;
    }),
    mergeMap((next) => ('status' in next ? of(next) : writeClaimed(ctx, [next], (claimed) => writeRound(ctx, claimed, () => undefined)))),
    finalize(() => {
      if (!counted) return;
      ctx.active--;
      settleIfQuiet(ctx);
    }),
  );
}

function write(ctx: SinkContext, items: readonly BatchItem[]): Observable<Outcome> {
  if (items.length === 0) return from([]);
  switch (ctx.target.mode) {
    case 'single':
      return merge(...items.map((item) => writeSingle(ctx, item.pending, item.decision)));
    case 'batch-sync':
      return guarded(items, () => writeBatchSync(ctx, items));
    case 'batch':
      return guarded(items, () => writeBatchAsync(ctx, items));
  }
}

/** A bug in a batch writer must not lose records: every record still gets an outcome. */
function guarded(items: readonly BatchItem[], run: () => Promise<Outcome[]>): Observable<Outcome> {
  return defer(async () => {
    try {
      return await run();
    } catch (error) {
      if (isFatal(error)) throw error;
      return items.map((item): Outcome => ({
        status: 'failed',
        record: item.pending.record,
        errors: [{ title: 'internal error', detail: error instanceof Error ? error.message : String(error) }],
      }));
    }
  }).pipe(mergeMap((outcomes) => from(outcomes)));
}
