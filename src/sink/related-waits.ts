import { asyncScheduler, Observable, Subscription, type SchedulerLike } from 'rxjs';

/**
 * Records whose related record (named by a source key) is not in Oro yet wait here until this
 * sink writes it (a customer's parent later in the same source), and give up when waiting can no
 * longer help: after `timeoutMs` on the sink's scheduler, or when the sink has nothing else in
 * progress.
 *
 * When the sink goes quiet, waiters are released one at a time, newest first: a parent usually
 * comes after its children, so waking the newest lets it be written and notify the older ones.
 *
 * ```
 * wait('customers', 'externalId', 'P1'): ----a|     a: the id, emitted inside written(..., 'P1', a)
 * wait(..., 'NEVER'), timeoutMs 30 000:  ---(30 s)u| u: undefined, the wait is over without it
 * ```
 *
 * @example
 * const waits = createRelatedWaits({ timeoutMs: 30_000, scheduler });
 * waits.wait('customers', 'externalId', 'P1').subscribe((id) => id === undefined ? giveUp() : link(id));
 * waits.written('customers', 'externalId', 'P1', '42'); // the subscriber gets '42' before this returns
 */
export interface RelatedWaits {
  /** A record of `type` with `field` = `key` now exists in Oro as `id`. */
  written(type: string, field: string, key: string, id: string): void;
  /**
   * Emits the id once written, or `undefined` when the wait is over without it, then completes.
   * It emits synchronously inside {@link written} or {@link releaseOne}, so a woken record can count
   * itself as in progress before the writer that woke it finishes. Unsubscribing leaves the wait.
   */
  wait(type: string, field: string, key: string): Observable<string | undefined>;
  /** Records waiting right now. */
  readonly waiting: number;
  /** The sink has nothing in progress: release the newest waiter (it will look once more). */
  releaseOne(): boolean;
}

interface Waiter {
  readonly slot: string;
  readonly done: (id: string | undefined) => void;
}

export function createRelatedWaits(options: { readonly timeoutMs: number; readonly scheduler?: SchedulerLike }): RelatedWaits {
  const scheduler = options.scheduler ?? asyncScheduler;
  const byKey = new Map<string, Set<Waiter>>();
  const order: Waiter[] = [];
  let count = 0;
  const keyOf = (type: string, field: string, key: string) => `${type}\u0000${field}\u0000${key}`;

  function remove(waiter: Waiter): boolean {
    const set = byKey.get(waiter.slot);
    if (!set?.delete(waiter)) return false;
    if (set.size === 0) byKey.delete(waiter.slot);
    const at = order.lastIndexOf(waiter);
    if (at >= 0) order.splice(at, 1);
    count--;
    return true;
  }

  function settle(waiter: Waiter, id: string | undefined): void {
    if (remove(waiter)) waiter.done(id);
  }

  return {
    get waiting() {
      return count;
    },
    written(type, field, key, id) {
      // Called for every record written or unchanged; nearly always nobody waits.
      if (count === 0) return;
      for (const waiter of [...(byKey.get(keyOf(type, field, key)) ?? [])]) settle(waiter, id);
    },
    wait(type, field, key) {
      return new Observable<string | undefined>((subscriber) => {
        // A container, because the scheduler may run the timeout before `schedule()` returns.
        const timer = new Subscription();
        const waiter: Waiter = {
          slot: keyOf(type, field, key),
          done: (id) => {
            timer.unsubscribe();
            subscriber.next(id);
            subscriber.complete();
          },
        };
        const set = byKey.get(waiter.slot) ?? new Set<Waiter>();
        set.add(waiter);
        byKey.set(waiter.slot, set);
        order.push(waiter);
        count++;
        timer.add(scheduler.schedule(() => settle(waiter, undefined), options.timeoutMs));
        return () => {
          timer.unsubscribe();
          remove(waiter);
        };
      });
    },
    releaseOne() {
      const newest = order[order.length - 1];
      if (!newest) return false;
      settle(newest, undefined);
      return true;
    },
  };
}
