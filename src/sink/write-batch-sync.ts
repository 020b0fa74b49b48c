import { HttpError } from '../errors/http-error.js';
import { isFatal } from '../errors/classify.js';
import type { Resource } from '../types/jsonapi.js';
import type { Outcome } from '../types/outcome.js';
import { chunkItems, type BatchItem } from './batch-document.js';
import { attributeErrors } from './pointers.js';
import type { SinkContext } from './context.js';
import { outcomeOfError, successOutcome } from './outcomes.js';
import { relookSettled, sortByErrors } from './sort-errors.js';
import { submitBatch, type BatchAttempt } from './submit-batch.js';
import { finishOperation } from './write-batch-async.js';

/** Oro's limits for `X-Mode: sync` (`docs/oro-api.md` §6). */
export const SYNC_MAX_DATA = 100;
const SYNC_MAX_INCLUDED = 50;

/**
 * Writes items with the synchronous Batch API (`X-Mode: sync`), at most 100 a request. Oro
 * applies such a request all or nothing and answers its errors with one status (400, 404 for a
 * stale id, 409 for a conflict, …): on any 4xx whose pointers name records, those are set aside
 * and the rest is sent again, until the request succeeds or nothing is left. A record named only
 * for an id Oro no longer has (deleted behind the sync's back) is looked up again and sent with
 * the rest. When Oro turns the request async (202), the operation is polled outside the limiter.
 */
export async function writeBatchSync(ctx: SinkContext, items: readonly BatchItem[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const chunk of chunkItems(items, SYNC_MAX_DATA, SYNC_MAX_INCLUDED)) outcomes.push(...(await writeChunk(ctx, chunk)));
  return outcomes;
}

async function writeChunk(ctx: SinkContext, chunk: readonly BatchItem[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  // Records a new look settles take their place among the outcomes as they come.
  const attempt: BatchAttempt = { items: [...chunk], includedOwner: [], settled: outcomes };
  while (attempt.items.length > 0) {
    let sentIds: readonly (string | undefined)[] = [];
    try {
      const result = await submitBatch(ctx, attempt, (document) => {
        sentIds = document.data.map((resource) => resource.id);
        return ctx.client.batchSync(ctx.target.type, document, { keys: attempt.items.map((item) => item.pending.mapped.key) });
      });
      if (!result) return outcomes;
      if (result.asyncFallback) {
        // No longer all or nothing, and no ids in the answer: as an async batch.
        outcomes.push(...(await finishOperation(ctx, attempt, result.asyncFallback, (again) => writeBatchSync(ctx, again))));
        return outcomes;
      }
      outcomes.push(...outcomesOfAnswer(ctx, attempt.items, sentIds, result.data));
      return outcomes;
    } catch (error) {
      if (isFatal(error)) throw error;
      const sent = attempt.items;
      if (error instanceof HttpError && error.status >= 400 && error.status < 500) {
        const { byItem } = attributeErrors(error.errors, attempt.includedOwner);
        const sorted = byItem.size > 0 ? sortByErrors(ctx, sent, byItem) : undefined;
        // An answer naming none of the records sent (an index past them) would come back the
        // same for the same request: it is every record's, not a reason to send them again.
        if (sorted && sorted.unnamed.length < sent.length) {
          const { unnamed, stale, rejected } = sorted;
          // Looked up again, records with stale ids go with the rest of this request.
          const again = await relookSettled(ctx, stale);
          outcomes.push(...rejected, ...again.settled);
          attempt.items = [...unnamed, ...again.items];
          continue;
        }
      }
      outcomes.push(...sent.map((item) => outcomeOfError(item.pending, error)));
      return outcomes;
    }
  }
  return outcomes;
}

/**
 * Outcomes of a sync batch Oro applied. Its records carry `meta.dataId`, the id each item was
 * sent with (a create's temporary id, an update's id); an item sent without an id (an upsert by
 * fields) takes the record at its position, since Oro answers in request order.
 */
function outcomesOfAnswer(ctx: SinkContext, sent: readonly BatchItem[], sentIds: readonly (string | undefined)[], data: readonly Resource[]): Outcome[] {
  const byDataId = new Map<string, Resource>();
  for (const resource of data) {
    const dataId = resource.meta?.['dataId'];
    if (typeof dataId === 'string') byDataId.set(dataId, resource);
  }
  const learnt: [string, string][] = [];
  const outcomes = sent.map((item, i) => {
    const sentId = sentIds[i];
    const id = (sentId !== undefined ? byDataId.get(sentId) : data[i])?.id;
    if (id !== undefined) learnt.push([item.pending.mapped.key, id]);
    return successOutcome(item, id);
  });
  void ctx.ids.put(learnt);
  return outcomes;
}
