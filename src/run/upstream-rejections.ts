import { createHash } from 'node:crypto';
import { Observable, type OperatorFunction } from 'rxjs';
import { canonicalJson } from '../sink/digest.js';
import type { DigestStore } from '../sink/digest-store.js';
import { isOutcome, type Rejected, type Step } from '../types/outcome.js';
import { rawOf, type SourceRecord } from '../types/record.js';
import { getPath } from '../util/path.js';

/** How the key of a record whose own key cannot be read begins: its content's hash follows. */
export const UNREADABLE_KEY = 'unreadable record sha256:';

/**
 * Records rejected before they reach the sink (a malformed line, a record that does not decode
 * or map) are remembered as the sink's rejections are: by key, with the digest of the record as
 * the source gave it. The same record rejected again (the next whole read of a snapshot) is
 * tagged `rejectedBefore`, so its dead letter is not written again. A record whose key cannot
 * be read is remembered under its content's hash (`unreadable record sha256:...`).
 *
 * Other steps pass at once, untouched; a rejection waits for one digest-store read.
 *
 * ```
 * steps:    --a--x--b--|     (x rejected upstream, rejected the same way in an earlier run)
 * result:   --a--b--x'-|     (x' = x with rejectedBefore: no dead letter again)
 * ```
 *
 * @example
 * ```ts
 * steps$.pipe(decodeWith(codec), mapRecords(mapping), rememberUpstreamRejections(digests, 'id'), batchRecords(...));
 * ```
 */
export function rememberUpstreamRejections<T>(digests: DigestStore, keyPath: string): OperatorFunction<Step<T>, Step<T>> {
  return (steps) => new Observable<Step<T>>((subscriber) => {
    let waiting = 0;
    let done = false;
    const settle = () => {
      waiting -= 1;
      if (done && waiting === 0) subscriber.complete();
    };
    const subscription = steps.subscribe({
      next: (step) => {
        if (!isOutcome(step) || step.status !== 'rejected' || step.rejectedBefore !== undefined) {
          subscriber.next(step);
          return;
        }
        waiting += 1;
        remember(digests, step, keyPath).then((tagged) => {
          subscriber.next(tagged);
          settle();
        }, (error: unknown) => subscriber.error(error));
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => {
        done = true;
        if (waiting === 0) subscriber.complete();
      },
    });
    return () => subscription.unsubscribe();
  });
}

/** The rejection tagged when the same record was rejected before; else stored (held until its dead letter is written). */
async function remember(digests: DigestStore, outcome: Rejected, keyPath: string): Promise<Rejected> {
  const raw = rawOf(outcome.record);
  const digest = createHash('sha256').update(canonicalJson({ rejectedUpstream: raw })).digest('hex');
  const key = keyOf(outcome.record, keyPath) ?? `${UNREADABLE_KEY}${digest.slice(0, 32)}`;
  const known = (await digests.get([key])).get(key);
  if (known?.lastOutcome === 'rejected' && known.digest === digest) return { ...outcome, rejectedBefore: known.at };
  void digests.put([{ key, digest, lastOutcome: 'rejected', errors: outcome.errors }]);
  return outcome;
}

/** The record's key as the source gave it (a string or a number at `keyPath`), if it has one. */
function keyOf(record: SourceRecord, keyPath: string): string | undefined {
  const raw = rawOf(record);
  if (typeof raw !== 'object' || raw === null) return undefined;
  const key = getPath(raw, keyPath);
  if (typeof key === 'string') return key.trim() === '' ? undefined : key;
  return typeof key === 'number' && Number.isFinite(key) ? String(key) : undefined;
}
