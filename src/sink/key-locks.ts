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

/** One `acquire`'s keys; a promise per key only for keys a later batch waits for. */
interface Holder {
  readonly keys: Set<string>;
  waits?: Map<string, { readonly done: Promise<void>; readonly release: () => void }>;
}

export function createKeyLocks(): KeyLocks {
  // Key -> the latest batch to ask for it. Nearly every key of a snapshot read again is held by
  // one batch at a time and waited for by none: a promise per key cost more than the digest check.
  const tails = new Map<string, Holder>();
  const waitFor = (holder: Holder, key: string): Promise<void> => {
    holder.waits ??= new Map();
    let wait = holder.waits.get(key);
    if (!wait) {
      let release!: () => void;
      const done = new Promise<void>((resolve) => (release = resolve));
      wait = { done, release };
      holder.waits.set(key, wait);
    }
    return wait.done;
  };
  const letGo = (holder: Holder, key: string): void => {
    if (!holder.keys.delete(key)) return;
    if (tails.get(key) === holder) tails.delete(key);
    const wait = holder.waits?.get(key);
    if (wait) {
      holder.waits?.delete(key);
      wait.release();
    }
  };
  return {
    get size() {
      return tails.size;
    },
    acquire(keys) {
      const holder: Holder = { keys: new Set() };
      const before: Promise<void>[] = [];
      for (const key of keys) {
        // The key came twice in `keys`: it is this batch's already.
        if (holder.keys.has(key)) continue;
        const tail = tails.get(key);
        if (tail) before.push(waitFor(tail, key));
        holder.keys.add(key);
        tails.set(key, holder);
      }
      const unlock: KeyRelease = (some) => {
        if (some) for (const key of some) letGo(holder, key);
        // Deleting the entry being visited is safe in a Set's iteration.
        else for (const key of holder.keys) letGo(holder, key);
      };
      return before.length === 0 ? Promise.resolve(unlock) : Promise.all(before).then(() => unlock);
    },
  };
}
