/**
 * The Oro sink (`toOro`), and a map of the files in this folder by the phase they serve. Each
 * batch is split into rounds (no key twice); each round is decided, then written.
 *
 * Around both phases:
 * - options.ts: the target (type, mode, strategy, key, conflict policy) and the sink's options.
 * - context.ts: what one subscription shares; `request` runs a unit through limiter and retry.
 * - key-locks.ts, rounds.ts, claimed.ts: one key written at a time, in this process, in a batch
 *   and across workers.
 * - write-round.ts: one round through both phases; records waiting for a related one.
 *
 * Decide phase (reads only: what to do with each record):
 * - unchanged.ts, digest.ts, digest-store.ts: records Oro already holds as they are cost no request.
 * - resolve-related.ts, related-waits.ts: source-keyed relationships filled with Oro ids, or
 *   waiting for a record this sink has not written yet.
 * - resolve.ts, lookup.ts, id-cache.ts: what Oro holds for each key, from the cache or a read.
 * - decide.ts: create, update, upsert, skip or reject, and the resource object to send.
 *
 * Write phase (in the target's mode):
 * - write-single.ts: one request per record.
 * - write-batch-async.ts: the async Batch API: submit, poll, read the errors, read back by key.
 * - write-batch-sync.ts: sync batches (`X-Mode: sync`): all or nothing, refused records set aside.
 * - batch-document.ts, submit-batch.ts: the Batch API document; sending it as one request unit.
 * - pointers.ts, sort-errors.ts: each error to the record it points at; reject it, or look it
 *   up again when only an id it was sent with is gone.
 * - outcomes.ts: a record's outcome from an answer, an error or a decision without a write.
 * - target-refused.ts: an answer that says the target is wrong stops the run.
 * - store-writes.ts: ids and digests learnt, stored before a batch's keys are released.
 */
import { asyncScheduler, concat, defer, finalize, from, ignoreElements, merge, mergeAll, mergeMap, Subject, tap, type Observable, type OperatorFunction } from 'rxjs';
import { isOutcome, type MappedRecord, type Outcome, type Step } from '../types/outcome.js';
import { retryTransient } from '../operators/retry.js';
import { createSinkContext, retryPolicyOf, settleIfQuiet, type SinkContext } from './context.js';
import type { Pending } from './decide.js';
import type { SinkOptions } from './options.js';
import { splitIntoRounds } from './rounds.js';
import { writeClaimed } from './claimed.js';
import type { KeyRelease } from './key-locks.js';
import { writeBlocked, writeRound } from './write-round.js';

/**
 * The Oro sink: batches of records in, exactly one outcome per record out.
 *
 * ```
 * batches:  --[a,b,c]------[d,E]--|        (E: already rejected upstream)
 * outcomes: ------a-c-b--------E--d-|      created / updated / skipped / rejected / failed
 * ```
 *
 * For each batch it decides what to do with every record (by upsert, by lookup in Oro, or
 * create-only; with the conflict policy), then writes in the target's mode: one request per
 * record (`single`), the async Batch API (`batch`) or sync batches (`batch-sync`). Outcomes
 * decided upstream (records that failed to decode or map) pass through.
 *
 * Records with the same key are written one after the other, across batches too, so that two
 * versions of one record can never both be created. Only fatal errors (bad credentials) end the
 * stream with an error; everything else is an outcome.
 *
 * Every request runs through the `limiter` (lookups and read-backs ahead of writes) inside the
 * `retry` policy, so each retry queues for the limiter again; the waits run on `scheduler`.
 *
 * @example
 * ```ts
 * const { client, limiter, close } = createOro({ baseUrl, clientId, clientSecret, concurrency: 8 });
 * records$.pipe(
 *   decodeWith(Customer),
 *   mapRecords(mapping),
 *   batchRecords({ size: 100, ms: 500 }),
 *   toOro({
 *     client,
 *     target: { type: 'customers', mode: 'batch', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' },
 *     limiter,
 *     retry: 6,
 *   }),
 * ).subscribe({ next: (outcome) => console.log(outcome.status), complete: close });
 * ```
 *
 * @throws RangeError at once when `retry` is not a non-negative integer (or a policy with one).
 */
export function toOro(options: SinkOptions): OperatorFunction<readonly Step<MappedRecord>[], Outcome> {
  // Built once here so that a bad retry count fails the call, not every record's requests.
  retryTransient(retryPolicyOf(options.retry, asyncScheduler));
  return (batches) =>
    defer(() => {
      const ctx = createSinkContext(options);
      // Records waiting for a related record leave their batch (and its concurrency slot) and
      // are written from here when they can be.
      const blocked = new Subject<Observable<Outcome>>();
      const onBlocked = (pending: Pending) => blocked.next(writeBlocked(ctx, pending));
      const main = batches.pipe(
        mergeMap((batch) => writeBatchOfSteps(ctx, batch, onBlocked), options.concurrency ?? 4),
        tap({
          complete: () => {
            ctx.inputDone = true;
            blocked.complete();
            settleIfQuiet(ctx);
          },
        }),
      );
      return merge(blocked.pipe(mergeAll()), main);
    });
}

function writeBatchOfSteps(ctx: SinkContext, batch: readonly Step<MappedRecord>[], onBlocked: (pending: Pending) => void): Observable<Outcome> {
  const decided: Outcome[] = [];
  const pendings: Pending[] = [];
  for (const step of batch) {
    if (isOutcome(step)) decided.push(step);
    else pendings.push({ index: pendings.length, record: step, mapped: step.value });
  }
  if (pendings.length === 0) return from(decided);
  // Taken now, in arrival order, so that a later batch with the same key waits for this one.
  const locked = ctx.locks.acquire(pendings.map((p) => p.mapped.key));
  let unlock: KeyRelease | undefined;
  let started = 0;
  const writeRounds = (claimed: readonly Pending[]) =>
    concat(
      ...splitIntoRounds(claimed, (p) => p.mapped.key).map((round) => writeRound(ctx, round, onBlocked)),
      // The keys are released only once what their writes learnt (ids, digests) is stored, so the
      // next writer of a key, here or in another worker sharing the state store, finds it.
      defer(() => ctx.writes.settled()).pipe(ignoreElements()),
    );
  return concat(
    from(decided),
    defer(async () => {
      unlock = await locked;
      started = performance.now();
    }).pipe(mergeMap(() => writeClaimed(ctx, pendings, writeRounds, (keys) => unlock?.(keys)))),
  ).pipe(
    finalize(() => {
      if (started > 0) ctx.onBatch(performance.now() - started, pendings.length);
      if (unlock) unlock();
      else void locked.then((release) => release());
    }),
  );
}
