import { createHash } from 'node:crypto';
import { catchError, defer, from, lastValueFrom, map, mergeMap, of, toArray, type Observable } from 'rxjs';
import type { OnMissingConfig } from '../config/config-types.js';
import { classOf, detailsOf } from '../errors/classify.js';
import { HttpError } from '../errors/http-error.js';
import type { Limiter } from '../oro/limiter.js';
import type { OroClient } from '../oro/types.js';
import { retryTransient } from '../operators/retry.js';
import { throttleRequests } from '../operators/throttle.js';
import { canonicalJson } from '../sink/digest.js';
import type { KeyStateInput, MissingKey, StateStore } from '../state/state-store.js';
import type { Json, ResourceObject } from '../types/jsonapi.js';
import type { Outcome } from '../types/outcome.js';
import type { SourceRecord } from '../types/record.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import { keysHeldBy } from './read-back.js';

/** How the `where` of a missing key's outcome (and dead letter) begins: `onMissing customers C-7`. */
export const ON_MISSING_WHERE = 'onMissing ';

/** Missing keys read from the store at a time. */
const PAGE = 100;

export interface SweepOptions {
  readonly store: StateStore;
  readonly pipeline: string;
  /** The run whose seen marks say which keys it read (a dry run's token). */
  readonly runId: number;
  /** `target.type` and `target.key.oro` (the id map to forget a deleted key in). */
  readonly type: string;
  readonly keyField: string;
  /** The Oro the ids belong to (`stateOroOf`): its id map forgets a deleted key. */
  readonly oro: string;
  readonly onMissing: OnMissingConfig;
  readonly client: OroClient;
  /** The run's limiter and retry policy: a delete (and each read-back) waits for a slot and is retried like any request. */
  readonly limiter: Limiter;
  readonly retry: RetryPolicy;
  readonly concurrency: number;
  /** Deal again with keys an earlier run updated or Oro refused (`--full`). */
  readonly retryDone?: boolean;
  /** Decide and report only: no request, no state change. */
  readonly dryRun: boolean;
  /** Aborting stops before the next page (what is in flight finishes). */
  readonly signal?: AbortSignal | undefined;
  /** Every outcome, as for a record of the source (counts, dead letters, metrics). */
  readonly onOutcome: (outcome: Outcome) => void;
  /** Where a dry run lists what it would do. */
  readonly print?: ((line: string) => void) | undefined;
}

export interface SweepResult {
  /** Set when more than `maxFraction` of the known keys would go: the one line why nothing was done. */
  readonly refused?: string;
  /** The sweep was stopped by the signal before its end. */
  readonly stopped: boolean;
  /**
   * Missing keys whose stored id Oro no longer holds with the key (the record is gone, or the id
   * is another record's now): forgotten, neither deleted nor updated.
   */
  readonly forgotten: number;
}

/**
 * `target.onMissing`, after a complete snapshot run: the keys this pipeline knows an Oro id for
 * that the run did not read are deleted (`DELETE /{type}/{id}`; a 404 means gone meanwhile, so
 * `deleted` too) or updated with the configured attributes. Each yields an outcome like a record
 * of the source. Over `maxFraction` of the known keys nothing is done (a truncated export must
 * not empty Oro). The keys are read from the store a page at a time, never all at once.
 *
 * A stored id is acted on only once it is read back (one request per page of 100: `filter[id]`
 * with the key field in `fields[...]`) and still holds its key: an Oro restored from a backup may
 * have given it to another record, which must not be deleted or overwritten. Ids that no longer
 * hold their key are forgotten (state and id map) and counted (`forgotten`), without an outcome.
 *
 * @example
 * ```ts
 * await seen.flush();
 * const { refused } = await sweepMissing({ store, pipeline: 'customers', runId, type: 'customers', keyField: 'externalId',
 *   onMissing: { action: 'delete', maxFraction: 0.1 }, client, limiter, retry, concurrency: 8, dryRun: false, onOutcome });
 * ```
 */
export async function sweepMissing(options: SweepOptions): Promise<SweepResult> {
  const { store, pipeline, runId, onMissing } = options;
  // Keys dealt with by an earlier run (updated, or refused by Oro) are left alone, as a record
  // rejected before is not sent again; `--full` (`retryDone`) and a mapping change try them again.
  const done = doneMark(options.type, onMissing);
  const query = options.retryDone ? {} : { exceptDigestPrefix: done };
  const missing = await store.countMissing(pipeline, runId, query);
  if (missing === 0) return { stopped: false, forgotten: 0 };
  const known = await store.countKnown(pipeline);
  if (missing > onMissing.maxFraction * known) return { refused: refusal(missing, known, onMissing), stopped: false, forgotten: 0 };

  let afterKey: string | undefined;
  let forgotten = 0;
  for (;;) {
    if (options.signal?.aborted) return { stopped: true, forgotten };
    const page = await store.missingKeys(pipeline, runId, { limit: PAGE, ...query, ...(afterKey !== undefined ? { afterKey } : {}) });
    const last = page.at(-1);
    if (last === undefined) return { stopped: false, forgotten };
    afterKey = last.key;
    const checked = await readBack(options, page).catch((error: unknown) => {
      if (classOf(error) === 'fatal') throw error;
      // Not read back, not acted on: the keys stay as they are, and the next complete run tries again.
      return { failed: page.map((missing): Outcome => ({ status: 'failed', record: recordOf(options, missing), errors: detailsOf(error) })) };
    });
    if ('failed' in checked) {
      for (const outcome of checked.failed) options.onOutcome(outcome);
      continue;
    }
    forgotten += checked.stale.length;
    if (checked.stale.length > 0 && !options.dryRun) await forget(options, checked.stale);
    const outcomes = await lastValueFrom(from(checked.holding).pipe(
      mergeMap((key) => settle(options, key), options.concurrency),
      toArray(),
    ));
    if (!options.dryRun) await remember(options, outcomes, done);
    for (const outcome of outcomes) options.onOutcome(outcome);
  }
}

/**
 * The page's keys whose stored id Oro still holds with the key (`holding`), and the others
 * (`stale`): one read, through the run's limiter and retry policy. A key that is Oro's id itself
 * is its own check.
 */
async function readBack(options: SweepOptions, page: readonly MissingKey[]): Promise<{ holding: MissingKey[]; stale: MissingKey[] }> {
  const { client, type, keyField } = options;
  if (keyField === 'id') return { holding: [...page], stale: [] };
  const held = await lastValueFrom(defer(() => keysHeldBy(client, type, keyField, page.map((m) => m.oroId))).pipe(
    throttleRequests(options.limiter),
    retryTransient(options.retry),
  ));
  const holding: MissingKey[] = [];
  const stale: MissingKey[] = [];
  for (const missing of page) (held.get(missing.oroId) === missing.key ? holding : stale).push(missing);
  return { holding, stale };
}

/** Keys whose stored id no longer holds them: their state and id go, as a deleted key's do. */
async function forget(options: SweepOptions, stale: readonly MissingKey[]): Promise<void> {
  const keys = stale.map((m) => m.key);
  await Promise.all([options.store.forgetKeyStates(options.pipeline, keys), options.store.forgetIds(options.oro, options.type, options.keyField, keys)]);
}

/** The one line a refusal prints: how many of how many, and what to check. */
function refusal(missing: number, known: number, onMissing: OnMissingConfig): string {
  const percent = Number(((100 * missing) / known).toFixed(1));
  const what = onMissing.action === 'delete' ? 'deleted' : 'updated';
  return `onMissing: ${missing} of ${known} known keys (${percent} %) are missing from this run, over maxFraction ${onMissing.maxFraction}: ` +
    `nothing was ${what}; check the export is complete, or raise target.onMissing.maxFraction`;
}

/**
 * How the digest of a key onMissing dealt with begins: `onMissing:<sha256 of the action and its
 * attributes>:`. Not a record's digest (those are hex), so the key is not dealt with again every
 * run, a record that comes back with it is sent, and other onMissing settings deal with it anew.
 */
function doneMark(type: string, onMissing: OnMissingConfig): string {
  const settings = onMissing.action === 'update' ? { type, action: 'update', attributes: onMissing.attributes } : { type, action: 'delete' };
  return `onMissing:${createHash('sha256').update(canonicalJson(settings)).digest('hex')}:`;
}

/** The outcome's record: what a dead letter holds for a missing key (no source record exists). */
function recordOf(options: SweepOptions, { key, oroId }: MissingKey): SourceRecord<MissingValue> {
  return { value: { onMissing: options.onMissing.action, key, id: oroId }, position: { seq: -1, where: `${ON_MISSING_WHERE}${options.type} ${key}` } };
}

function settle(options: SweepOptions, missing: MissingKey): Observable<Outcome> {
  const { onMissing, client, type } = options;
  const record = recordOf(options, missing);
  const id = missing.oroId;
  const dry = options.dryRun ? { dryRun: true } : {};
  const data: ResourceObject & { id: string } = onMissing.action === 'update'
    ? { type, id, attributes: onMissing.attributes as Record<string, Json> }
    : { type, id };
  const done: Outcome = onMissing.action === 'delete'
    ? { status: 'deleted', record, id, ...dry }
    : { status: 'updated', record, id, document: { data }, ...dry };
  if (options.dryRun) {
    options.print?.(JSON.stringify(onMissing.action === 'delete'
      ? { action: 'delete', where: record.position.where, id }
      : { action: 'update', where: record.position.where, document: { data } }));
    return of(done);
  }
  const note = { keys: [missing.key] };
  const request = onMissing.action === 'delete'
    ? () => client.delete(type, id, note)
    : async () => void (await client.update({ data }, note));
  return defer(request).pipe(
    throttleRequests(options.limiter),
    retryTransient(options.retry),
    map(() => done),
    catchError((error: unknown) => {
      // Already gone: what the delete was for (docs/oro-api.md §2: DELETE of an unknown id is a 404).
      if (onMissing.action === 'delete' && error instanceof HttpError && error.status === 404) return of(done);
      const errorClass = classOf(error);
      if (errorClass === 'fatal') throw error;
      const errors = detailsOf(error);
      return of<Outcome>(errorClass === 'transient' || errorClass === 'auth' ? { status: 'failed', record, errors } : { status: 'rejected', record, errors });
    }),
  );
}

/**
 * A deleted key is forgotten (state and id); an updated one keeps its id, marked done; one Oro
 * refused is marked done as rejected, with Oro's reason (its dead letter is written once). A
 * failed one is left as it was: the next complete run tries it again.
 */
async function remember(options: SweepOptions, outcomes: readonly Outcome[], done: string): Promise<void> {
  const { store, pipeline, type, keyField } = options;
  const keyOf = (outcome: Outcome) => (outcome.record.value as MissingValue).key;
  const idOf = (outcome: Outcome) => (outcome.record.value as MissingValue).id;
  const deleted = outcomes.filter((o) => o.status === 'deleted').map(keyOf);
  if (deleted.length > 0) {
    // One statement each for the page's keys: a networked store (PostgreSQL) pays a round trip per
    // call, SQLite a commit per call.
    await Promise.all([store.forgetKeyStates(pipeline, deleted), store.forgetIds(options.oro, type, keyField, deleted)]);
  }
  const states: KeyStateInput[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'updated') states.push({ key: keyOf(outcome), digest: `${done}updated`, oroId: idOf(outcome), lastOutcome: 'confirmed' });
    if (outcome.status === 'rejected') states.push({ key: keyOf(outcome), digest: `${done}rejected`, oroId: idOf(outcome), lastOutcome: 'rejected', errors: outcome.errors });
  }
  if (states.length > 0) await store.putKeyStates(pipeline, states);
}

/** What a missing key's outcome record holds (and its dead letter's `record`). */
interface MissingValue {
  readonly onMissing: OnMissingConfig['action'];
  readonly key: string;
  readonly id: string;
}
