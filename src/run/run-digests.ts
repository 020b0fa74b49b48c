import type { Logger } from 'pino';
import type { AnyConfig } from '../config/config-types.js';
import type { DigestStore, DigestUpdate, KeyDigest } from '../sink/digest-store.js';
import { STORED } from '../sink/id-cache.js';
import type { StateStore } from '../state/state-store.js';
import { readMapping, type MappingState } from './mapping-fingerprint.js';
import { storeDigests } from './store-digests.js';

/** The digests one run checks and stores, with the two calls its end needs. */
export type RunDigests = DigestStore & {
  /** Stores what is gathered now; the run calls it before the store may be closed. */
  flush(): Promise<void>;
  /** Stores the rejections held back, once their dead letters are on disk. */
  release(): Promise<void>;
};

/** What of the run decides how its digests are used (plain flags, not the run's options). */
export interface RunDigestFlags {
  /** A dry run reads the stored digests and stores nothing. */
  readonly dryRun: boolean;
  /**
   * Send every record whatever its stored digest (`--full`, replay, queue workers); what Oro
   * confirms is stored all the same.
   */
  readonly sendAll: boolean;
  /** The mapping as the run's start read it (default: read here). */
  readonly mapping?: MappingState;
}

/**
 * The digests the sink checks and stores. A changed mapping drops the stored ones (the next run
 * sends everything once); `--full`, replay and queue workers send every record but still store
 * what Oro confirms; a dry run reads them and stores nothing.
 *
 * @example
 * ```ts
 * const digests = await digestsFor(config, store, { dryRun: false, sendAll: false }, logger);
 * // ... toOro({ ..., digests }) ...
 * await digests?.flush();
 * await deadLetters.close();
 * await digests?.release();
 * ```
 */
export async function digestsFor(config: AnyConfig, store: StateStore, flags: RunDigestFlags, logger: Logger): Promise<RunDigests | undefined> {
  const { fingerprint, before } = flags.mapping ?? await readMapping(config, store);
  const changed = before !== fingerprint;
  if (flags.dryRun) {
    if (changed) return undefined;
    const digests = storeDigests(store, config.name);
    return { get: (keys) => digests.get(keys), put: () => STORED, flush: () => STORED, release: () => STORED };
  }
  if (changed) {
    if (before !== undefined) {
      const what = 'sink' in config ? 'the sink changed (where it delivers, or its transform): every record read is delivered' : 'the mapping changed (target or transform): every record is sent once again';
      logger.info({ pipeline: config.name }, what);
    }
    await store.changeMapping(config.name, fingerprint);
  }
  const digests = storeDigests(store, config.name);
  // A rejection is stored only once its dead letter is on disk (`release`, after the file is
  // closed): stored sooner, a crash could lose the letter while the next run, seeing "rejected
  // before", would not write it again.
  const held: DigestUpdate[] = [];
  const put = (updates: Iterable<DigestUpdate>): Promise<void> => {
    const now: DigestUpdate[] = [];
    for (const update of updates) (update.lastOutcome === 'rejected' ? held : now).push(update);
    // A held rejection is not stored before the run ends: nothing for the sink to wait for.
    return now.length > 0 ? digests.put(now) : STORED;
  };
  const release = async () => {
    void digests.put(held.splice(0));
    await digests.flush();
  };
  const get = flags.sendAll ? () => Promise.resolve(new Map<string, KeyDigest>()) : (keys: readonly string[]) => digests.get(keys);
  return { get, put, flush: digests.flush, release };
}
