import type { BatchDocument } from '../types/jsonapi.js';
import type { Outcome } from '../types/outcome.js';
import { buildBatch, type BatchItem } from './batch-document.js';
import { isUncertain, request, type SinkContext } from './context.js';
import { outcomeWithoutWrite } from './outcomes.js';
import { mayHaveHappened, resolve } from './resolve.js';

/** One Batch API request and what its last attempt sent. */
export interface BatchAttempt {
  /** The items the last attempt sent (fewer than given when a new look settled some). */
  items: BatchItem[];
  /** For each included item of the last attempt, the data index of the record that carried it. */
  includedOwner: readonly number[];
  /** Where the items a new look settled (skipped, rejected) go instead of being sent again. */
  readonly settled: Outcome[];
}

/**
 * Sends `attempt.items` with `send` as one request unit (limiter and retry policy). After an
 * uncertain failure the creates are decided again before the retry: Oro may have applied them,
 * and sending them again would duplicate the records. Resolves `undefined` when that left nothing
 * to send.
 *
 * `attempt` describes the last attempt also when this rejects: Oro's error pointers are indexes
 * into what was sent last.
 */
export async function submitBatch<T>(
  ctx: SinkContext,
  attempt: BatchAttempt,
  send: (document: BatchDocument) => Promise<T>,
): Promise<T | undefined> {
  let lookAgain = false;
  return request(ctx, async () => {
    if (lookAgain) {
      const redone = await redecide(ctx, attempt.items);
      attempt.settled.push(...redone.settled);
      attempt.items = redone.items;
    }
    lookAgain = false;
    if (attempt.items.length === 0) return undefined;
    const built = buildBatch(ctx, attempt.items);
    attempt.includedOwner = built.includedOwner;
    try {
      return await send(built.document);
    } catch (error) {
      lookAgain = isUncertain(error);
      throw error;
    }
  }, 'write', attempt.items.length);
}

/** After an uncertain failure, creates are decided again: Oro may have applied them. */
async function redecide(ctx: SinkContext, items: readonly BatchItem[]): Promise<{ items: BatchItem[]; settled: Outcome[] }> {
  const again = items.filter((item) => mayHaveHappened(ctx, item.decision));
  if (again.length === 0) return { items: [...items], settled: [] };
  const decisions = await resolve(ctx, again.map((item) => item.pending), true);
  const fresh = new Map(again.map((item, i) => [item, decisions[i] ?? item.decision]));
  const next: BatchItem[] = [];
  const settled: Outcome[] = [];
  for (const item of items) {
    const decision = fresh.get(item) ?? item.decision;
    // Only skips and rejections settle here: a dry run sends nothing, so never retries.
    const outcome = outcomeWithoutWrite(ctx, item.pending, decision);
    if (outcome) settled.push(outcome);
    else next.push({ pending: item.pending, decision });
  }
  return { items: next, settled };
}
