import { catchError, defer, from, mergeMap, of, tap, type Observable } from 'rxjs';
import { HttpError } from '../errors/http-error.js';
import type { Outcome } from '../types/outcome.js';
import { isUncertain, type SinkContext } from './context.js';
import type { Decision, Pending } from './decide.js';
import { documentFor, outcomeOfError, outcomeWithoutWrite } from './outcomes.js';
import { mayHaveHappened, resolve } from './resolve.js';
import type { BatchItem } from './batch-document.js';
import { isStale, relookSettled, stalenessOf, type Staleness } from './sort-errors.js';
import { throwIfTargetRefused } from './target-refused.js';

/**
 * Writes one record with one request (`POST` to create or upsert, `PATCH` to update) and yields
 * its outcome. Each attempt passes through the limiter; transient failures are retried. After
 * an uncertain failure a create looks again before it is retried, so that a create Oro did apply
 * is not applied twice. An id Oro no longer has (the record's own: 404; a related one from the
 * id cache: "does not exist" at its relationship) is forgotten, the record looked up again and
 * written once more.
 */
export function writeSingle(ctx: SinkContext, pending: Pending, decision: Decision): Observable<Outcome> {
  return attemptWrite(ctx, { pending, decision });
}

function attemptWrite(ctx: SinkContext, first: BatchItem): Observable<Outcome> {
  let item = first;
  let lookAgain = false;
  return defer(async (): Promise<Outcome | { readonly stale: Staleness }> => {
    if (lookAgain && mayHaveHappened(ctx, item.decision)) {
      item = { ...item, decision: (await resolve(ctx, [item.pending], true))[0] ?? item.decision };
    }
    lookAgain = false;
    try {
      return await send(ctx, item);
    } catch (error) {
      const stale = staleIn(item, error);
      if (stale) return { stale };
      throw error;
    }
  }).pipe(
    ctx.throttle<Outcome | { readonly stale: Staleness }>('write'),
    tap({ error: (error: unknown) => void (lookAgain = isUncertain(error)) }),
    ctx.retry<Outcome | { readonly stale: Staleness }>(),
    catchError((error: unknown) => {
      throwIfTargetRefused(ctx.target, error);
      return of(outcomeOfError(item.pending, error));
    }),
    // Looked up again outside the write's limiter slot (the reads take their own), then written anew.
    mergeMap((result) =>
      'stale' in result
        ? from(relookSettled(ctx, [{ item, staleness: result.stale }])).pipe(
            mergeMap((again) => (again.items[0] ? attemptWrite(ctx, again.items[0]) : from(again.settled))),
          )
        : of(result),
    ),
  );
}

/** The stale ids a failed request of a record names, if that is all it names. */
function staleIn(item: BatchItem, error: unknown): Staleness | undefined {
  if (!(error instanceof HttpError) || error.status < 400 || error.status >= 500) return undefined;
  // Oro's 404 for a PATCH of an id it does not have may come without a body.
  const errors = error.errors.length > 0 ? error.errors : [{ status: error.status, title: error.message }];
  const staleness = stalenessOf(item, errors);
  return isStale(item, staleness) ? staleness : undefined;
}

async function send(ctx: SinkContext, { pending, decision }: BatchItem): Promise<Outcome> {
  const early = outcomeWithoutWrite(ctx, pending, decision);
  if (early) return early;
  const { record, mapped } = pending;
  const document = documentFor(ctx, pending, decision);
  if (decision.action === 'update') {
    const resource = await ctx.client.update({ ...document, data: { ...document.data, id: decision.id } }, { keys: [mapped.key] });
    return { status: 'updated', record, id: resource.id, document };
  }
  const result = await ctx.client.create(document, { keys: [mapped.key] });
  void ctx.ids.put([[mapped.key, result.resource.id]]);
  return { status: result.created ? 'created' : 'updated', record, id: result.resource.id, document };
}
