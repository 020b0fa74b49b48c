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
  acquire(keys: readonly string[]): Promise<() => void>;
  /** Keys currently locked or waited for. */
  readonly size: number;
}

export function createKeyLocks(): KeyLocks {
  const tails = new Map<string, Promise<void>>();
  return {
    get size() {
      return tails.size;
    },
    acquire(keys) {
      let release!: () => void;
      const done = new Promise<void>((resolve) => (release = resolve));
      const before: Promise<void>[] = [];
      for (const key of keys) {
        const tail = tails.get(key);
        // `done` itself: the key came twice in `keys` (no Set per batch to find that out).
        if (tail === done) continue;
        if (tail) before.push(tail);
        tails.set(key, done);
      }
      const unlock = () => {
        release();
        for (const key of keys) if (tails.get(key) === done) tails.delete(key);
      };
      return Promise.all(before).then(() => unlock);
    },
  };
}
