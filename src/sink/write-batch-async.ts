import { defer, firstValueFrom, mergeMap, race, tap, throwError, timer } from 'rxjs';
import { isFatal } from '../errors/classify.js';
import type { AsyncOperation, AsyncOperationHandle } from '../oro/types.js';
import { SETTLE_DEFAULTS } from '../oro/async-operation.js';
import type { ErrorDetail, Outcome } from '../types/outcome.js';
import type { BatchItem } from './batch-document.js';
import type { TokenOutcome } from '../operators/throttle.js';
import { request, type SinkContext } from './context.js';
import { lookupByKeys } from './lookup.js';
import { outcomeOfError, successOutcome } from './outcomes.js';
import { attributeErrors } from './pointers.js';
import { submitBatch, type BatchAttempt } from './submit-batch.js';
import { refusalIn } from './target-refused.js';
import { relookSettled, sortByErrors } from './sort-errors.js';

/**
 * Writes items with the asynchronous Batch API: submit (`202` + `Content-Location`), poll the
 * operation to its end, read every page of its errors and give each record pointed at
 * (`/data/N/...`, or `/included/N/...` of the record that carried it) its own rejection.
 *
 * An operation that "succeeded" may still hold errors (`summary.errorCount > 0`); and Oro's
 * answer holds no ids. So the records not named by an error are read back by key: found ones
 * are `created`/`updated` with their id, and one that is not there has not been written.
 * A record refused only because Oro no longer has an id it was sent with (404 at `/data/N/id`)
 * is looked up again and written in a batch of its own.
 */
export async function writeBatchAsync(ctx: SinkContext, items: readonly BatchItem[]): Promise<Outcome[]> {
  const attempt: BatchAttempt = { items: [...items], includedOwner: [], settled: [] };
  let handle: AsyncOperationHandle;
  try {
    const keys = () => attempt.items.map((item) => item.pending.mapped.key);
    const submitted = await submitBatch(ctx, attempt, (document) => ctx.client.batch(ctx.target.type, document, { keys: keys() }));
    if (!submitted) return attempt.settled;
    handle = submitted;
  } catch (error) {
    if (isFatal(error)) throw error;
    return [...attempt.settled, ...attempt.items.map((item) => outcomeOfError(item.pending, error))];
  }
  return [...attempt.settled, ...(await finishOperation(ctx, attempt, handle, (again) => writeBatchAsync(ctx, again)))];
}

/**
 * Sees a submitted operation through, outside any limiter slot: polls it to its end within the
 * poll budget, reads its errors and gives every record sent its outcome. Records Oro refused
 * only because an id they were sent with is gone are looked up again and handed to `rewrite`.
 */
export async function finishOperation(
  ctx: SinkContext,
  attempt: BatchAttempt,
  handle: AsyncOperationHandle,
  rewrite: (items: BatchItem[]) => Promise<Outcome[]>,
): Promise<Outcome[]> {
  let operation: AsyncOperation;
  try {
    operation = await settle(ctx, handle);
  } catch (error) {
    if (isFatal(error)) throw error;
    if (error instanceof StillPending) {
      const errors = [{ title: 'async operation not finished', detail: error.message }];
      return attempt.items.map((item): Outcome => ({ status: 'failed', record: item.pending.record, errors }));
    }
    return attempt.items.map((item) => outcomeOfError(item.pending, error));
  }

  let errors: readonly ErrorDetail[] = [];
  if (operation.status === 'failed' || (operation.summary?.errorCount ?? 0) > 0) {
    try {
      errors = await request(ctx, () => handle.errors(), 'read');
    } catch (error) {
      if (isFatal(error)) throw error;
      // Without the errors we cannot tell the records apart; the read-back below still can.
      errors = [];
    }
  }
  return outcomesOfOperation(ctx, attempt.items, attempt.includedOwner, operation, errors, rewrite);
}

/** The operation did not end within the poll budget. Not retried: waiting longer is the budget's job. */
class StillPending extends Error {}

/**
 * Polls the operation to its end. A poll that fails transiently is retried, but never past the
 * overall budget (`poll.timeoutMs`, 10 min by default, timed on the sink's scheduler): an
 * operation stays `new` for as long as Oro's message queue consumer is down, and retrying the
 * whole wait would multiply it. Polling holds no limiter slot: a slot held for the seconds Oro
 * takes would idle a request that another batch could use, and polls are light.
 */
async function settle(ctx: SinkContext, handle: AsyncOperationHandle): Promise<AsyncOperation> {
  const budgetMs = ctx.poll.timeoutMs ?? SETTLE_DEFAULTS.timeoutMs;
  const deadline = ctx.scheduler.now() + budgetMs;
  // Each poll takes a rate token (and honours a pause) on the limiter, holding its slot only for
  // that instant: a proxy's rate limit counts polls like any request, and a poll it refuses
  // pauses and slows the others as a refused write does.
  let lastPoll: TokenOutcome | undefined;
  const beforePoll = async (): Promise<void> => {
    lastPoll?.(); // the poll before this one passed
    lastPoll = await ctx.rateToken();
  };
  const pollsDone = (error?: unknown): void => {
    lastPoll?.(error);
    lastPoll = undefined;
  };
  const polls = defer(() => handle.settle({ ...ctx.poll, beforePoll, timeoutMs: Math.max(1, deadline - ctx.scheduler.now()) })).pipe(
    tap({ complete: () => pollsDone(), error: (error: unknown) => pollsDone(error) }),
    ctx.retry<AsyncOperation>(),
  );
  const budget = timer(budgetMs, ctx.scheduler).pipe(
    mergeMap(() =>
      throwError(() => new StillPending(
        `Oro's async operation ${handle.id} for ${ctx.target.type} did not finish within ${budgetMs / 1000} s ` +
          '(operations stay "new" while Oro\'s message queue consumer is not running)',
      )),
    ),
  );
  return firstValueFrom(race(polls, budget));
}

/**
 * Per-record outcomes of a finished async operation: records named by an error are rejected with
 * it; the others are read back by key, because Oro's answer holds no ids (and a record missing
 * from both has not been written).
 */
async function outcomesOfOperation(
  ctx: SinkContext,
  sent: readonly BatchItem[],
  includedOwner: readonly number[],
  operation: AsyncOperation,
  errors: readonly ErrorDetail[],
  rewrite: (items: BatchItem[]) => Promise<Outcome[]>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  if (operation.status === 'cancelled') {
    const cancelled = [{ title: 'async operation cancelled', detail: `Oro's async operation ${operation.id} for ${ctx.target.type} was cancelled` }];
    return sent.map((item): Outcome => ({ status: 'failed', record: item.pending.record, errors: cancelled }));
  }
  // Errors that condemn the target (upsert not allowed, no such key field) stop the run.
  const refusal = refusalIn(ctx.target, errors);
  if (refusal) throw refusal;
  const { byItem, unattributed } = attributeErrors(errors, includedOwner);
  const { unnamed: candidates, stale, rejected } = sortByErrors(ctx, sent, byItem);
  outcomes.push(...rejected);
  if (stale.length > 0) {
    const again = await relookSettled(ctx, stale);
    outcomes.push(...again.settled, ...(again.items.length > 0 ? await rewrite(again.items) : []));
  }
  if (candidates.length === 0) return outcomes;

  const notWritten: ErrorDetail[] = unattributed.length > 0
    ? unattributed
    : [{
        title: operation.status === 'failed' ? 'async operation failed' : 'not written',
        detail: `Oro's async operation ${operation.id} ended ${operation.status} without writing this record`,
      }];

  let found: Map<string, { id: string }[]>;
  try {
    found = await request(ctx, () => lookupByKeys(ctx.client, ctx.target.type, ctx.target.key.oro, candidates.map((c) => c.pending.mapped.key)), 'read');
  } catch (error) {
    if (isFatal(error)) throw error;
    return [...outcomes, ...candidates.map((item) => outcomeOfError(item.pending, error))];
  }
  const succeeded = operation.status === 'success';
  for (const item of candidates) {
    const match = found.get(item.pending.mapped.key)?.[0];
    if (item.decision.action === 'create' ? match !== undefined : succeeded) {
      if (match) void ctx.ids.put([[item.pending.mapped.key, match.id]]);
      const outcome = successOutcome(item, match?.id);
      // An update the read-back did not find is not confirmed: it gets no digest.
      if (!match) ctx.unconfirmed.add(outcome);
      outcomes.push(outcome);
    } else {
      // A failed operation is Oro refusing the request (e.g. "Failed to parse the data file");
      // a successful one that left a record out is something a replay may fix.
      outcomes.push({ status: succeeded ? 'failed' : 'rejected', record: item.pending.record, errors: notWritten });
    }
  }
  return outcomes;
}

