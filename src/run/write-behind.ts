/**
 * Writes gathered per turn of the event loop and stored by one call: one store transaction (or
 * round trip) per created record cost more than the request did. `put` answers with the promise
 * of the store call that will carry it, so a caller can await that its write is durable.
 *
 * Entries handed to the store stay readable (`peek`) until it has them, so a read in between does
 * not miss them. Store calls run one after the other: a `forget` (value `undefined`) never
 * overtakes an earlier `put` of the key. Nothing is kept once stored: the store is asked again,
 * and sees what other workers sharing it wrote.
 */
export interface WriteBehind<V> {
  /** Queues `value` (`undefined`: forget the key); resolves once the store has it. */
  put(key: string, value: V | undefined): Promise<void>;
  /** What is queued or being stored for `key`: `{ value }` (value `undefined`: forgotten), or nothing. */
  peek(key: string): { readonly value: V | undefined } | undefined;
  /** Nothing is queued or being stored. */
  readonly idle: boolean;
  /** Stores what is queued now; the run calls it before the store may be closed. */
  flush(): Promise<void>;
}

interface Gathered<V> {
  readonly entries: Map<string, V | undefined>;
  readonly stored: Promise<void>;
  readonly settle: (error?: unknown) => void;
}

export function createWriteBehind<V>(store: (entries: ReadonlyMap<string, V | undefined>) => Promise<void>): WriteBehind<V> {
  let gathering: Gathered<V> | undefined;
  const writing: Gathered<V>[] = [];
  let tail: Promise<void> = Promise.resolve();

  const gather = (): Gathered<V> => {
    let settle!: (error?: unknown) => void;
    const stored = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    // A caller that does not await its write must not crash the process with it: the run
    // awaits `flush()`, and the sink what it tracked, and both see the error.
    stored.catch(() => undefined);
    return { entries: new Map(), stored, settle };
  };

  const flush = (): Promise<void> => {
    const batch = gathering;
    if (!batch) return tail;
    gathering = undefined;
    writing.push(batch);
    const run = tail.then(() => store(batch.entries));
    tail = run.then(
      () => {
        writing.splice(writing.indexOf(batch), 1);
        batch.settle();
      },
      (error: unknown) => {
        writing.splice(writing.indexOf(batch), 1);
        batch.settle(error ?? new Error('state store write failed'));
      },
    );
    return batch.stored;
  };

  return {
    put(key, value) {
      if (!gathering) {
        gathering = gather();
        setImmediate(() => void flush());
      }
      gathering.entries.set(key, value);
      return gathering.stored;
    },
    peek(key) {
      if (gathering?.entries.has(key)) return { value: gathering.entries.get(key) };
      for (let i = writing.length - 1; i >= 0; i--) {
        const entries = (writing[i] as Gathered<V>).entries;
        if (entries.has(key)) return { value: entries.get(key) };
      }
      return undefined;
    },
    get idle() {
      return gathering === undefined && writing.length === 0;
    },
    flush,
  };
}

/**
 * What `read` (the store) knows for `keys`, with what `behind` has not stored yet in its place:
 * a store read never misses this process's own writes, and never hides other workers' ones.
 */
export async function readThrough<V>(behind: WriteBehind<V>, keys: readonly string[], read: (keys: readonly string[]) => Promise<Map<string, V>>): Promise<Map<string, V>> {
  if (behind.idle) return read(keys);
  const unknown: string[] = [];
  const own = new Map<string, V>();
  for (const key of keys) {
    const queued = behind.peek(key);
    if (queued === undefined) unknown.push(key);
    else if (queued.value !== undefined) own.set(key, queued.value);
  }
  const found = unknown.length > 0 ? await read(unknown) : new Map<string, V>();
  for (const [key, value] of own) found.set(key, value);
  return found;
}
