import { HttpError } from '../errors/http-error.js';
import { isFatal } from '../errors/classify.js';
import type { Outcome } from '../types/outcome.js';
import { buildBatch, chunkItems, type BatchItem } from './batch-document.js';
import { throwIfBatchDisabled } from './batch-disabled.js';
import { attributeErrors } from './pointers.js';
import { isUncertain, request, type SinkContext } from './context.js';
import { outcomeOfError } from './outcomes.js';
import { mayHaveHappened, resolve } from './resolve.js';
import { outcomesOfOperation } from './write-batch.js';

/** Oro's limits for `X-Mode: sync` (`oro-api.md` §6). */
export const SYNC_MAX_DATA = 100;
export const SYNC_MAX_INCLUDED = 50;

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
  let remaining = [...chunk];
  while (remaining.length > 0) {
    let sent = remaining;
    let includedOwner: readonly number[] = [];
    let lookAgain = false;
    try {
      const result = await request(ctx, async () => {
        if (lookAgain) {
          const redone = await redecide(ctx, sent);
          outcomes.push(...redone.settled);
          sent = redone.items;
        }
        lookAgain = false;
        if (sent.length === 0) return { data: [] };
        const built = buildBatch(ctx, sent);
        includedOwner = built.includedOwner;
        try {
          return await ctx.client.batchSync(ctx.target.type, built.document);
        } catch (error) {
          lookAgain = isUncertain(error);
          throw error;
        }
      });
      if (result.asyncFallback) {
        // Past 25 s Oro falls back to async: no longer all or nothing, and no ids in the answer.
        const { operation, errors } = result.asyncFallback;
        outcomes.push(...(await outcomesOfOperation(ctx, sent, includedOwner, operation, errors)));
        return outcomes;
      }
      sent.forEach((item, i) => {
        const id = result.data[i]?.id ?? (item.decision.action === 'update' ? item.decision.id : undefined);
        outcomes.push(successOutcome(item, id));
      });
      ctx.ids.put(sent.flatMap((item, i) => (result.data[i] ? [[item.pending.mapped.key, result.data[i].id] as const] : [])));
      return outcomes;
    } catch (error) {
      if (isFatal(error)) throw error;
      throwIfBatchDisabled(ctx, error);
      if (error instanceof HttpError && error.status === 400) {
        const { byItem } = attributeErrors(error.errors, includedOwner);
        if (byItem.size > 0) {
          sent.forEach((item, i) => {
            const errors = byItem.get(i);
            if (errors) outcomes.push({ status: 'rejected', record: item.pending.record, errors });
          });
          remaining = sent.filter((_, i) => !byItem.has(i));
          continue;
        }
      }
      outcomes.push(...sent.map((item) => outcomeOfError(item.pending, error)));
      return outcomes;
    }
  }
  return outcomes;
}

/** After an uncertain failure, creates are decided again: Oro may have applied them. */
export async function redecide(ctx: SinkContext, items: readonly BatchItem[]): Promise<{ items: BatchItem[]; settled: Outcome[] }> {
  const again = items.filter((item) => mayHaveHappened(ctx, item.decision));
  if (again.length === 0) return { items: [...items], settled: [] };
  const decisions = await resolve(ctx, again.map((item) => item.pending), true);
  const fresh = new Map(again.map((item, i) => [item, decisions[i] ?? item.decision]));
  const next: BatchItem[] = [];
  const settled: Outcome[] = [];
  for (const item of items) {
    const decision = fresh.get(item) ?? item.decision;
    if (decision.action === 'skip') settled.push({ status: 'skipped', record: item.pending.record, id: decision.id, reason: decision.reason });
    else if (decision.action === 'reject') settled.push({ status: 'rejected', record: item.pending.record, errors: decision.errors });
    else next.push({ pending: item.pending, decision });
  }
  return { items: next, settled };
}

export function successOutcome(item: BatchItem, id: string | undefined): Outcome {
  const { record } = item.pending;
  if (item.decision.action === 'update') return { status: 'updated', record, id: id ?? item.decision.id };
  if (id === undefined) {
    return { status: 'failed', record, errors: [{ title: 'missing id', detail: 'Oro accepted the record but its answer holds no id for it' }] };
  }
  return { status: 'created', record, id };
}
