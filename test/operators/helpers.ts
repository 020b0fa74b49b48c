import type { SourceRecord } from '../../src/types/record.js';

/** A source record at `seq`, as a file source would emit it. */
export function rec<T>(value: T, seq = 0): SourceRecord<T> {
  return { value, position: { seq, where: `input.ndjson:${seq + 1}` } };
}
