import type { IdCache } from '../sink/id-cache.js';
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
