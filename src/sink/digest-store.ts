import { createLru } from '../util/lru.js';
import { STORED } from './id-cache.js';
import type { ErrorDetail } from '../types/outcome.js';

/** What became of a key the last time it was sent: Oro confirmed it, refused it, or we cannot tell. */
export type LastOutcome = 'confirmed' | 'rejected' | 'failed';

/** What the sink remembers of one key (change detection). */
export interface KeyDigest {
  /**
   * sha256 of what was last sent for the key (`digestOf`); absent when there is nothing a record
   * may be compared with (a failed write: Oro may or may not hold it).
   */
  readonly digest?: string;
  readonly lastOutcome: LastOutcome;
  /** Oro's id, when known. */
  readonly oroId?: string;
  /** Why Oro rejected it (`lastOutcome: 'rejected'`). */
  readonly errors?: readonly ErrorDetail[];
  /** When this was stored, ISO 8601. */
  readonly at: string;
}

/** One key's new state, as the sink reports it. */
export type DigestUpdate = Omit<KeyDigest, 'at'> & { readonly key: string };

/**
 * Per key, the digest of what Oro last confirmed (or rejected), so that a record sent again with
 * the same content costs no request. The daemon keeps it in the state store; `get` is asked once
 * per round of a batch, never for the whole export.
 */
export interface DigestStore {
  /** What is known for `keys` (keys never seen are absent). */
  get(keys: readonly string[]): Promise<Map<string, KeyDigest>>;
  /** Resolves once the updates are stored (see `IdCache.put`: the sink awaits it per batch). */
  put(updates: Iterable<DigestUpdate>): Promise<void>;
}

export interface MemoryDigestStoreOptions {
  /** Keys held at most (least recently used ones are forgotten first; default 100,000). */
  readonly max?: number;
  /** Clock for `at` (default: the system clock). */
  readonly now?: () => Date;
}

/**
 * An in-memory digest store, a bounded LRU (invariant 2: no map that grows with the export); a
 * forgotten key only means its record is sent again.
 *
 * @example
 * ```ts
 * const digests = createMemoryDigestStore();
 * records$.pipe(batchRecords({ size: 100, ms: 500 }), toOro({ client, target, digests }));
 * // the same records again through a second toOro with the same `digests`: all `unchanged`
 * ```
 */
export function createMemoryDigestStore(options: MemoryDigestStoreOptions = {}): DigestStore {
  const max = options.max ?? 100_000;
  const now = options.now ?? (() => new Date());
  const known = createLru<KeyDigest>(max);
  return {
    get(keys) {
      const found = new Map<string, KeyDigest>();
      for (const key of keys) {
        const entry = known.get(key);
        if (entry !== undefined) found.set(key, entry);
      }
      return Promise.resolve(found);
    },
    put(updates) {
      const at = now().toISOString();
      for (const { key, ...entry } of updates) known.set(key, { ...entry, at });
      return STORED;
    },
  };
}
