import type { DigestStore } from './digest-store.js';
import { STORED, type IdCache } from './id-cache.js';

/**
 * The id and digest writes of a sink that are not known to be stored yet. A batch releases its
 * keys only once `settled()` resolves: another writer of those keys (a later batch here, or a
 * worker elsewhere sharing the state store) then finds the id and digest this one learnt, instead
 * of looking up Oro again and creating the record twice.
 *
 * Writes are tracked, not awaited where they are made: the sink stays at one await per round of a
 * batch, and a state store that gathers writes per turn resolves them all with one promise.
 */
export interface StoreWrites {
  track(write: Promise<void>): void;
  /**
   * Resolves when every write tracked so far is stored; rejects with a store's error (a state
   * store that cannot be written is a systemic failure: the run stops).
   */
  settled(): Promise<void>;
}

export function createStoreWrites(): StoreWrites {
  const pending = new Set<Promise<void>>();
  let failure: { readonly error: unknown } | undefined;
  return {
    track(write) {
      if (write === STORED || pending.has(write)) return;
      pending.add(write);
      write.then(
        () => pending.delete(write),
        (error: unknown) => {
          pending.delete(write);
          failure ??= { error };
        },
      );
    },
    async settled() {
      if (pending.size > 0) await Promise.allSettled([...pending]);
      if (failure) throw failure.error;
    },
  };
}

/** `write`, its promise tracked by `writes`. */
function tracking<A extends unknown[]>(writes: StoreWrites, write: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return (...args) => {
    const done = write(...args);
    writes.track(done);
    return done;
  };
}

/** `cache` with its writes tracked by `writes`. */
export function trackedIds(cache: IdCache, writes: StoreWrites): IdCache {
  return {
    get: (keys) => cache.get(keys),
    put: tracking(writes, (entries) => cache.put(entries)),
    forget: tracking(writes, (key) => cache.forget(key)),
  };
}

/** `digests` with its writes tracked by `writes`. */
export function trackedDigests(digests: DigestStore, writes: StoreWrites): DigestStore {
  return {
    get: (keys) => digests.get(keys),
    put: tracking(writes, (updates) => digests.put(updates)),
  };
}
