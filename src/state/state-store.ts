import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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

/** A key Oro confirmed before that a run did not see (`target.onMissing`). */
export interface MissingKey {
  readonly key: string;
  readonly oroId: string;
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
 * resource type. A SQLite file is written by one process (others may read it, WAL); workers on
 * several hosts share one PostgreSQL store instead.
 *
 * @example
 * ```ts
 * const store = openStateStore('.oro-sync/state.db');
 * const ids = await store.getIds('customers', 'externalId', ['C-1', 'C-2']);   // Map { 'C-1' => '17' }
 * await store.close();
 * ```
 */
export interface StateStore {
  getCheckpoint(pipeline: string): Promise<StoredCheckpoint | undefined>;
  /** Atomic upsert of the pipeline's checkpoint. */
  saveCheckpoint(pipeline: string, checkpoint: CheckpointInput): Promise<void>;
  clearCheckpoint(pipeline: string): Promise<void>;

  /** Oro ids known for `keys` of `type` by `keyField`; keys not known are absent from the map. */
  getIds(type: string, keyField: string, keys: readonly string[]): Promise<Map<string, string>>;
  /** Stores (or replaces) key → id pairs, all in one transaction. */
  putIds(type: string, keyField: string, entries: Iterable<readonly [key: string, id: string]>): Promise<void>;
  /** Forgets cached ids, e.g. after Oro answered 404 for them or they were deleted; one transaction. */
  forgetIds(type: string, keyField: string, keys: readonly string[]): Promise<void>;

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

/** Schema version this code writes; `PRAGMA user_version` holds the file's. */
export const STATE_SCHEMA_VERSION = 4;

/** Each entry upgrades from version `index` to `index + 1`. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE checkpoints (
    pipeline   TEXT PRIMARY KEY,
    resume     TEXT,
    watermark  TEXT,
    seq        INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE ids (
    type       TEXT NOT NULL,
    key_field  TEXT NOT NULL,
    key        TEXT NOT NULL,
    id         TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (type, key_field, key)
  ) WITHOUT ROWID;
  CREATE TABLE runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline    TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'ok', 'partial', 'failed', 'stopped')),
    counts      TEXT,
    error       TEXT,
    meta        TEXT
  );
  CREATE INDEX runs_by_pipeline ON runs (pipeline, id);
  `,
  // 1 -> 2: change detection (per key, the digest of what Oro last confirmed) and the mapping
  // fingerprint that invalidates them.
  `
  CREATE TABLE key_states (
    pipeline TEXT NOT NULL,
    key      TEXT NOT NULL,
    digest   TEXT,
    oro_id   TEXT,
    outcome  TEXT NOT NULL CHECK (outcome IN ('confirmed', 'rejected', 'failed')),
    errors   TEXT,
    at       TEXT NOT NULL,
    PRIMARY KEY (pipeline, key)
  ) WITHOUT ROWID;
  CREATE TABLE mappings (
    pipeline    TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    updated_at  TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2 -> 3: where a run starts: whether the checkpoint's run completed, and the source's
  // fingerprint (a file's device, inode and hashes) it started from.
  `
  ALTER TABLE checkpoints ADD COLUMN complete INTEGER;
  ALTER TABLE checkpoints ADD COLUMN source_mark TEXT;
  `,
  // 3 -> 4: target.onMissing: the keys a run read, so that those it did not read can be found
  // after it with a query instead of a set in memory (invariant 2). Rows live for one run.
  `
  CREATE TABLE seen_keys (
    pipeline TEXT NOT NULL,
    run      INTEGER NOT NULL,
    key      TEXT NOT NULL,
    PRIMARY KEY (pipeline, run, key)
  ) WITHOUT ROWID;
  `,
];

/** IN-list size for `getIds`; well below SQLite's bound-parameter limit. */
const ID_CHUNK = 500;
/** Rows per INSERT of `putIds` (5 parameters each) and of `markSeen` (3 each). */
const PUT_CHUNK = 100;

/** The LIKE pattern of `exceptDigestPrefix`; without one, `-` matches no digest (they are hex). */
/** The `NOT LIKE` pattern of a missing-keys query (`-`: a digest never is, so nothing is left out). */
export function digestPattern({ exceptDigestPrefix }: MissingQuery): string {
  return exceptDigestPrefix === undefined ? '-' : `${exceptDigestPrefix}%`;
}

/** `prepare(n)` once per `n` asked for. */
function preparedBySize<S>(prepare: (n: number) => S): (n: number) => S {
  const statements = new Map<number, S>();
  return (n) => {
    let statement = statements.get(n);
    if (statement === undefined) {
      statement = prepare(n);
      statements.set(n, statement);
    }
    return statement;
  };
}

/** Rows as both stores select them (PostgreSQL's bigint columns come as strings). */
export interface CheckpointRow {
  resume: string | null; watermark: string | null; seq: number | string; updated_at: string; complete: number | null; source_mark: string | null;
}
export interface IdRow { key: string; id: string }
export interface KeyStateRow { key: string; digest: string | null; oro_id: string | null; outcome: KeyOutcome; errors: string | null; at: string }
export interface MissingRow { key: string; oro_id: string }
/** A `key_states` row as `raw()` gives it: key, digest, oro_id, outcome, errors, at. */
type KeyStateTuple = [key: string, digest: string | null, oroId: string | null, outcome: KeyOutcome, errors: string | null, at: string];
export interface RunRow {
  id: number | string; pipeline: string; started_at: string; finished_at: string | null; status: string;
  counts: string | null; error: string | null; meta: string | null;
}

/**
 * Opens (creating when missing, with its directory) the SQLite state store at `path`, in WAL mode
 * with `synchronous=NORMAL` (a power cut may lose the last transactions, never corrupt the file;
 * a lost checkpoint only replays idempotent writes). `':memory:'` gives a throwaway store.
 *
 * @throws Error when the file was written by a newer oro-sync (schema version above ours).
 * @example
 * ```ts
 * const store = openStateStore('.oro-sync/state.db');
 * const cp = await store.getCheckpoint('customers');
 * const ids = await store.getIds('customers', 'externalId', ['C-1', 'C-2']);
 * await store.close();
 * ```
 */
export function openStateStore(path: string, options: StateStoreOptions = {}): StateStore {
  const now = (): string => (options.now ?? (() => new Date()))().toISOString();
  if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    migrate(db, path);
  } catch (error) {
    db.close();
    throw error;
  }

  const q = {
    getCheckpoint: db.prepare<[string], CheckpointRow>(
      'SELECT resume, watermark, seq, updated_at, complete, source_mark FROM checkpoints WHERE pipeline = ?'),
    saveCheckpoint: db.prepare<[string, string | null, string | null, number, string, number, string | null]>(
      `INSERT INTO checkpoints (pipeline, resume, watermark, seq, updated_at, complete, source_mark) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (pipeline) DO UPDATE SET resume = excluded.resume, watermark = excluded.watermark,
         seq = excluded.seq, updated_at = excluded.updated_at, complete = excluded.complete, source_mark = excluded.source_mark`),
    clearCheckpoint: db.prepare<[string]>('DELETE FROM checkpoints WHERE pipeline = ?'),
    forgetId: db.prepare<[string, string, string]>('DELETE FROM ids WHERE type = ? AND key_field = ? AND key = ?'),
    keyState: db.prepare<[string, string], KeyStateRow>(
      'SELECT key, digest, oro_id, outcome, errors, at FROM key_states WHERE pipeline = ? AND key = ?'),
    putKeyState: db.prepare<[string, string, string | null, string | null, string, string | null, string]>(
      `INSERT INTO key_states (pipeline, key, digest, oro_id, outcome, errors, at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (pipeline, key) DO UPDATE SET digest = excluded.digest,
         oro_id = coalesce(excluded.oro_id, key_states.oro_id), outcome = excluded.outcome,
         errors = excluded.errors, at = excluded.at`),
    keyStateCounts: db.prepare<[string], { outcome: KeyOutcome; n: number }>(
      'SELECT outcome, count(*) AS n FROM key_states WHERE pipeline = ? GROUP BY outcome'),
    waitingKeys: db.prepare<[string, number], KeyStateTuple>(
      `SELECT key, digest, oro_id, outcome, errors, at FROM key_states
       WHERE pipeline = ? AND outcome IN ('rejected', 'failed') ORDER BY key LIMIT ?`).raw(true),
    forgetKeyState: db.prepare<[string, string]>('DELETE FROM key_states WHERE pipeline = ? AND key = ?'),
    clearSeenRun: db.prepare<[string, number]>('DELETE FROM seen_keys WHERE pipeline = ? AND run = ?'),
    clearSeenBelow: db.prepare<[string, number]>('DELETE FROM seen_keys WHERE pipeline = ? AND run > 0 AND run < ?'),
    countKnown: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM key_states WHERE pipeline = ? AND oro_id IS NOT NULL'),
    countMissing: db.prepare<[string, string, string, number], { n: number }>(
      `SELECT count(*) AS n FROM key_states k WHERE k.pipeline = ? AND k.oro_id IS NOT NULL AND coalesce(k.digest, '') NOT LIKE ?
       AND NOT EXISTS (SELECT 1 FROM seen_keys s WHERE s.pipeline = ? AND s.run = ? AND s.key = k.key)`),
    missingKeys: db.prepare<[string, string, string, string, number, number], MissingRow>(
      `SELECT k.key, k.oro_id FROM key_states k WHERE k.pipeline = ? AND k.key > ? AND k.oro_id IS NOT NULL AND coalesce(k.digest, '') NOT LIKE ?
       AND NOT EXISTS (SELECT 1 FROM seen_keys s WHERE s.pipeline = ? AND s.run = ? AND s.key = k.key)
       ORDER BY k.key LIMIT ?`),
    mapping: db.prepare<[string], { fingerprint: string }>('SELECT fingerprint FROM mappings WHERE pipeline = ?'),
    saveMapping: db.prepare<[string, string, string]>(
      `INSERT INTO mappings (pipeline, fingerprint, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (pipeline) DO UPDATE SET fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`),
    dropDigests: db.prepare<[string]>('UPDATE key_states SET digest = NULL WHERE pipeline = ? AND digest IS NOT NULL'),
    startRun: db.prepare<[string, string, string | null]>('INSERT INTO runs (pipeline, started_at, meta) VALUES (?, ?, ?)'),
    finishRun: db.prepare<[string, string, string, string | null, number]>(
      `UPDATE runs SET finished_at = ?, status = ?, counts = ?, error = ? WHERE id = ? AND status = 'running'`),
    runExists: db.prepare<[number], { status: string }>('SELECT status FROM runs WHERE id = ?'),
    lastRuns: db.prepare<[string, number], RunRow>('SELECT * FROM runs WHERE pipeline = ? ORDER BY id DESC LIMIT ?'),
    lastOk: db.prepare<[string], RunRow>(
      `SELECT * FROM runs WHERE pipeline = ? AND status = 'ok' ORDER BY id DESC LIMIT 1`),
  };

  // One statement per number of keys (prepared when a size first occurs, at most ID_CHUNK of
  // each): binding 100 keys beats padding every lookup to 500, and one multi-row INSERT per
  // chunk beats a statement run per id (the run's N-API crossing was most of putIds' cost).
  const getIdsOf = preparedBySize((n) => db.prepare<string[], IdRow>(
    `SELECT key, id FROM ids WHERE type = ? AND key_field = ? AND key IN (${Array(n).fill('?').join(', ')})`));
  const putIdsOf = preparedBySize((n) => db.prepare<string[]>(
    `INSERT INTO ids (type, key_field, key, id, updated_at) VALUES ${Array(n).fill('(?, ?, ?, ?, ?)').join(', ')}
     ON CONFLICT (type, key_field, key) DO UPDATE SET id = excluded.id, updated_at = excluded.updated_at`));
  const putIds = db.transaction((type: string, keyField: string, entries: Iterable<readonly [string, string]>) => {
    const at = now();
    const all = [...entries];
    for (let i = 0; i < all.length; i += PUT_CHUNK) {
      const chunk = all.slice(i, i + PUT_CHUNK);
      const values: string[] = [];
      for (const [key, id] of chunk) values.push(type, keyField, key, id, at);
      putIdsOf(chunk.length).run(...values);
    }
  });

  // One statement per IN-list size, prepared when first needed: a run asks with the same few
  // sizes (its batch size), and a list padded to 500 made SQLite do five times the seeks. Rows
  // come as arrays (`raw`): this runs for every record of a snapshot read again, and an object
  // per row was the better part of its cost.
  const keyStatesFor = preparedBySize((n) => db.prepare<string[], KeyStateTuple>(
    `SELECT key, digest, oro_id, outcome, errors, at FROM key_states WHERE pipeline = ? AND key IN (${Array(n).fill('?').join(', ')})`).raw(true));
  const putKeyStates = db.transaction((pipeline: string, entries: Iterable<KeyStateInput>) => {
    const at = now();
    for (const { key, digest, oroId, lastOutcome, errors } of entries) {
      q.putKeyState.run(pipeline, key, digest ?? null, oroId ?? null, lastOutcome, errorsColumn(errors), at);
    }
  });
  const markSeenOf = preparedBySize((n) => db.prepare<(string | number)[]>(
    `INSERT OR IGNORE INTO seen_keys (pipeline, run, key) VALUES ${Array(n).fill('(?, ?, ?)').join(', ')}`));
  const markSeen = db.transaction((pipeline: string, runId: number, keys: readonly string[]) => {
    for (let i = 0; i < keys.length; i += PUT_CHUNK) {
      const chunk = keys.slice(i, i + PUT_CHUNK);
      const values: (string | number)[] = [];
      for (const key of chunk) values.push(pipeline, runId, key);
      markSeenOf(chunk.length).run(...values);
    }
  });
  const forgetIds = db.transaction((type: string, keyField: string, keys: readonly string[]) => {
    for (const key of keys) q.forgetId.run(type, keyField, key);
  });
  const forgetKeyStates = db.transaction((pipeline: string, keys: readonly string[]) => {
    for (const key of keys) q.forgetKeyState.run(pipeline, key);
  });
  const changeMapping = db.transaction((pipeline: string, fingerprint: string) => {
    q.dropDigests.run(pipeline);
    q.saveMapping.run(pipeline, fingerprint, now());
  });

  return {
    async getCheckpoint(pipeline) {
      const row = q.getCheckpoint.get(pipeline);
      return row === undefined ? undefined : toCheckpoint(row);
    },
    async saveCheckpoint(pipeline, { resume, watermark, seq, complete = false, sourceMark = null }) {
      q.saveCheckpoint.run(
        pipeline, resume === null ? null : JSON.stringify(resume), watermark, seq, now(),
        complete ? 1 : 0, sourceMark === null ? null : JSON.stringify(sourceMark),
      );
    },
    async clearCheckpoint(pipeline) {
      q.clearCheckpoint.run(pipeline);
    },

    async getIds(type, keyField, keys) {
      const found = new Map<string, string>();
      const unique = [...new Set(keys)];
      for (let i = 0; i < unique.length; i += ID_CHUNK) {
        const chunk = unique.slice(i, i + ID_CHUNK);
        for (const row of getIdsOf(chunk.length).all(type, keyField, ...chunk)) found.set(row.key, row.id);
      }
      return found;
    },
    async putIds(type, keyField, entries) {
      putIds(type, keyField, entries);
    },
    async forgetIds(type, keyField, keys) {
      if (keys.length > 0) forgetIds(type, keyField, keys);
    },

    async getKeyStates(pipeline, keys) {
      const found = new Map<string, KeyState>();
      const unique = [...new Set(keys)];
      for (let i = 0; i < unique.length; i += ID_CHUNK) {
        const chunk = unique.slice(i, i + ID_CHUNK);
        for (const row of keyStatesFor(chunk.length).all(pipeline, ...chunk)) found.set(row[0], fromTuple(row));
      }
      return found;
    },
    async putKeyStates(pipeline, entries) {
      putKeyStates(pipeline, entries);
    },
    async keyState(pipeline, key) {
      const row = q.keyState.get(pipeline, key);
      return row === undefined ? undefined : toKeyState(row);
    },
    async keyStateCounts(pipeline) {
      const counts: Record<KeyOutcome, number> = { confirmed: 0, rejected: 0, failed: 0 };
      for (const row of q.keyStateCounts.all(pipeline)) counts[row.outcome] = row.n;
      return counts;
    },
    async waitingKeys(pipeline, limit) {
      return q.waitingKeys.all(pipeline, Math.max(0, Math.floor(limit)))
        .map((row) => ({ key: row[0], ...fromTuple(row) }) as WaitingKey);
    },
    async forgetKeyStates(pipeline, keys) {
      forgetKeyStates(pipeline, keys);
    },
    async markSeen(pipeline, runId, keys) {
      if (keys.length > 0) markSeen(pipeline, runId, keys);
    },
    async clearSeen(pipeline, which) {
      if ('run' in which) q.clearSeenRun.run(pipeline, which.run);
      else q.clearSeenBelow.run(pipeline, which.below);
    },
    async countKnown(pipeline) {
      return q.countKnown.get(pipeline)?.n ?? 0;
    },
    async countMissing(pipeline, runId, query = {}) {
      return q.countMissing.get(pipeline, digestPattern(query), pipeline, runId)?.n ?? 0;
    },
    async missingKeys(pipeline, runId, { afterKey = '', limit, ...query }) {
      return q.missingKeys.all(pipeline, afterKey, digestPattern(query), pipeline, runId, Math.max(0, Math.floor(limit)))
        .map((row) => ({ key: row.key, oroId: row.oro_id }));
    },
    async mappingFingerprint(pipeline) {
      return q.mapping.get(pipeline)?.fingerprint;
    },
    async changeMapping(pipeline, fingerprint) {
      changeMapping(pipeline, fingerprint);
    },

    async startRun(pipeline, meta) {
      const result = q.startRun.run(pipeline, now(), meta === undefined ? null : JSON.stringify(meta));
      return Number(result.lastInsertRowid);
    },
    async finishRun(runId, { counts, status, error }) {
      const result = q.finishRun.run(now(), status, JSON.stringify(counts), error === undefined ? null : scrubSecrets(error), runId);
      if (result.changes === 0) throw notRunning(path, runId, q.runExists.get(runId)?.status);
    },
    async lastRuns(pipeline, n) {
      return q.lastRuns.all(pipeline, Math.max(0, Math.floor(n))).map(toRun);
    },
    async lastSuccessfulRun(pipeline) {
      const row = q.lastOk.get(pipeline);
      return row === undefined ? undefined : (toRun(row) as FinishedRun);
    },

    async info() {
      return {
        kind: 'sqlite',
        path,
        schemaVersion: db.pragma('user_version', { simple: true }) as number,
        journalMode: db.pragma('journal_mode', { simple: true }) as string,
        synchronous: db.pragma('synchronous', { simple: true }) as number,
      };
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

function migrate(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > STATE_SCHEMA_VERSION) {
    throw new Error(`state store ${path}: schema version ${version} is newer than this oro-sync supports (${STATE_SCHEMA_VERSION}); upgrade oro-sync or use another state.path`);
  }
  db.transaction(() => {
    for (let v = version; v < STATE_SCHEMA_VERSION; v += 1) db.exec(MIGRATIONS[v] as string);
    // user_version is part of the transaction: a crash mid-migration leaves the old version.
    if (version !== STATE_SCHEMA_VERSION) db.pragma(`user_version = ${STATE_SCHEMA_VERSION}`);
  }).immediate();
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

/** A `key_states` row as a key's state. */
export function toKeyState(row: KeyStateRow): KeyState {
  return fromTuple([row.key, row.digest, row.oro_id, row.outcome, row.errors, row.at]);
}

/** Assigned, not spread: this runs for every record of a snapshot read again. */
function fromTuple([, digest, oroId, outcome, errors, at]: KeyStateTuple): KeyState {
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
