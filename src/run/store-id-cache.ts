import { STORED, type IdCache } from '../sink/id-cache.js';
import { createLru } from '../util/lru.js';
import type { StateStore } from '../state/state-store.js';
import { createWriteBehind, readThrough } from './write-behind.js';

/**
 * The sink's key -> Oro id map kept in the state store, so that restarts, later runs and other
 * workers sharing the store need not read Oro for records already written. Every `get` asks the
 * store for the keys it has not just written itself: no copy held here can hide what another
 * worker stored. Writes are gathered and stored once per turn of the event loop (see
 * `createWriteBehind`); `put` resolves when its turn's write is stored. A crash loses at most the
 * ids of that turn, which the next run finds again by lookup. `oro` is the base URL of the Oro the
 * ids belong to: the map holds each Oro's ids apart.
 */
export function storeIdCache(store: StateStore, oro: string, type: string, keyField: string): IdCache & { flush(): Promise<void> } {
  const behind = createWriteBehind<string>(async (entries) => {
    const puts: [string, string][] = [];
    const forgets: string[] = [];
    for (const [key, id] of entries) {
      if (id === undefined) forgets.push(key);
      else puts.push([key, id]);
    }
    // A turn holds each key once (its latest value), so the two calls cannot contradict each other.
    if (forgets.length > 0) await store.forgetIds(oro, type, keyField, forgets);
    if (puts.length > 0) await store.putIds(oro, type, keyField, puts);
  });
  return {
    get: (keys) => readThrough(behind, keys, (unknown) => store.getIds(oro, type, keyField, unknown)),
    put(entries) {
      let stored: Promise<void> | undefined;
      for (const [key, id] of entries) stored = behind.put(key, id);
      return stored ?? Promise.resolve();
    },
    forget(key) {
      return behind.put(key, undefined);
    },
    /** Stores what is gathered now; the run calls it before the store may be closed. */
    flush: () => behind.flush(),
  };
}

/**
 * A dry run's key -> Oro id map: it reads the ids the state store holds for this Oro (so that it
 * decides as the run would: `unchanged` where the run's digests, with the related ids it knows,
 * say so) and keeps what it learns in memory only (a bounded LRU): a dry run writes nothing.
 *
 * @example
 * ```ts
 * const ids = readOnlyStoreIdCache(store, config.oro.baseUrl, 'customergroups', 'externalId');
 * toOro({ client, target, relatedIds: () => ids, dryRun: true });
 * ```
 */
export function readOnlyStoreIdCache(store: StateStore, oro: string, type: string, keyField: string, max = 100_000): IdCache {
  // What this dry run learnt; `null`: Oro answered 404 for the stored id (forgotten here only).
  const own = createLru<string | null>(max);
  return {
    async get(keys) {
      const found = new Map<string, string>();
      const ask: string[] = [];
      for (const key of keys) {
        const id = own.get(key);
        if (id === undefined) ask.push(key);
        else if (id !== null) found.set(key, id);
      }
      if (ask.length > 0) for (const [key, id] of await store.getIds(oro, type, keyField, ask)) found.set(key, id);
      return found;
    },
    put(entries) {
      for (const [key, id] of entries) own.set(key, id);
      return STORED;
    },
    forget(key) {
      own.set(key, null);
      return STORED;
    },
  };
}
