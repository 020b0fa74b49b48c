import { catchError, defer, of, tap, type Observable } from 'rxjs';
import { HttpError } from '../errors/http-error.js';
import type { Outcome } from '../types/outcome.js';
import { isUncertain, type SinkContext } from './context.js';
import type { Decision, Pending } from './decide.js';
import { documentFor, outcomeOfError, outcomeWithoutWrite } from './outcomes.js';
import { mayHaveHappened, resolve } from './resolve.js';
import { throwIfTargetRefused } from './target-refused.js';

/**
 * Writes one record with one request (`POST` to create or upsert, `PATCH` to update) and yields
 * its outcome. Each attempt passes through the limiter; transient failures are retried. After
 * an uncertain failure a create looks again before it is retried, so that a create Oro did apply
 * is not applied twice.
 */
export function writeSingle(ctx: SinkContext, pending: Pending, first: Decision): Observable<Outcome> {
  let decision = first;
  let lookAgain = false;
  return defer(async () => {
    if (lookAgain && mayHaveHappened(ctx, decision)) decision = (await resolve(ctx, [pending], true))[0] ?? decision;
    lookAgain = false;
    return send(ctx, pending, decision, true);
  }).pipe(
    ctx.throttle<Outcome>('write'),
    tap({ error: (error: unknown) => void (lookAgain = isUncertain(error)) }),
    ctx.retry<Outcome>(),
    catchError((error: unknown) => {
      throwIfTargetRefused(ctx.target, error);
      return of(outcomeOfError(pending, error));
    }),
  );
}

async function send(ctx: SinkContext, pending: Pending, decision: Decision, mayRelook: boolean): Promise<Outcome> {
  const early = outcomeWithoutWrite(ctx, pending, decision);
  if (early) return early;
  const { record, mapped } = pending;
  const document = documentFor(ctx, pending, decision);
  if (decision.action === 'update') {
    try {
      const resource = await ctx.client.update({ ...document, data: { ...document.data, id: decision.id } });
      return { status: 'updated', record, id: resource.id, document };
    } catch (error) {
      // The id came from the cache or an earlier read and Oro no longer has it: look once more.
      if (mayRelook && error instanceof HttpError && error.status === 404) {
        ctx.ids.forget(mapped.key);
        const fresh = (await resolve(ctx, [pending], true))[0];
        if (fresh) return send(ctx, pending, fresh, false);
      }
      throw error;
    }
  }
  const result = await ctx.client.create(document);
  ctx.ids.put([[mapped.key, result.resource.id]]);
  return { status: result.created ? 'created' : 'updated', record, id: result.resource.id, document };
}
