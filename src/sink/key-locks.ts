/**
 * Serialises writes of the same source key. Batches complete out of order; without this, two
 * records with one key in two concurrent batches would both miss the lookup and both be created,
 * duplicating the record in Oro.
 *
 * Locks are granted in the order `acquire` is called (callers call it synchronously in arrival
 * order), so later writes of a key always see the earlier write's result. Memory is bounded by
 * the keys in flight.
 */
export interface KeyLocks {
  acquire(keys: readonly string[]): Promise<KeyRelease>;
  /** Keys currently locked or waited for. */
  readonly size: number;
}

/**
 * Lets the given keys go (all of them when called without): a batch whose keys are written at
 * different times (some waited for another worker) frees each as soon as it is written.
 * Releasing a key twice, or one not held, does nothing.
 */
export type KeyRelease = (keys?: readonly string[]) => void;

export function createKeyLocks(): KeyLocks {
  const tails = new Map<string, Promise<void>>();
  return {
    get size() {
      return tails.size;
    },
    acquire(keys) {
      const mine = new Map<string, { readonly done: Promise<void>; readonly release: () => void }>();
      const before: Promise<void>[] = [];
      for (const key of keys) {
        // The key came twice in `keys`: it is this batch's already.
        if (mine.has(key)) continue;
        const tail = tails.get(key);
        if (tail) before.push(tail);
        let release!: () => void;
        const done = new Promise<void>((resolve) => (release = resolve));
        mine.set(key, { done, release });
        tails.set(key, done);
      }
      const unlock: KeyRelease = (some) => {
        for (const key of some ?? [...mine.keys()]) {
          const held = mine.get(key);
          if (!held) continue;
          mine.delete(key);
          held.release();
          if (tails.get(key) === held.done) tails.delete(key);
        }
      };
      return Promise.all(before).then(() => unlock);
    },
  };
}
