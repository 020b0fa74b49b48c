import type { IdCache } from '../sink/id-cache.js';
import type { StateStore } from '../state/state-store.js';

/**
 * The sink's key -> Oro id map kept in the state store, so that restarts and later runs need not
 * read Oro for records they have written. Writes are gathered and stored once per turn of the
 * event loop: one SQLite transaction per created record cost more CPU than the request did. A
 * crash loses at most the ids of that turn, which the next run finds again by lookup.
 */
export function storeIdCache(store: StateStore, type: string, keyField: string): IdCache & { flush(): void } {
  const pending = new Map<string, string>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.size === 0) return;
    store.putIds(type, keyField, [...pending]);
    pending.clear();
  };
  return {
    get(keys) {
      const found = store.getIds(type, keyField, keys.filter((k) => !pending.has(k)));
      for (const key of keys) {
        const id = pending.get(key);
        if (id !== undefined) found.set(key, id);
      }
      return found;
    },
    put(entries) {
      for (const [key, id] of entries) pending.set(key, id);
      if (!scheduled && pending.size > 0) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    forget(key) {
      pending.delete(key);
      store.forgetId(type, keyField, key);
    },
    /** Stores what is gathered now; the run calls it before the store may be closed. */
    flush,
  };
}
