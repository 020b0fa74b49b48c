/**
 * The state store's port: the `StateStore` interface, the rows both adapters select and the
 * mappers from rows to what the interface returns. The adapters live beside it:
 * `sqlite-state-store.ts` (`state.path`) and `pg-state-store.ts` (`state.url`).
 */
import type { ErrorDetail, Json, OutcomeStatus } from '../types/index.js';
import type { Mutable } from '../types/mutable.js';
import { scrubSecrets } from '../util/redact.js';

/** A pipeline's stored checkpoint (see `CheckpointTracker`). */
export interface StoredCheckpoint {
  /** The source's resume token of the last finished record, `null` when it cannot resume. */
  readonly resume: Json | null;
  /** The greatest change time synced so far, `null` when the source has none. */
  readonly watermark: string | null;
  readonly seq: number;
  /** When it was saved, ISO 8601. */
  readonly updatedAt: string;
  /**
   * `true` when the run that saved it read its source to the end; `false` when it was saved mid-run
   * (the run is going on, or was interrupted); `null` when an oro-sync before schema 3 saved it.
   */
  readonly complete: boolean | null;
  /** What the source looked like when that complete run started (a file's fingerprint), if anything. */
  readonly sourceMark: Json | null;
}

/** What `saveCheckpoint` takes: a `Checkpoint` from the tracker fits. */
export interface CheckpointInput {
  readonly resume: Json | null;
  readonly watermark: string | null;
  readonly seq: number;
  /** The run read its source to the end (default false: a mid-run checkpoint). */
  readonly complete?: boolean;
  readonly sourceMark?: Json | null;
}

/** How a run ended: `partial` = some records rejected/failed; `stopped` = SIGINT/SIGTERM. */
export type RunStatus = 'ok' | 'partial' | 'failed' | 'stopped';

export interface RunSummary {
  readonly counts: Readonly<Record<OutcomeStatus, number>>;
  readonly status: RunStatus;
  /** One line saying what went wrong; secrets are scrubbed before it is stored. */
  readonly error?: string;
}

interface RunBase {
  readonly id: number;
  readonly pipeline: string;
  readonly startedAt: string;
  readonly meta: Json | null;
}

/** A run that has not finished (still going, or the process died during it). */
export interface OpenRun extends RunBase {
  readonly status: 'running';
  readonly finishedAt: null;
  readonly counts: null;
  readonly error: null;
}

export interface FinishedRun extends RunBase {
  readonly status: RunStatus;
  readonly finishedAt: string;
  readonly counts: Readonly<Record<OutcomeStatus, number>>;
  readonly error: string | null;
}

export type RunRecord = OpenRun | FinishedRun;

/** Settings the store actually runs with, for `oro-sync check` and tests. */
export type StateStoreInfo = SqliteStoreInfo | PostgresStoreInfo;

/** A SQLite file's settings. */
export interface SqliteStoreInfo {
  readonly kind: 'sqlite';
  readonly path: string;
  readonly schemaVersion: number;
  readonly journalMode: string;
  /** SQLite's `synchronous` level: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
  readonly synchronous: number;
}

/** A PostgreSQL store's settings. */
export interface PostgresStoreInfo {
  readonly kind: 'postgres';
  /** `state.url` with its password replaced. */
  readonly url: string;
  /** The PostgreSQL schema holding the tables. */
  readonly schema: string;
  readonly schemaVersion: number;
}

/** What became of a key the last time it was sent: Oro confirmed it, refused it, or we cannot tell. */
export type KeyOutcome = 'confirmed' | 'rejected' | 'failed';

/**
 * What the store knows of one key of a pipeline (change detection, `oro-sync status --key`).
 */
export interface KeyState {
  /** Oro's id, when known. */
  readonly oroId?: string;
  /**
   * sha256 of the canonical JSON of what was last sent and confirmed (or rejected) for the key;
   * absent after a failed write or a mapping change: the next record with that key is sent.
   */
  readonly digest?: string;
  readonly lastOutcome: KeyOutcome;
  /** When that outcome was stored, ISO 8601. */
  readonly at: string;
  /** Why Oro rejected it (`lastOutcome: 'rejected'`). */
  readonly errors?: readonly ErrorDetail[];
}

/** A key waiting as rejected or failed (`oro-sync status`). */
export type WaitingKey = KeyState & { readonly key: string; readonly lastOutcome: 'rejected' | 'failed' };

/** What `putKeyStates` takes: a key's new state (`at` is the store's clock). */
export type KeyStateInput = Omit<KeyState, 'at'> & { readonly key: string };

/** A key of a pipeline and the Oro id stored for it. */
export interface KnownId {
  readonly key: string;
  readonly oroId: string;
}

/** A key Oro confirmed before that a run did not see (`target.onMissing`). */
export type MissingKey = KnownId;

/** One id map of an Oro: the ids of `type` by the field its keys are matched on. */
export interface IdSpace {
  readonly type: string;
  readonly keyField: string;
}

/** Which of the pipeline's known keys `missingKeys` and `countMissing` consider. */
export interface MissingQuery {
  /**
   * Keys whose digest starts with this are left out (onMissing already dealt with them: updated,
   * or refused by Oro). Letters, digits and `:` only.
   */
  readonly exceptDigestPrefix?: string;
}

/** A page of `missingKeys`: keys after `afterKey` in key order, at most `limit`. */
export interface MissingPage extends MissingQuery {
  readonly afterKey?: string;
  readonly limit: number;
}

/**
 * Durable state of oro-sync: checkpoints, the source-key → Oro-id map, per-key digests and run
 * history.
 *
 * Every method returns a promise, so that a store over the network (PostgreSQL, `state.url`)
 * fits the same interface as the embedded SQLite file (`state.path`), whose methods resolve at
 * once. A write has happened when its promise resolves. Several configs run in one process
 * (`oro-sync run a.json b.json`) share one `StateStore` instance, keyed by pipeline name /
 * resource type. Each pipeline's state belongs to one Oro (`oroOf`), and the id map is kept per
 * Oro (docs/architecture.md, "Which state belongs to which Oro"). A SQLite file is written by one
 * process (others may read it, WAL); workers on several hosts share one PostgreSQL store instead.
 *
 * @example
 * ```ts
 * const store = openStateStore('.oro-sync/state.db');
 * const ids = await store.getIds('https://shop.example.com/admin/api', 'customers', 'externalId', ['C-1', 'C-2']);   // Map { 'C-1' => '17' }
 * await store.close();
 * ```
 */
export interface StateStore {
  getCheckpoint(pipeline: string): Promise<StoredCheckpoint | undefined>;
  /** Atomic upsert of the pipeline's checkpoint. */
  saveCheckpoint(pipeline: string, checkpoint: CheckpointInput): Promise<void>;
  clearCheckpoint(pipeline: string): Promise<void>;

  /**
   * Oro ids known for `keys` of `type` by `keyField` in the Oro at `oro` (its base URL): ids
   * learnt from one Oro are never given for another. Keys not known are absent from the map.
   */
  getIds(oro: string, type: string, keyField: string, keys: readonly string[]): Promise<Map<string, string>>;
  /** Stores (or replaces) key → id pairs of the Oro at `oro`, all in one transaction. */
  putIds(oro: string, type: string, keyField: string, entries: Iterable<readonly [key: string, id: string]>): Promise<void>;
  /** Forgets cached ids, e.g. after Oro answered 404 for them or they were deleted; one transaction. */
  forgetIds(oro: string, type: string, keyField: string, keys: readonly string[]): Promise<void>;

  /** What is known of `keys` of `pipeline` (keys never sent are absent); chunked `IN (...)` queries. */
  getKeyStates(pipeline: string, keys: readonly string[]): Promise<Map<string, KeyState>>;
  /** Stores (or replaces) keys' states, all in one transaction. */
  putKeyStates(pipeline: string, entries: Iterable<KeyStateInput>): Promise<void>;
  /** One key's state, e.g. for `oro-sync status --key K`. */
  keyState(pipeline: string, key: string): Promise<KeyState | undefined>;
  /** Keys of `pipeline` by last outcome. */
  keyStateCounts(pipeline: string): Promise<Record<KeyOutcome, number>>;
  /**
   * At most `limit` keys of `pipeline` whose last outcome was `rejected` or `failed` (waiting for a
   * change of content, or for the next run), in key order; `keyStateCounts` gives their totals.
   */
  waitingKeys(pipeline: string, limit: number): Promise<WaitingKey[]>;
  /** Forgets keys' states (a key deleted in Oro). */
  forgetKeyStates(pipeline: string, keys: readonly string[]): Promise<void>;
  /**
   * Marks `keys` as read by run `runId` of `pipeline` (`target.onMissing`): one transaction, a
   * multi-row insert per 100 keys; a key marked twice stays marked once. Run ids of `startRun`
   * are positive; a dry run marks with a negative token of its own and clears it at its end.
   */
  markSeen(pipeline: string, runId: number, keys: readonly string[]): Promise<void>;
  /**
   * Forgets seen marks: `{ run }` those of one run (at its end), `{ below }` those of the
   * pipeline's earlier real runs (positive ids below it: runs that died before their end).
   */
  clearSeen(pipeline: string, which: { readonly run: number } | { readonly below: number }): Promise<void>;
  /** Keys of `pipeline` with a known Oro id: what `target.onMissing` may delete. */
  countKnown(pipeline: string): Promise<number>;
  /** Keys with a known Oro id that run `runId` did not mark seen. */
  countMissing(pipeline: string, runId: number, query?: MissingQuery): Promise<number>;
  /**
   * One page of the keys with a known Oro id that run `runId` did not mark seen, in key order
   * after `afterKey`: the caller pages through them, never holding them all.
   */
  missingKeys(pipeline: string, runId: number, page: MissingPage): Promise<MissingKey[]>;
  /** The fingerprint of the mapping (target, transform) the pipeline's digests were made with. */
  mappingFingerprint(pipeline: string): Promise<string | undefined>;
  /**
   * Records a new mapping fingerprint and drops the pipeline's digests in the same transaction:
   * content digested under another mapping says nothing about what the new one sends.
   */
  changeMapping(pipeline: string, fingerprint: string): Promise<void>;

  /**
   * The Oro (base URL) the pipeline's ids, digests and checkpoint came from; `undefined` before
   * its first run that recorded one.
   */
  oroOf(pipeline: string): Promise<string | undefined>;
  /**
   * Records `baseUrl` as the pipeline's Oro (its first run). Ids stored before any Oro was
   * recorded (an older oro-sync's) are taken as that Oro's: the state was used with it.
   */
  claimOro(pipeline: string, baseUrl: string): Promise<void>;
  /**
   * `--forget-state`: drops the pipeline's key states (ids and digests), checkpoint, mapping
   * fingerprint and seen marks, and records `baseUrl` as its Oro, in one transaction. Its runs
   * stay. Ids of other Oros in the id map are left alone: they are never read for `baseUrl`.
   */
  forgetState(pipeline: string, baseUrl: string): Promise<void>;
  /**
   * Up to `limit` keys of the pipeline with a stored Oro id: about half the most recently
   * stored (those a restored backup would have lost), the rest spread over the key range (index
   * seeks, not a scan: this runs at the start of every run, whatever the number of keys).
   */
  sampleKnownIds(pipeline: string, limit: number): Promise<KnownId[]>;
  /**
   * Oro no longer holds what the pipeline stored (restored from a backup): forgets every Oro id
   * and digest of the pipeline's keys (their last outcomes stay) and the id maps `spaces` of the
   * Oro at `oro`, in one transaction, so that every key is looked up again.
   */
  distrustIds(pipeline: string, oro: string, spaces: readonly IdSpace[]): Promise<void>;

  /** Records the start of a run; returns its id. */
  startRun(pipeline: string, meta?: Json): Promise<number>;
  /** @throws Error when `runId` is unknown or already finished. */
  finishRun(runId: number, summary: RunSummary): Promise<void>;
  /** The `n` most recent runs of `pipeline`, newest first. */
  lastRuns(pipeline: string, n: number): Promise<RunRecord[]>;
  /** The most recent run that ended `ok` (every record synced or skipped). */
  lastSuccessfulRun(pipeline: string): Promise<FinishedRun | undefined>;

  info(): Promise<StateStoreInfo>;
  close(): Promise<void>;
}

export interface StateStoreOptions {
  /** Clock for `updatedAt` / `startedAt` / `finishedAt` (default: the system clock). */
  readonly now?: () => Date;
}

/** The time a store writes into its rows, ISO 8601, from `options.now` or the system clock. */
export function isoClock(options: StateStoreOptions): () => string {
  return () => (options.now ?? (() => new Date()))().toISOString();
}

// The store's methods by concern. Each adapter builds them group by group, so that no adapter
// holds every method in one function and both split along the same lines.
export type CheckpointMethods = Pick<StateStore, 'getCheckpoint' | 'saveCheckpoint' | 'clearCheckpoint'>;
export type IdMethods = Pick<StateStore, 'getIds' | 'putIds' | 'forgetIds'>;
export type KeyStateMethods = Pick<StateStore, 'getKeyStates' | 'putKeyStates' | 'keyState' | 'keyStateCounts' | 'waitingKeys' | 'forgetKeyStates'>;
export type SeenKeyMethods = Pick<StateStore, 'markSeen' | 'clearSeen' | 'countKnown' | 'countMissing' | 'missingKeys'>;
export type MappingMethods = Pick<StateStore, 'mappingFingerprint' | 'changeMapping'>;
export type RunMethods = Pick<StateStore, 'startRun' | 'finishRun' | 'lastRuns' | 'lastSuccessfulRun'>;
export type OroMethods = Pick<StateStore, 'oroOf' | 'claimOro' | 'forgetState' | 'sampleKnownIds' | 'distrustIds'>;

/** Rows as both stores select them (PostgreSQL's bigint columns come as strings). */
export interface CheckpointRow {
  resume: string | null; watermark: string | null; seq: number | string; updated_at: string; complete: number | null; source_mark: string | null;
}
export interface IdRow { key: string; id: string }
export interface KeyStateRow { key: string; digest: string | null; oro_id: string | null; outcome: KeyOutcome; errors: string | null; at: string }
export interface MissingRow { key: string; oro_id: string }
/** A `key_states` row as `raw()` gives it: key, digest, oro_id, outcome, errors, at. */
export type KeyStateTuple = [key: string, digest: string | null, oroId: string | null, outcome: KeyOutcome, errors: string | null, at: string];
export interface RunRow {
  id: number | string; pipeline: string; started_at: string; finished_at: string | null; status: string;
  counts: string | null; error: string | null; meta: string | null;
}

/** The `NOT LIKE` pattern of a missing-keys query (`-`: a digest never is, so nothing is left out). */
export function digestPattern({ exceptDigestPrefix }: MissingQuery): string {
  return exceptDigestPrefix === undefined ? '-' : `${exceptDigestPrefix}%`;
}

/** What `key_states.errors` holds: Oro's errors as JSON, scrubbed of secrets (`null` when none). */
export function errorsColumn(errors: readonly ErrorDetail[] | undefined): string | null {
  return errors?.length ? scrubSecrets(JSON.stringify(errors)) : null;
}

/** Why `finishRun` refused: `status` is the run's, `undefined` when there is no such run. */
export function notRunning(store: string, runId: number, status: string | undefined): Error {
  return new Error(status === undefined
    ? `state store ${store}: no run with id ${runId}`
    : `state store ${store}: run ${runId} already finished (${status})`);
}

/** A `checkpoints` row (SQLite's or PostgreSQL's, which selects the same columns) as a checkpoint. */
export function toCheckpoint(row: CheckpointRow): StoredCheckpoint {
  return {
    resume: row.resume === null ? null : (JSON.parse(row.resume) as Json),
    watermark: row.watermark,
    seq: Number(row.seq),
    updatedAt: row.updated_at,
    complete: row.complete === null ? null : Number(row.complete) === 1,
    sourceMark: row.source_mark === null ? null : (JSON.parse(row.source_mark) as Json),
  };
}

/**
 * `n` keys spread between `min` and `max` of a pipeline, for a sample by index seeks (the first
 * stored key at or after each) rather than a scan of every key: their common prefix, a character
 * drawn between theirs where they part, then characters drawn over the range their tails use
 * (keys of digits get digits, of hex hex).
 */
export function probeKeys(min: string, max: string, n: number, random: () => number = Math.random): string[] {
  let i = 0;
  while (i < min.length && i < max.length && min[i] === max[i]) i += 1;
  const range = (text: string): [number, number] => {
    const codes = [...text].map((c) => c.codePointAt(0) ?? 0x30);
    return codes.length === 0 ? [0x30, 0x7a] : [Math.min(...codes), Math.max(...codes)];
  };
  // Where they part, between their two characters; after it, over the characters their tails use.
  const [first, last] = range((min[i] ?? '') + (max[i] ?? ''));
  const [lo, hi] = range(min.slice(i + 1) + max.slice(i + 1));
  const draw = (from: number, to: number) => String.fromCodePoint(from + Math.floor(random() * (to - from + 1)));
  return Array.from({ length: Math.max(0, n) }, () => {
    let probe = min.slice(0, i) + draw(first, last);
    for (let j = 0; j < 6; j += 1) probe += draw(lo, hi);
    return probe;
  });
}

/** A `key_states` row as a key's state. */
export function toKeyState(row: KeyStateRow): KeyState {
  return tupleToKeyState([row.key, row.digest, row.oro_id, row.outcome, row.errors, row.at]);
}

/**
 * A `key_states` row as a tuple (SQLite's `raw()` rows) as a key's state. Assigned, not spread:
 * this runs for every record of a snapshot read again.
 */
export function tupleToKeyState([, digest, oroId, outcome, errors, at]: KeyStateTuple): KeyState {
  const state: Mutable<KeyState> = { lastOutcome: outcome, at };
  if (digest !== null) state.digest = digest;
  if (oroId !== null) state.oroId = oroId;
  if (errors !== null) state.errors = JSON.parse(errors) as ErrorDetail[];
  return state;
}

/** A `runs` row as a run. */
export function toRun(row: RunRow): RunRecord {
  const base = {
    id: Number(row.id),
    pipeline: row.pipeline,
    startedAt: row.started_at,
    meta: row.meta === null ? null : (JSON.parse(row.meta) as Json),
  };
  if (row.status === 'running' || row.finished_at === null || row.counts === null) {
    return { ...base, status: 'running', finishedAt: null, counts: null, error: null };
  }
  return {
    ...base,
    status: row.status as RunStatus,
    finishedAt: row.finished_at,
    counts: JSON.parse(row.counts) as Record<OutcomeStatus, number>,
    error: row.error,
  };
}
