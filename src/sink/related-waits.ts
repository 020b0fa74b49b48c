/**
 * Records whose related record (named by a source key) is not in Oro yet wait here until this
 * sink writes it (a customer's parent later in the same source), and give up when waiting can no
 * longer help: after `timeoutMs`, or when the sink has nothing else in progress.
 *
 * When the sink goes quiet, waiters are released one at a time, newest first: a parent usually
 * comes after its children, so waking the newest lets it be written and notify the older ones.
 */
export interface RelatedWaits {
  /** A record of `type` with `field` = `key` now exists in Oro as `id`. */
  written(type: string, field: string, key: string, id: string): void;
  /** Resolves with the id once written, or `undefined` when the wait is over without it. */
  wait(type: string, field: string, key: string): Promise<string | undefined>;
  /** Records waiting right now. */
  readonly waiting: number;
  /** The sink has nothing in progress: release the newest waiter (it will look once more). */
  releaseOne(): boolean;
}

interface Waiter {
  readonly id: string;
  readonly done: (id: string | undefined) => void;
}

export function createRelatedWaits(options: { timeoutMs: number }): RelatedWaits {
  const byKey = new Map<string, Set<Waiter>>();
  const order: Waiter[] = [];
  let count = 0;
  const keyOf = (type: string, field: string, key: string) => `${type}\u0000${field}\u0000${key}`;

  function settle(slot: string, waiter: Waiter, id: string | undefined) {
    const set = byKey.get(slot);
    if (!set?.delete(waiter)) return;
    if (set.size === 0) byKey.delete(slot);
    const at = order.indexOf(waiter);
    if (at >= 0) order.splice(at, 1);
    count--;
    waiter.done(id);
  }

  return {
    get waiting() {
      return count;
    },
    written(type, field, key, id) {
      const slot = keyOf(type, field, key);
      for (const waiter of [...(byKey.get(slot) ?? [])]) settle(slot, waiter, id);
    },
    wait(type, field, key) {
      const slot = keyOf(type, field, key);
      return new Promise((resolve) => {
        const waiter: Waiter = {
          id: slot,
          done: (id) => {
            clearTimeout(timer);
            resolve(id);
          },
        };
        const set = byKey.get(slot) ?? new Set<Waiter>();
        set.add(waiter);
        byKey.set(slot, set);
        order.push(waiter);
        count++;
        const timer = setTimeout(() => settle(slot, waiter, undefined), options.timeoutMs);
        timer.unref();
      });
    },
    releaseOne() {
      const newest = order[order.length - 1];
      if (!newest) return false;
      settle(newest.id, newest, undefined);
      return true;
    },
  };
}
