import { createLru } from '../util/lru.js';

/**
 * Remembers which Oro id a source key was written to, so that the lookup strategy does not have
 * to read Oro for every record it has already seen. The daemon backs it with the state store;
 * in memory it is a bounded LRU, because invariant 2 forbids a map that grows with the export.
 */
export interface IdCache {
  /** The ids known for these keys (keys not known are absent). Asked once per round, not per record. */
  get(keys: readonly string[]): Promise<Map<string, string>>;
  /**
   * Resolves once the ids are stored (durable for a state store), so that a writer holding a
   * key's lock can release it only when every other worker would find the id. It need not be
   * awaited per record: the sink awaits what its batch stored before releasing the batch's keys.
   */
  put(entries: Iterable<readonly [string, string]>): Promise<void>;
  /** Oro no longer has the record (404): forget it. Resolves once it is forgotten in the store. */
  forget(key: string): Promise<void>;
}

/**
 * The promise of a write done at once (memory caches). One shared object, so that the sink can
 * tell it from a pending write without the cost of a `then` per record.
 */
export const STORED: Promise<void> = Promise.resolve();

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
      return Promise.resolve(found);
    },
    put(entries) {
      for (const [key, id] of entries) ids.set(key, id);
      return STORED;
    },
    forget(key) {
      ids.delete(key);
      return STORED;
    },
  };
}
