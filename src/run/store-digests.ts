import type { DigestStore, DigestUpdate, KeyDigest } from '../sink/digest-store.js';
import type { KeyState, KeyStateInput, StateStore } from '../state/state-store.js';

/**
 * The sink's digests kept in the state store, per pipeline. Reads are one `IN (...)` query per
 * round of a batch (memory stays flat whatever the export's size); writes are gathered and stored
 * once per turn of the event loop, like the id cache. A crash loses at most that turn's digests,
 * whose records are then sent again: never skipped without Oro's confirmation.
 */
export function storeDigests(store: StateStore, pipeline: string): DigestStore & { flush(): void } {
  const pending = new Map<string, KeyState & { readonly key: string }>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.size === 0) return;
    store.putKeyStates(pipeline, [...pending.values()].map(({ at: _at, ...input }) => input));
    pending.clear();
  };
  return {
    get(keys) {
      const found = new Map<string, KeyDigest>();
      const stored = store.getKeyStates(pipeline, keys.filter((k) => !pending.has(k)));
      for (const [key, state] of stored) found.set(key, toDigest(state));
      for (const key of keys) {
        const update = pending.get(key);
        if (update) found.set(key, toDigest(update));
      }
      return found;
    },
    put(updates) {
      const at = new Date().toISOString();
      for (const update of updates) pending.set(update.key, { ...toInput(update), at });
      if (!scheduled && pending.size > 0) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    /** Stores what is gathered now; the run calls it before the store may be closed. */
    flush,
  };
}

function toDigest(state: KeyState): KeyDigest {
  return {
    outcome: state.lastOutcome,
    at: state.at,
    ...(state.digest !== undefined ? { digest: state.digest } : {}),
    ...(state.oroId !== undefined ? { id: state.oroId } : {}),
    ...(state.errors !== undefined ? { errors: state.errors } : {}),
  };
}

function toInput(update: DigestUpdate): KeyStateInput {
  return {
    key: update.key,
    lastOutcome: update.outcome,
    ...(update.digest !== undefined ? { digest: update.digest } : {}),
    ...(update.id !== undefined ? { oroId: update.id } : {}),
    ...(update.errors !== undefined ? { errors: update.errors } : {}),
  };
}
