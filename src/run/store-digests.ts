import type { DigestStore, KeyDigest } from '../sink/digest-store.js';
import type { KeyStateInput, StateStore } from '../state/state-store.js';

/**
 * The sink's digests kept in the state store, per pipeline (a key's digest is its `KeyState`).
 * Reads are one `IN (...)` query per round of a batch (memory stays flat whatever the export's
 * size); writes are gathered and stored once per turn of the event loop, like the id cache. A
 * crash loses at most that turn's digests, whose records are then sent again: never skipped
 * without Oro's confirmation.
 */
export function storeDigests(store: StateStore, pipeline: string): DigestStore & { flush(): void } {
  const pending = new Map<string, KeyDigest>();
  const inputs = new Map<string, KeyStateInput>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (inputs.size === 0) return;
    store.putKeyStates(pipeline, [...inputs.values()]);
    inputs.clear();
    pending.clear();
  };
  return {
    get(keys) {
      if (pending.size === 0) return store.getKeyStates(pipeline, keys);
      const found = store.getKeyStates(pipeline, keys.filter((k) => !pending.has(k)));
      for (const key of keys) {
        const update = pending.get(key);
        if (update) found.set(key, update);
      }
      return found;
    },
    put(updates) {
      const at = new Date().toISOString();
      for (const update of updates) {
        inputs.set(update.key, update);
        const { key: _key, ...state } = update;
        pending.set(update.key, { ...state, at });
      }
      if (!scheduled && inputs.size > 0) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    /** Stores what is gathered now; the run calls it before the store may be closed. */
    flush,
  };
}
