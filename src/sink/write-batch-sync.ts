import { HttpError } from '../errors/http-error.js';
import { isFatal } from '../errors/classify.js';
import type { Outcome } from '../types/outcome.js';
import { chunkItems, type BatchItem } from './batch-document.js';
import { attributeErrors } from './pointers.js';
import type { SinkContext } from './context.js';
import { outcomeOfError, successOutcome } from './outcomes.js';
import { submitBatch, type BatchAttempt } from './submit-batch.js';
import { outcomesOfOperation } from './write-batch.js';

/** Oro's limits for `X-Mode: sync` (`oro-api.md` §6). */
export const SYNC_MAX_DATA = 100;
const SYNC_MAX_INCLUDED = 50;

/**
 * Writes items with the synchronous Batch API (`X-Mode: sync`), at most 100 a request. Oro
 * applies such a request all or nothing: on a 400 the records its pointers name are set aside as
 * rejected and the rest is sent again, until the request succeeds or nothing is left.
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
    try {
      const result = await submitBatch(ctx, attempt, (document) => ctx.client.batchSync(ctx.target.type, document));
      const sent = attempt.items;
      if (!result) return outcomes;
      if (result.asyncFallback) {
        // Past 25 s Oro falls back to async: no longer all or nothing, and no ids in the answer.
        const { operation, errors } = result.asyncFallback;
        outcomes.push(...(await outcomesOfOperation(ctx, sent, attempt.includedOwner, operation, errors)));
        return outcomes;
      }
      const learnt: [string, string][] = [];
      sent.forEach((item, i) => {
        const id = result.data[i]?.id;
        if (id !== undefined) learnt.push([item.pending.mapped.key, id]);
        outcomes.push(successOutcome(item, id));
      });
      ctx.ids.put(learnt);
      return outcomes;
    } catch (error) {
      if (isFatal(error)) throw error;
      const sent = attempt.items;
      if (error instanceof HttpError && error.status === 400) {
        const { byItem } = attributeErrors(error.errors, attempt.includedOwner);
        if (byItem.size > 0) {
          sent.forEach((item, i) => {
            const errors = byItem.get(i);
            if (errors) outcomes.push({ status: 'rejected', record: item.pending.record, errors });
          });
          attempt.items = sent.filter((_, i) => !byItem.has(i));
          continue;
        }
      }
      outcomes.push(...sent.map((item) => outcomeOfError(item.pending, error)));
      return outcomes;
    }
  }
  return outcomes;
}
