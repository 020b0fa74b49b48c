/**
 * The keyset walk of the Oro source: which request comes next, which records of a page are new,
 * and when a page must be asked for again. Pure functions of a page and the request that fetched
 * it; `oro.ts` does the requests.
 *
 * Why a keyset and not `page[number]`: Oro pages by offset, so a record that changes while a
 * client pages through a list sorted by `updatedAt` moves to the end and shifts every later page
 * by one: stepping `page[number]` skips a record for each one that moved (docs/oro-api.md §9).
 * Here every request asks for what comes after the last record delivered, in `(updatedAt, id)`
 * order, on page 1. Records that change meanwhile get a newer `updatedAt` and come later (in
 * this run or the next); nothing shifts.
 *
 * Oro has no OR across filters, so "after (t, id)" — `updatedAt > t`, or `updatedAt = t` and
 * `id > id` — is asked in two forms:
 *
 * - `filter[updatedAt][gte]=t` while fewer than a page of delivered records share the second
 *   `t`: the answer starts with those (dropped here) and goes on with the new ones. One request
 *   per page, whatever the data.
 * - when a page or more of delivered records share `t` (a mass update; or after a resume, when
 *   their number is unknown), the rest of that second is drained first with
 *   `filter[updatedAt]=t&filter[id][gt]=id`, page after page, and then the records after it are
 *   asked with `filter[updatedAt][gt]=t`. A `gte` request would answer the same page forever.
 *
 * Oro answers `updatedAt` to the second, so a second is only complete once it is over: a record
 * written later in the same second as a record already delivered, with a lower id, would sort
 * before the keyset and be lost for good. So the walk never passes a record whose second is not
 * over (by Oro's own clock, the `Date` of its answer, with a margin for a write whose
 * transaction commits a moment after it stamped `updatedAt`): it waits and asks again from where
 * it was. And a run reads what changed up to the second it started in (its horizon), so that it
 * ends even while the shop keeps writing; later changes are the next run's.
 */

/** One record's place in the `(updatedAt, id)` order: `at` is `updatedAt` in epoch ms. */
export interface KeysetPoint {
  readonly at: number;
  readonly id: string;
}

/** How a request selects records by `updatedAt` (every request also sorts by `updatedAt,id`). */
export type KeysetQuery =
  /** No `updatedAt` filter: a first run without `since`. */
  | { readonly kind: 'all' }
  /** `filter[updatedAt][gte]=at`. */
  | { readonly kind: 'from'; readonly at: number }
  /** `filter[updatedAt]=at&filter[id][gt]=afterId`: the rest of one second. */
  | { readonly kind: 'same-second'; readonly at: number; readonly afterId: string }
  /** `filter[updatedAt][gt]=at`. */
  | { readonly kind: 'after'; readonly at: number };

/** One page request of the walk. */
export interface KeysetRequest {
  readonly query: KeysetQuery;
  /** The last record delivered: it and everything before it are dropped. `null`: none yet. */
  readonly done: KeysetPoint | null;
  /** Delivered records that share `done.at` (`Infinity` when unknown: after a resume). */
  readonly sameSecond: number;
  /** Oro's time (epoch ms) before which the request must not be sent: a second must be over first. */
  readonly notBefore?: number;
}

/** What the walk needs to know about a run. */
export interface KeysetRun {
  readonly pageSize: number;
  /** How long after its second a record counts as settled, in ms (see the module's doc). */
  readonly settleMs: number;
  /** Records changed at or after this instant (epoch ms) are left for the next run. */
  readonly horizon: number;
  /** The request to start over with while nothing has been delivered (`all` or `from since`). */
  readonly start: KeysetQuery;
}

/** What a page gives: the indices of the records to deliver, in order, and the next request. */
export interface KeysetStep {
  readonly take: readonly number[];
  readonly next: KeysetRequest | null;
  /**
   * A full page of the rest of one second held nothing after the keyset: Oro did not apply
   * `filter[id][gt]`, and asking again would answer the same page for ever.
   */
  readonly stuck?: true;
}

/** Orders two ids as Oro does: numerically when both are integers, else as strings. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    if (a.length !== b.length) return a.length - b.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders two points by `updatedAt`, then id. */
export function compareKeyset(a: KeysetPoint, b: KeysetPoint): number {
  return a.at !== b.at ? a.at - b.at : compareIds(a.id, b.id);
}

/** The first request of a run: from a resume point, from `since`, or from the start. */
export function firstRequest(resumeAt: KeysetPoint | undefined, since: number | undefined): KeysetRequest {
  // A `since` later than where the last run stopped wins: the user moved the start forward.
  if (resumeAt !== undefined && (since === undefined || since <= resumeAt.at)) {
    return { query: { kind: 'same-second', at: resumeAt.at, afterId: resumeAt.id }, done: resumeAt, sameSecond: Infinity };
  }
  return { query: since === undefined ? { kind: 'all' } : { kind: 'from', at: since }, done: null, sameSecond: 0 };
}

/** The request that goes on after `done`, in the form that makes progress (see the module's doc). */
function continueAfter(done: KeysetPoint | null, sameSecond: number, run: KeysetRun, notBefore?: number): KeysetRequest {
  const wait = notBefore === undefined ? {} : { notBefore };
  if (done === null) return { query: run.start, done, sameSecond: 0, ...wait };
  const query: KeysetQuery =
    sameSecond < run.pageSize ? { kind: 'from', at: done.at } : { kind: 'same-second', at: done.at, afterId: done.id };
  return { query, done, sameSecond, ...wait };
}

/**
 * Reads one page of the walk. `points` are the page's records in the order Oro sent them;
 * `serverTime` is Oro's `Date` when it answered (epoch ms). Records already delivered are
 * dropped; the walk stops at the horizon, and at a record whose second is not over yet it asks
 * again once it is.
 *
 * ```
 * pageSize 3, horizon 10:00:09, settled through 10:00:05
 * page:  (10:00:01 #4 done) (10:00:02 #9) (10:00:07 #2)
 * take:  [1]; next: from 10:00:02, not before 10:00:07 + 1 s + settleMs
 * ```
 */
export function readKeysetPage(request: KeysetRequest, points: readonly KeysetPoint[], serverTime: number, run: KeysetRun): KeysetStep {
  const take: number[] = [];
  let done = request.done;
  let sameSecond = request.sameSecond;
  for (const [index, point] of points.entries()) {
    if (done !== null && compareKeyset(point, done) <= 0) continue;
    if (point.at >= run.horizon) return { take, next: null };
    const settlesAt = point.at + 1000 + run.settleMs;
    if (settlesAt > serverTime) return { take, next: continueAfter(done, sameSecond, run, settlesAt) };
    take.push(index);
    sameSecond = done !== null && done.at === point.at ? sameSecond + 1 : 1;
    done = point;
  }
  if (points.length < run.pageSize) {
    // A short page ends the list, except the rest of one second: what comes after it is next.
    if (request.query.kind !== 'same-second') return { take, next: null };
    return { take, next: { query: { kind: 'after', at: request.query.at }, done, sameSecond } };
  }
  if (take.length === 0) {
    // A full page of records already delivered: only the rest of their second makes progress.
    if (request.query.kind === 'same-second' || done === null) return { take, next: null, stuck: true };
    return { take, next: continueAfter(done, Infinity, run) };
  }
  return { take, next: continueAfter(done, sameSecond, run) };
}
