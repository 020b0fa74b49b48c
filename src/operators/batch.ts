import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/** Options of {@link batchRecords}. */
export interface BatchOptions {
  /** Emit as soon as this many items are held. A positive integer, or `Infinity` (time only). */
  readonly size: number;
  /**
   * Emit this many ms after the first item of the current batch arrived. `0` (or less) or
   * `Infinity` means no time trigger: batches are cut by `size` and by completion only.
   */
  readonly ms: number;
  /** Where the time trigger runs; `asyncScheduler` by default (inject a `TestScheduler` in tests). */
  readonly scheduler?: SchedulerLike;
}

/**
 * Groups items into arrays of at most `size`, emitted when `size` items are held or `ms` after
 * the first item of the batch arrived, whichever comes first. The timer starts with each new
 * batch (not on a fixed interval), so a quiet source never produces empty batches, and a trickle
 * of records waits at most `ms` before it is written.
 *
 * Nothing is lost: on completion the items held are emitted, then completion; on error the items
 * held are emitted first, then the error. Unsubscribing drops the held items (the consumer asked
 * for nothing more) and cancels the timer. Memory is bounded by `size` items.
 *
 * ```
 * batchRecords({ size: 3, ms: 5 })
 * source: -a-b-c-d------e-|
 * result: -----x------y---(z|)    x = [a,b,c] (size), y = [d] (5 ms after d), z = [e] (completion)
 * ```
 *
 * @example
 * records$.pipe(batchRecords({ size: 100, ms: 500 }), mergeMap((batch) => writeBatch(batch), 4));
 *
 * @throws RangeError at construction when `size` is not a positive integer (or `Infinity`) or `ms`
 *   is `NaN`, or when both triggers are off (`size: Infinity` and no `ms`): batches would grow
 *   without bound.
 */
export function batchRecords<T>(options: BatchOptions): OperatorFunction<T, T[]> {
  const { size, ms, scheduler = asyncScheduler } = options;
  if (!(size === Infinity || (Number.isInteger(size) && size >= 1))) {
    throw new RangeError(`batchRecords: size must be a positive integer, got ${size}`);
  }
  if (Number.isNaN(ms)) throw new RangeError('batchRecords: ms must be a number, got NaN');
  const timed = ms > 0 && ms !== Infinity;
  if (!timed && size === Infinity) throw new RangeError('batchRecords: size Infinity needs a finite ms > 0');

  return (source) =>
    new Observable<T[]>((subscriber) => {
      let held: T[] = [];
      let timer: Subscription | undefined;

      const flush = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        if (held.length === 0) return;
        // Swap before emitting: the consumer may synchronously cause more items to arrive.
        const batch = held;
        held = [];
        subscriber.next(batch);
      };

      const subscription = source.subscribe({
        next: (item) => {
          held.push(item);
          if (held.length >= size) flush();
          else if (timed && timer === undefined) timer = scheduler.schedule(flush, ms);
        },
        error: (error: unknown) => {
          flush();
          subscriber.error(error);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });

      return () => {
        subscription.unsubscribe();
        timer?.unsubscribe();
        held = [];
      };
    });
}
