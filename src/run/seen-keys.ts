import type { StateStore } from '../state/state-store.js';
import { rawOf } from '../types/record.js';
import type { MappedRecord, Outcome } from '../types/outcome.js';
import { getPath } from '../util/path.js';

/** Keys gathered before they are stored: a bulk insert per turn, or sooner past this many. */
const FLUSH_AT = 1_000;

/**
 * The keys one run read, kept in the state store (`markSeen`) rather than in memory (invariant
 * 2): every outcome's key, `unchanged` and `rejected` ones included, gathered and stored in one
 * multi-row insert per turn of the event loop, never one statement per record.
 */
export interface SeenKeys {
  /** Notes the key of one outcome of the source (a record with no readable key is counted apart). */
  see(outcome: Outcome): void;
  /**
   * Stores what is gathered, after every earlier store call; the run awaits it before it asks
   * which keys are missing. A store call that failed rejects it (the run must not sweep then).
   */
  flush(): Promise<void>;
  /** Records read whose key could not be read (a malformed line, a record without its key). */
  readonly unkeyed: number;
  /** The first such record's place, for the log line. */
  readonly firstUnkeyed: string | undefined;
}

/**
 * Tracks the keys of run `runId` of `pipeline`. `keyPath` is `target.key.source`: a record
 * rejected before it was mapped still names its key there.
 *
 * @example
 * ```ts
 * const seen = trackSeen(store, 'customers', runId, 'id');
 * outcomes$.subscribe((outcome) => seen.see(outcome));
 * // at the end: await seen.flush(); await store.missingKeys('customers', runId, { limit: 100 })
 * ```
 */
export function trackSeen(store: StateStore, pipeline: string, runId: number, keyPath: string): SeenKeys {
  let keys: string[] = [];
  let scheduled = false;
  let unkeyed = 0;
  let firstUnkeyed: string | undefined;
  // Store calls run one after the other; the first failure is kept for `flush` to report (a
  // mark lost would make its key look missing).
  let tail: Promise<void> = Promise.resolve();
  let failure: unknown;
  const store_ = () => {
    scheduled = false;
    if (keys.length === 0) return;
    const batch = keys;
    keys = [];
    tail = tail.then(() => store.markSeen(pipeline, runId, batch)).catch((error: unknown) => {
      failure ??= error;
    });
  };
  const flush = async () => {
    store_();
    await tail;
    if (failure !== undefined) throw failure;
  };
  return {
    see(outcome) {
      const key = keyOf(outcome, keyPath);
      if (key === undefined) {
        unkeyed += 1;
        firstUnkeyed ??= outcome.record.position.where;
        return;
      }
      keys.push(key);
      if (keys.length >= FLUSH_AT) store_();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(store_);
      }
    },
    flush,
    get unkeyed() {
      return unkeyed;
    },
    get firstUnkeyed() {
      return firstUnkeyed;
    },
  };
}

/** The record's key as the mapping made it (`String` of a string or number), else undefined. */
function keyOf(outcome: Outcome, keyPath: string): string | undefined {
  const mapped = outcome.record.value as Partial<MappedRecord> | undefined;
  if (typeof mapped?.key === 'string' && mapped.resource !== undefined) return mapped.key;
  const raw = getPath(rawOf(outcome.record), keyPath);
  if (typeof raw === 'string') return raw === '' ? undefined : raw;
  return typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : undefined;
}
