import type { DigestStore, KeyDigest } from '../sink/digest-store.js';
import type { KeyStateInput, StateStore } from '../state/state-store.js';
import { createWriteBehind, readThrough } from './write-behind.js';

/**
 * The sink's digests kept in the state store, per pipeline (a key's digest is its `KeyState`).
 * Reads are one `IN (...)` query per round of a batch (memory stays flat whatever the export's
 * size) and ask the store for every key this process has not just written: a digest another
 * worker stored makes the record `unchanged` here too. Writes are gathered and stored once per
 * turn of the event loop, like the id cache; `put` resolves when they are stored. A crash loses
 * at most that turn's digests, whose records are then sent again: never skipped without Oro's
 * confirmation.
 */
export function storeDigests(store: StateStore, pipeline: string): DigestStore & { flush(): Promise<void> } {
  const behind = createWriteBehind<KeyDigest & KeyStateInput>(async (entries) => {
    await store.putKeyStates(pipeline, [...entries.values()].filter((entry) => entry !== undefined));
  });
  return {
    get: (keys) => readThrough<KeyDigest>(behind, keys, (unknown) => store.getKeyStates(pipeline, unknown)),
    put(updates) {
      const at = new Date().toISOString();
      let stored: Promise<void> | undefined;
      for (const update of updates) stored = behind.put(update.key, { ...update, at });
      return stored ?? Promise.resolve();
    },
    /** Stores what is gathered now; the run calls it before the store may be closed. */
    flush: () => behind.flush(),
  };
}
