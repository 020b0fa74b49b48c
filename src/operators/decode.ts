import type * as t from 'io-ts';
import { map, type OperatorFunction } from 'rxjs';
import { rawOf } from '../types/record.js';
import { isOutcome, rejected, type Step } from '../types/outcome.js';
import { formatDecodeErrors, shortJson } from './format-decode-errors.js';

/**
 * Checks every source record against an io-ts codec. A valid record goes on with its decoded
 * value (and its position); an invalid one becomes a `rejected` outcome whose errors say where
 * and what: `{ title: 'invalid record', detail: 'attributes.name: expected non-empty string,
 * got ""', pointer: '/attributes/name' }`. Outcomes already decided upstream pass untouched.
 *
 * Errors are values: this operator never errors because of a record, and emits exactly one
 * step per step it receives, in order. A codec that throws (a bug in a custom codec) rejects the
 * record with the thrown message instead of stopping the pipeline.
 *
 * ```
 * source:            --a--b--x--o--|     (x invalid, o an outcome from upstream)
 * decodeWith(codec): --a--b--r--o--|     (r = rejected(x, errors))
 * ```
 *
 * @example
 * const Customer = t.type({ id: t.number, name: NonEmptyString });
 * ndjsonFile('customers.ndjson').pipe(decodeWith(Customer), mapRecords(mapping), ...);
 */
export function decodeWith<A>(codec: t.Decoder<unknown, A>): OperatorFunction<Step<unknown>, Step<A>> {
  return map((step): Step<A> => {
    if (isOutcome(step)) return step;
    let result: t.Validation<A>;
    try {
      result = codec.decode(step.value);
    } catch (error) {
      const reason = error instanceof Error ? error.message : shortJson(error);
      return rejected(step, [{ title: 'invalid record', detail: `codec ${codec.name} threw: ${reason}` }]);
    }
    if (result._tag === 'Right') {
      // A codec that only checks (most do) gives the value back: the step goes on as it is, with
      // no copy per record (a snapshot export is read whole every run).
      if ((result.right as unknown) === step.value && !('raw' in step)) return step as Step<A>;
      // `raw` keeps the record as the source gave it, for dead letters and replay.
      return { ...step, value: result.right, raw: rawOf(step) };
    }
    return rejected(step, formatDecodeErrors(result.left));
  });
}
