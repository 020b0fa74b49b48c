import { concat, defer, EMPTY, finalize, from, ignoreElements, merge, mergeMap, type Observable } from 'rxjs';
import type { KeyClaim } from '../types/key-claims.js';
import type { Outcome } from '../types/outcome.js';
import { detailsOf } from '../errors/classify.js';
import type { SinkContext } from './context.js';
import type { Pending } from './decide.js';

/**
 * Writes `pendings` holding their keys' claims shared with other workers (`SinkOptions.claims`);
 * without claims, writes them as they are.
 *
 * The keys that are free are written at once; the ones another worker holds are claimed again
 * side by side, and written when they are granted, so a busy key holds up only itself. A claim
 * is released once its records' outcomes are out and `write` has completed (it stores ids and
 * digests before it does): the next worker to get the key finds what this one learnt. A claim
 * that cannot be had (the lock service is down) fails its records, which the queue redelivers.
 * `onReleased` is told each claim's keys once they are released (the sink frees its in-process
 * locks of them then, so that its next batch with those keys need not wait for the busy one).
 */
export function writeClaimed(
  ctx: SinkContext,
  pendings: readonly Pending[],
  write: (pendings: readonly Pending[]) => Observable<Outcome>,
  onReleased: (keys: readonly string[]) => void = () => undefined,
): Observable<Outcome> {
  const { claims } = ctx;
  if (!claims || ctx.dryRun || pendings.length === 0) return write(pendings);
  return defer(async () => {
    try {
      return await claims.claim(pendings.map((p) => p.mapped.key));
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }).pipe(
    mergeMap((claim) => {
      if (claim instanceof Error) return from(pendings.map((p) => unclaimed(p, claim)));
      const now = pendings.filter((p) => claim.granted.has(p.mapped.key));
      const later = pendings.filter((p) => !claim.granted.has(p.mapped.key));
      const released = defer(() => {
        onReleased([...claim.granted]);
        return EMPTY;
      });
      return merge(concat(holding(ctx, claim, write(now)), released), later.length > 0 ? writeClaimed(ctx, later, write, onReleased) : EMPTY);
    }),
  );
}

/**
 * `write$`, then what it learnt (ids, digests) stored, then the claim released (also when it
 * errs or is unsubscribed): the next worker to get the key finds the id and digest.
 */
function holding(ctx: SinkContext, claim: KeyClaim, write$: Observable<Outcome>): Observable<Outcome> {
  let released: Promise<void> | undefined;
  const release = () => (released ??= claim.release());
  return concat(
    write$,
    defer(() => ctx.writes.settled()).pipe(ignoreElements()),
    defer(release).pipe(ignoreElements()),
  ).pipe(finalize(() => void release()));
}

function unclaimed(pending: Pending, error: Error): Outcome {
  return {
    status: 'failed',
    record: pending.record,
    errors: [{ title: 'key lock unavailable', detail: `could not lock key ${JSON.stringify(pending.mapped.key)} against other workers: ${detailsOf(error).map((d) => d.detail ?? d.title).join('; ')}` }],
  };
}
