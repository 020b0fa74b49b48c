/**
 * A map that holds at most `max` keys and forgets the least recently used first. Map keeps
 * insertion order, so re-inserting a key on use makes the first key the least recently used.
 *
 * @example
 * const lru = createLru<string>(2);
 * lru.set('a', '1'); lru.set('b', '2'); lru.get('a'); lru.set('c', '3'); // 'b' is forgotten
 */
export interface Lru<V> {
  /** The value, counted as used now. */
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): void;
}

export function createLru<V>(max: number): Lru<V> {
  const entries = new Map<string, V>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value === undefined) return undefined;
      entries.delete(key);
      entries.set(key, value);
      return value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > max) entries.delete(entries.keys().next().value as string);
    },
    delete(key) {
      entries.delete(key);
    },
  };
}
