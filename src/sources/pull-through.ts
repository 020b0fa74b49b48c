import { Observable, Subject, type OperatorFunction } from 'rxjs';

/**
 * Live "in flight" accounting of one {@link pullThrough} subscription: how many items were pulled
 * from the source, how many outputs the pipeline emitted, and the difference (the items the
 * pipeline currently holds). Read-only views of one counter pair; the only place it is kept.
 */
export interface InFlightGauge {
  /** Items pulled from the source iterator so far. */
  readonly pulled: number;
  /** Outputs the pipeline emitted so far (one per input, by the conservation invariant). */
  readonly emitted: number;
  /** `pulled - emitted`: items inside the pipeline right now. Never above `maxInFlight`. */
  readonly inFlight: number;
}

export interface PullThroughOptions {
  /**
   * The most items the pipeline may hold at once. Must be at least what the pipeline itself buffers
   * before emitting (batch size × concurrency of the sink), or a count-only batcher never fills.
   */
  readonly maxInFlight: number;
  /** Called once per subscription with the live gauge, for metrics and tests. */
  readonly gauge?: (gauge: InFlightGauge) => void;
  /** Called after every pull, just before the item enters the pipeline. */
  readonly onPull?: (gauge: InFlightGauge) => void;
}

/**
 * Turns a pull-based source into an Observable that only pulls when downstream has room: the
 * bridge that gives RxJS the backpressure it lacks.
 *
 * The next item is pulled from `source` only while `pulled - emitted < maxInFlight`; every output
 * of `pipeline` frees one slot and triggers the next pull. Because a paginated source fetches a
 * page only when its consumer has taken the records it already has (see `paginate`), the demand of
 * the sink flows back through `pipeline`, through this bridge, to the page fetcher: memory stays
 * O(maxInFlight + pages prefetched × page size) whatever the size of the export.
 *
 * `pipeline` must emit exactly one output per input (the conservation invariant: one outcome per
 * record). Fewer would stall the pull loop; more is reported as an error, since it would silently
 * lift the bound. Pulls are sequential (never two `next()` calls at once).
 *
 * - the source's errors (a rejected `next()`) become the Observable's error;
 * - it completes when the source is exhausted and the pipeline has completed;
 * - unsubscribing (or an error) calls `iterator.return()`, so files and sockets are closed.
 *
 * ```
 * source (pull):  a b c d e …          maxInFlight: 2
 * pipeline:       delay(10)
 * pulled:         a b . c . d . e      (c is pulled only when a has come out)
 * output:         --a-b-c-d-e-|
 * ```
 *
 * @example
 * ```ts
 * pullThrough(httpSource({ url, pagination: { kind: 'page' } }),
 *   (records) => records.pipe(toOro(client, target)),
 *   { maxInFlight: 800 },
 * ).subscribe((outcome) => checkpoint.record(outcome));
 * ```
 */
export function pullThrough<T, O>(
  source: AsyncIterable<T>,
  pipeline: OperatorFunction<T, O>,
  options: PullThroughOptions,
): Observable<O> {
  const { maxInFlight } = options;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new RangeError(`pullThrough: maxInFlight must be a positive integer, got ${String(maxInFlight)}`);
  }
  return new Observable<O>((subscriber) => {
    let pulled = 0;
    let emitted = 0;
    const gauge: InFlightGauge = {
      get pulled() {
        return pulled;
      },
      get emitted() {
        return emitted;
      },
      get inFlight() {
        return pulled - emitted;
      },
    };
    options.gauge?.(gauge);

    const iterator = source[Symbol.asyncIterator]();
    const input = new Subject<T>();
    let pulling = false;
    let exhausted = false;
    let stopped = false;

    const pump = (): void => {
      while (!pulling && !exhausted && !stopped && gauge.inFlight < maxInFlight) {
        pulling = true;
        iterator.next().then(
          (result) => {
            pulling = false;
            if (stopped) return;
            if (result.done) {
              exhausted = true;
              input.complete();
              return;
            }
            pulled += 1;
            options.onPull?.(gauge);
            input.next(result.value);
            pump();
          },
          (error: unknown) => {
            pulling = false;
            exhausted = true; // a throwing iterator is finished; no return() needed
            subscriber.error(error);
          },
        );
      }
    };

    const inner = pipeline(input).subscribe({
      next: (output) => {
        emitted += 1;
        if (emitted > pulled) {
          subscriber.error(
            new Error(
              `pullThrough: the pipeline emitted ${emitted} outputs for ${pulled} inputs; ` +
                'it must emit exactly one output per input',
            ),
          );
          return;
        }
        subscriber.next(output);
        pump();
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    pump();

    return () => {
      stopped = true;
      inner.unsubscribe();
      if (!exhausted) {
        // Not awaited: teardown is synchronous; a generator runs its `finally` (closing files) now
        // or, if a pull is pending, as soon as that pull settles.
        iterator.return?.().catch(() => undefined);
      }
    };
  });
}
