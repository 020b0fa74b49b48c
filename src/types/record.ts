import type { Json } from './jsonapi.js';

/**
 * Where a record came from. Sources attach one to every record they emit so that
 * checkpoints can be taken over finished work and errors can say where the bad input was.
 */
export interface Position {
  /**
   * Zero-based order of the record within one run of its source. Contiguous and increasing: the
   * checkpoint advances over the longest prefix of `seq`s that all have outcomes.
   */
  readonly seq: number;
  /** Human-readable place, used in errors and dead letters: `customers.ndjson:12`, `page 3 #7`. */
  readonly where: string;
  /**
   * JSON-serialisable token from which the source can resume just *after* this record
   * (for example `{ "page": 3, "skip": 8 }` or `{ "line": 12 }`). Absent when the source
   * cannot resume (stdin): a restart then reads from the beginning.
   */
  readonly resume?: Json;
}

/**
 * One record on its way through the pipeline, with its position. `value` is its current form
 * (as read, then decoded, then mapped); `raw` is the record exactly as the source gave it, kept
 * for dead letters. Stages that transform `value` spread the record (`{ ...record, value }`) so
 * that `raw` and `position` travel along.
 *
 * @example
 * ```ts
 * const record: SourceRecord<{ id: string }> = {
 *   value: { id: 'C-1' },
 *   raw: { id: 'C-1' },
 *   position: { seq: 0, where: 'customers.ndjson:1' },
 * };
 * ```
 */
export interface SourceRecord<T = unknown> {
  readonly value: T;
  readonly position: Position;
  /** The record as the source gave it; absent means `value` is still that. */
  readonly raw?: unknown;
}

/** The record as the source gave it (for dead letters and replay). */
export function rawOf(record: SourceRecord): unknown {
  return 'raw' in record ? record.raw : record.value;
}
