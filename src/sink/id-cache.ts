import { createLru } from '../util/lru.js';

/**
 * Remembers which Oro id a source key was written to, so that the lookup strategy does not have
 * to read Oro for every record it has already seen. The daemon backs it with the state store;
 * in memory it is a bounded LRU, because invariant 2 forbids a map that grows with the export.
 */
export interface IdCache {
  /** The ids known for these keys (keys not known are absent). */
  get(keys: readonly string[]): Map<string, string>;
  put(entries: Iterable<readonly [string, string]>): void;
  /** Oro no longer has the record (404): forget it. */
  forget(key: string): void;
}

/** An in-memory LRU id cache holding at most `max` keys. */
export function createMemoryIdCache(max = 100_000): IdCache {
  const ids = createLru<string>(max);
  return {
    get(keys) {
      const found = new Map<string, string>();
      for (const key of keys) {
        const id = ids.get(key);
        if (id !== undefined) found.set(key, id);
      }
      return found;
    },
    put(entries) {
      for (const [key, id] of entries) ids.set(key, id);
    },
    forget(key) {
      ids.delete(key);
    },
  };
}
