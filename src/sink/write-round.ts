import { concat, defer, from, merge, mergeMap, type Observable } from 'rxjs';
import { isFatal } from '../errors/classify.js';
import type { Outcome } from '../types/outcome.js';
import { request, type SinkContext } from './context.js';
import type { BatchItem } from './batch-document.js';
import type { Decision, Pending } from './decide.js';
import { outcomeOfError, outcomeWithoutWrite } from './outcomes.js';
import { resolve } from './resolve.js';
import { writeBatchAsync } from './write-batch.js';
import { writeBatchSync } from './write-batch-sync.js';
import { writeSingle } from './write-single.js';

/**
 * Writes one round of records (no key twice) in the target's mode: decide what to do with each
 * (one read per 100 keys), then write. Emits exactly one outcome per record, whatever fails.
 */
export function writeRound(ctx: SinkContext, round: readonly Pending[]): Observable<Outcome> {
  type Resolved = { readonly decisions: Decision[] } | { readonly failure: Outcome[] };
  return defer(async (): Promise<Resolved> => {
    try {
      return { decisions: await request(ctx, () => resolve(ctx, round)) };
    } catch (error) {
      if (isFatal(error)) throw error;
      return { failure: round.map((p) => outcomeOfError(p, error)) };
    }
  }).pipe(
    mergeMap((resolved) => {
      if ('failure' in resolved) return from(resolved.failure);
      const items: BatchItem[] = [];
      const settled: Outcome[] = [];
      round.forEach((pending, i) => {
        const decision: Decision = resolved.decisions[i] ?? { action: 'reject', errors: [{ title: 'internal error', detail: 'no decision' }] };
        const early = outcomeWithoutWrite(ctx, pending, decision);
        if (early) settled.push(early);
        else items.push({ pending, decision });
      });
      return concat(from(settled), write(ctx, items));
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
