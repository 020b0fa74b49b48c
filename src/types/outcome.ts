import type { Json, ResourceObject } from './jsonapi.js';
import type { SourceRecord } from './record.js';
import type { BuiltLater } from './existing.js';

/**
 * One problem with one record, in the shape of a dead letter's `errors[]` entry.
 * For errors from Oro these are Oro's own `status` / `title` / `detail` / `source.pointer`.
 *
 * @example
 * ```ts
 * const line = (e: ErrorDetail) => `${e.title}${e.pointer ? ` at ${e.pointer}` : ''}${e.detail ? `: ${e.detail}` : ''}`;
 * // "not blank constraint at /data/attributes/name: This value should not be blank."
 * ```
 */
export interface ErrorDetail {
  /** HTTP status as Oro reported it (string in normal errors, integer in async-operation errors). */
  readonly status?: string | number;
  readonly title: string;
  readonly detail?: string;
  /** JSON pointer into the request body (`/data/attributes/name`) or into the source record. */
  readonly pointer?: string;
  /** Query parameter the error is about (`page[size]`). */
  readonly parameter?: string;
}

interface OutcomeBase {
  /** The source record this outcome is for; every record entering the sink gets exactly one. */
  readonly record: SourceRecord;
  /** Set on outcomes of a `--dry-run`: what would have happened, nothing was written. */
  readonly dryRun?: boolean;
  /** The JSON:API document sent (or, in a dry run, that would have been sent). */
  readonly document?: { readonly data: ResourceObject; readonly included?: readonly ResourceObject[] };
}

/** The record did not exist in Oro and was created (or, in a dry run, would be). */
export interface Created extends OutcomeBase {
  readonly status: 'created';
  /** Oro's id; absent only in a dry run, where nothing was created. */
  readonly id?: string;
}

/** The record existed in Oro (found by upsert key or lookup) and was updated. */
export interface Updated extends OutcomeBase {
  readonly status: 'updated';
  readonly id: string;
}

/**
 * Out of Oro: the record was delivered to its sink (`sink` in the config) and the sink confirmed
 * it: the line flushed to disk, a 2xx answer, the broker's publisher confirm (or, in a dry run,
 * it would be delivered).
 */
export interface Sent extends OutcomeBase {
  readonly status: 'sent';
  /** What was (or, in a dry run, would be) delivered: the record after `sink.transform`. */
  readonly delivered: Json;
}

/**
 * Nothing was written, on purpose: already exists (`create-only`), Oro's copy is newer, or
 * `sink.transform` returned `null` for it.
 */
export interface Skipped extends OutcomeBase {
  readonly status: 'skipped';
  readonly id?: string;
  readonly reason: string;
}

/**
 * The record's content equals what Oro last confirmed for its key, or what its sink last confirmed
 * for its type and id (change detection: a digest per key in the state store). Nothing was read or
 * written for it.
 */
export interface Unchanged extends OutcomeBase {
  readonly status: 'unchanged';
  /** Oro's id, when the state store knows it. */
  readonly id?: string;
}

/** Permanent: invalid input or a 4xx from Oro. Retrying the same record will not help. */
export interface Rejected extends OutcomeBase {
  readonly status: 'rejected';
  readonly errors: readonly ErrorDetail[];
  /**
   * Set when the record was rejected before with the same content and was not sent again: its
   * dead letter is already in the file (when that rejection was, ISO 8601).
   */
  readonly rejectedBefore?: string;
}

/** Transient errors outlasted the retry budget. Replaying the record later may succeed. */
export interface Failed extends OutcomeBase {
  readonly status: 'failed';
  readonly errors: readonly ErrorDetail[];
}

/** A key written before and missing from a complete snapshot run was deleted in Oro (`target.onMissing`). */
export interface Deleted extends OutcomeBase {
  readonly status: 'deleted';
  readonly id: string;
}

/**
 * What happened to one record. Every record that enters a pipeline yields exactly one.
 *
 * @example
 * ```ts
 * outcomes$.subscribe((outcome) => {
 *   if (outcome.status === 'rejected' || outcome.status === 'failed')
 *     console.log(outcome.record.position.where, outcome.errors.map((e) => e.title).join('; '));
 * });
 * ```
 */
export type Outcome = Created | Updated | Sent | Unchanged | Skipped | Rejected | Failed | Deleted;

/**
 * The status of an outcome: `created`, `updated`, `sent`, `unchanged`, `skipped`, `rejected`, `failed` or `deleted`.
 *
 * @example
 * ```ts
 * const counts: Partial<Record<OutcomeStatus, number>> = {};
 * outcomes$.subscribe((o) => { counts[o.status] = (counts[o.status] ?? 0) + 1; });
 * ```
 */
export type OutcomeStatus = Outcome['status'];

/**
 * What flows between the decode/map stages and the sink: either a record still on its way,
 * or an outcome already decided upstream (a record that failed to decode). The sink passes
 * decided outcomes through unchanged.
 *
 * @example
 * ```ts
 * // A custom stage passes decided outcomes through and works on the records.
 * const upper = map((step: Step<{ name: string }>) =>
 *   isOutcome(step) ? step : { ...step, value: { ...step.value, name: step.value.name.toUpperCase() } });
 * ```
 */
export type Step<T> = SourceRecord<T> | Outcome;

/**
 * True when `step` is an outcome already decided (not a record still to write).
 *
 * @example
 * ```ts
 * steps$.pipe(filter((step) => !isOutcome(step)));   // only the records still to write
 * ```
 */
export function isOutcome<T>(step: Step<T>): step is Outcome {
  return 'status' in step;
}

/**
 * A relationship named by the source's key rather than Oro's id (`"match": "externalId"` in the
 * mapping). The sink finds the Oro id(s) before writing, and waits (bounded) for related records
 * written later in the same run.
 */
export interface RelatedRef {
  /** The relationship in the resource, e.g. `customer`. */
  readonly relationship: string;
  /** The related Oro type, e.g. `customers`. */
  readonly type: string;
  /** The Oro field the source key is matched against, e.g. `externalId`. */
  readonly match: string;
  /** The source keys: one for a to-one relationship, any number for a to-many one. */
  readonly keys: readonly string[];
  readonly many: boolean;
}

/** A record mapped to what the sink writes: the resource, its key and its change time. */
export interface MappedRecord {
  /** The resource object to write (no `id`: the sink finds or creates it). */
  readonly resource: ResourceObject;
  /** Related resources to create in the same request, through top-level `included`. */
  readonly included?: readonly ResourceObject[];
  /** Relationships still to resolve from source keys to Oro ids (the sink does it). */
  readonly related?: readonly RelatedRef[];
  /** The record's key in the source system (`target.key.source`), as a string. */
  readonly key: string;
  /** The record's change time (the field `schedule.watermark` names), ISO 8601, if any. */
  readonly changedAt?: string;
  /** Anything else the sink should carry along untouched. */
  readonly extra?: Json;
  /** Set when the document is made once Oro's record for the key is read (see {@link BuiltLater}). */
  readonly later?: BuiltLater;
}

export function rejected(record: SourceRecord, errors: readonly ErrorDetail[]): Rejected {
  return { status: 'rejected', record, errors };
}

export function failed(record: SourceRecord, errors: readonly ErrorDetail[]): Failed {
  return { status: 'failed', record, errors };
}
