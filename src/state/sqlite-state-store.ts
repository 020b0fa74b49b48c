import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { scrubSecrets } from '../util/redact.js';
import {
  digestPattern, errorsColumn, isoClock, notRunning, probeKeys, toCheckpoint, toKeyState, toRun, tupleToKeyState,
  type CheckpointMethods, type CheckpointRow, type FinishedRun, type IdMethods, type IdRow, type KeyOutcome,
  type KeyState, type KeyStateInput, type KeyStateMethods, type KeyStateRow, type KeyStateTuple, type IdSpace, type MappingMethods,
  type MissingRow, type OroMethods, type RunMethods, type RunRow, type SeenKeyMethods, type StateStore, type StateStoreOptions,
  type WaitingKey,
} from './state-store.js';
import { migrateSqlite } from './sqlite-migrations.js';

/** IN-list size for `getIds`; well below SQLite's bound-parameter limit. */
const ID_CHUNK = 500;
/** Rows per INSERT of `putIds` (6 parameters each) and of `markSeen` (3 each). */
const PUT_CHUNK = 100;

type Db = Database.Database;
/** The time written into rows, ISO 8601. */
type Clock = () => string;

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
 * const ids = await store.getIds('https://shop.example.com/admin/api', 'customers', 'externalId', ['C-1', 'C-2']);
 * await store.close();
 * ```
 */
export function openStateStore(path: string, options: StateStoreOptions = {}): StateStore {
  const now = isoClock(options);
  const db = openDatabase(path);
  return {
    ...checkpointMethods(db, now),
    ...idMethods(db, now),
    ...keyStateMethods(db, now),
    ...seenKeyMethods(db),
    ...mappingMethods(db, now),
    ...runMethods(db, now, path),
    ...oroMethods(db, now),
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

/** The file at `path` with its settings and schema; closed again when either fails. */
function openDatabase(path: string): Db {
  if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    migrateSqlite(db, path);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
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

function checkpointMethods(db: Db, now: Clock): CheckpointMethods {
  const get = db.prepare<[string], CheckpointRow>(
    'SELECT resume, watermark, seq, updated_at, complete, source_mark FROM checkpoints WHERE pipeline = ?');
  const save = db.prepare<[string, string | null, string | null, number, string, number, string | null]>(
    `INSERT INTO checkpoints (pipeline, resume, watermark, seq, updated_at, complete, source_mark) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (pipeline) DO UPDATE SET resume = excluded.resume, watermark = excluded.watermark,
       seq = excluded.seq, updated_at = excluded.updated_at, complete = excluded.complete, source_mark = excluded.source_mark`);
  const clear = db.prepare<[string]>('DELETE FROM checkpoints WHERE pipeline = ?');
  return {
    async getCheckpoint(pipeline) {
      const row = get.get(pipeline);
      return row === undefined ? undefined : toCheckpoint(row);
    },
    async saveCheckpoint(pipeline, { resume, watermark, seq, complete = false, sourceMark = null }) {
      save.run(
        pipeline, resume === null ? null : JSON.stringify(resume), watermark, seq, now(),
        complete ? 1 : 0, sourceMark === null ? null : JSON.stringify(sourceMark),
      );
    },
    async clearCheckpoint(pipeline) {
      clear.run(pipeline);
    },
  };
}

function idMethods(db: Db, now: Clock): IdMethods {
  const forgetId = db.prepare<[string, string, string, string]>('DELETE FROM ids WHERE oro = ? AND type = ? AND key_field = ? AND key = ?');
  // One statement per number of keys (prepared when a size first occurs, at most ID_CHUNK of
  // each): binding 100 keys beats padding every lookup to 500, and one multi-row INSERT per
  // chunk beats a statement run per id (the run's N-API crossing was most of putIds' cost).
  const getIdsOf = preparedBySize((n) => db.prepare<string[], IdRow>(
    `SELECT key, id FROM ids WHERE oro = ? AND type = ? AND key_field = ? AND key IN (${Array(n).fill('?').join(', ')})`));
  const putIdsOf = preparedBySize((n) => db.prepare<string[]>(
    `INSERT INTO ids (oro, type, key_field, key, id, updated_at) VALUES ${Array(n).fill('(?, ?, ?, ?, ?, ?)').join(', ')}
     ON CONFLICT (oro, type, key_field, key) DO UPDATE SET id = excluded.id, updated_at = excluded.updated_at`));
  const putIds = db.transaction((oro: string, type: string, keyField: string, entries: Iterable<readonly [string, string]>) => {
    const at = now();
    const all = [...entries];
    for (let i = 0; i < all.length; i += PUT_CHUNK) {
      const chunk = all.slice(i, i + PUT_CHUNK);
      const values: string[] = [];
      for (const [key, id] of chunk) values.push(oro, type, keyField, key, id, at);
      putIdsOf(chunk.length).run(...values);
    }
  });
  const forgetIds = db.transaction((oro: string, type: string, keyField: string, keys: readonly string[]) => {
    for (const key of keys) forgetId.run(oro, type, keyField, key);
  });
  return {
    async getIds(oro, type, keyField, keys) {
      const found = new Map<string, string>();
      const unique = [...new Set(keys)];
      for (let i = 0; i < unique.length; i += ID_CHUNK) {
        const chunk = unique.slice(i, i + ID_CHUNK);
        for (const row of getIdsOf(chunk.length).all(oro, type, keyField, ...chunk)) found.set(row.key, row.id);
      }
      return found;
    },
    async putIds(oro, type, keyField, entries) {
      putIds(oro, type, keyField, entries);
    },
    async forgetIds(oro, type, keyField, keys) {
      if (keys.length > 0) forgetIds(oro, type, keyField, keys);
    },
  };
}

function keyStateMethods(db: Db, now: Clock): KeyStateMethods {
  const one = db.prepare<[string, string], KeyStateRow>(
    'SELECT key, digest, oro_id, outcome, errors, at FROM key_states WHERE pipeline = ? AND key = ?');
  const put = db.prepare<[string, string, string | null, string | null, string, string | null, string]>(
    `INSERT INTO key_states (pipeline, key, digest, oro_id, outcome, errors, at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (pipeline, key) DO UPDATE SET digest = excluded.digest,
       oro_id = coalesce(excluded.oro_id, key_states.oro_id), outcome = excluded.outcome,
       errors = excluded.errors, at = excluded.at`);
  const counts = db.prepare<[string], { outcome: KeyOutcome; n: number }>(
    'SELECT outcome, count(*) AS n FROM key_states WHERE pipeline = ? GROUP BY outcome');
  const waiting = db.prepare<[string, number], KeyStateTuple>(
    `SELECT key, digest, oro_id, outcome, errors, at FROM key_states
     WHERE pipeline = ? AND outcome IN ('rejected', 'failed') ORDER BY key LIMIT ?`).raw(true);
  const forget = db.prepare<[string, string]>('DELETE FROM key_states WHERE pipeline = ? AND key = ?');
  // One statement per IN-list size, prepared when first needed: a run asks with the same few
  // sizes (its batch size), and a list padded to 500 made SQLite do five times the seeks. Rows
  // come as arrays (`raw`): this runs for every record of a snapshot read again, and an object
  // per row was the better part of its cost.
  const keyStatesFor = preparedBySize((n) => db.prepare<string[], KeyStateTuple>(
    `SELECT key, digest, oro_id, outcome, errors, at FROM key_states WHERE pipeline = ? AND key IN (${Array(n).fill('?').join(', ')})`).raw(true));
  const putKeyStates = db.transaction((pipeline: string, entries: Iterable<KeyStateInput>) => {
    const at = now();
    for (const { key, digest, oroId, lastOutcome, errors } of entries) {
      put.run(pipeline, key, digest ?? null, oroId ?? null, lastOutcome, errorsColumn(errors), at);
    }
  });
  const forgetKeyStates = db.transaction((pipeline: string, keys: readonly string[]) => {
    for (const key of keys) forget.run(pipeline, key);
  });
  return {
    async getKeyStates(pipeline, keys) {
      const found = new Map<string, KeyState>();
      const unique = [...new Set(keys)];
      for (let i = 0; i < unique.length; i += ID_CHUNK) {
        const chunk = unique.slice(i, i + ID_CHUNK);
        for (const row of keyStatesFor(chunk.length).all(pipeline, ...chunk)) found.set(row[0], tupleToKeyState(row));
      }
      return found;
    },
    async putKeyStates(pipeline, entries) {
      putKeyStates(pipeline, entries);
    },
    async keyState(pipeline, key) {
      const row = one.get(pipeline, key);
      return row === undefined ? undefined : toKeyState(row);
    },
    async keyStateCounts(pipeline) {
      const byOutcome: Record<KeyOutcome, number> = { confirmed: 0, rejected: 0, failed: 0 };
      for (const row of counts.all(pipeline)) byOutcome[row.outcome] = row.n;
      return byOutcome;
    },
    async waitingKeys(pipeline, limit) {
      return waiting.all(pipeline, Math.max(0, Math.floor(limit)))
        .map((row) => ({ key: row[0], ...tupleToKeyState(row) }) as WaitingKey);
    },
    async forgetKeyStates(pipeline, keys) {
      forgetKeyStates(pipeline, keys);
    },
  };
}

function seenKeyMethods(db: Db): SeenKeyMethods {
  const clearRun = db.prepare<[string, number]>('DELETE FROM seen_keys WHERE pipeline = ? AND run = ?');
  const clearBelow = db.prepare<[string, number]>('DELETE FROM seen_keys WHERE pipeline = ? AND run > 0 AND run < ?');
  const known = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM key_states WHERE pipeline = ? AND oro_id IS NOT NULL');
  const missingCount = db.prepare<[string, string, string, number], { n: number }>(
    `SELECT count(*) AS n FROM key_states k WHERE k.pipeline = ? AND k.oro_id IS NOT NULL AND coalesce(k.digest, '') NOT LIKE ?
     AND NOT EXISTS (SELECT 1 FROM seen_keys s WHERE s.pipeline = ? AND s.run = ? AND s.key = k.key)`);
  const missing = db.prepare<[string, string, string, string, number, number], MissingRow>(
    `SELECT k.key, k.oro_id FROM key_states k WHERE k.pipeline = ? AND k.key > ? AND k.oro_id IS NOT NULL AND coalesce(k.digest, '') NOT LIKE ?
     AND NOT EXISTS (SELECT 1 FROM seen_keys s WHERE s.pipeline = ? AND s.run = ? AND s.key = k.key)
     ORDER BY k.key LIMIT ?`);
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
  return {
    async markSeen(pipeline, runId, keys) {
      if (keys.length > 0) markSeen(pipeline, runId, keys);
    },
    async clearSeen(pipeline, which) {
      if ('run' in which) clearRun.run(pipeline, which.run);
      else clearBelow.run(pipeline, which.below);
    },
    async countKnown(pipeline) {
      return known.get(pipeline)?.n ?? 0;
    },
    async countMissing(pipeline, runId, query = {}) {
      return missingCount.get(pipeline, digestPattern(query), pipeline, runId)?.n ?? 0;
    },
    async missingKeys(pipeline, runId, { afterKey = '', limit, ...query }) {
      return missing.all(pipeline, afterKey, digestPattern(query), pipeline, runId, Math.max(0, Math.floor(limit)))
        .map((row) => ({ key: row.key, oroId: row.oro_id }));
    },
  };
}

function mappingMethods(db: Db, now: Clock): MappingMethods {
  const mapping = db.prepare<[string], { fingerprint: string }>('SELECT fingerprint FROM mappings WHERE pipeline = ?');
  const saveMapping = db.prepare<[string, string, string]>(
    `INSERT INTO mappings (pipeline, fingerprint, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (pipeline) DO UPDATE SET fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`);
  const dropDigests = db.prepare<[string]>('UPDATE key_states SET digest = NULL WHERE pipeline = ? AND digest IS NOT NULL');
  const changeMapping = db.transaction((pipeline: string, fingerprint: string) => {
    dropDigests.run(pipeline);
    saveMapping.run(pipeline, fingerprint, now());
  });
  return {
    async mappingFingerprint(pipeline) {
      return mapping.get(pipeline)?.fingerprint;
    },
    async changeMapping(pipeline, fingerprint) {
      changeMapping(pipeline, fingerprint);
    },
  };
}

/** `path` names the store in `finishRun`'s errors. */
function runMethods(db: Db, now: Clock, path: string): RunMethods {
  const start = db.prepare<[string, string, string | null]>('INSERT INTO runs (pipeline, started_at, meta) VALUES (?, ?, ?)');
  const finish = db.prepare<[string, string, string, string | null, number]>(
    `UPDATE runs SET finished_at = ?, status = ?, counts = ?, error = ? WHERE id = ? AND status = 'running'`);
  const runExists = db.prepare<[number], { status: string }>('SELECT status FROM runs WHERE id = ?');
  const lastRuns = db.prepare<[string, number], RunRow>('SELECT * FROM runs WHERE pipeline = ? ORDER BY id DESC LIMIT ?');
  const lastOk = db.prepare<[string], RunRow>(
    `SELECT * FROM runs WHERE pipeline = ? AND status = 'ok' ORDER BY id DESC LIMIT 1`);
  return {
    async startRun(pipeline, meta) {
      const result = start.run(pipeline, now(), meta === undefined ? null : JSON.stringify(meta));
      return Number(result.lastInsertRowid);
    },
    async finishRun(runId, { counts, status, error }) {
      const result = finish.run(now(), status, JSON.stringify(counts), error === undefined ? null : scrubSecrets(error), runId);
      if (result.changes === 0) throw notRunning(path, runId, runExists.get(runId)?.status);
    },
    async lastRuns(pipeline, n) {
      return lastRuns.all(pipeline, Math.max(0, Math.floor(n))).map(toRun);
    },
    async lastSuccessfulRun(pipeline) {
      const row = lastOk.get(pipeline);
      return row === undefined ? undefined : (toRun(row) as FinishedRun);
    },
  };
}

/** Which Oro a pipeline's state came from; an Oro restored from a backup (see `StateStore`). */
function oroMethods(db: Db, now: Clock): OroMethods {
  const oroOf = db.prepare<[string], { base_url: string }>('SELECT base_url FROM pipeline_oros WHERE pipeline = ?');
  const record = db.prepare<[string, string, string]>(
    `INSERT INTO pipeline_oros (pipeline, base_url, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (pipeline) DO UPDATE SET base_url = excluded.base_url, updated_at = excluded.updated_at`);
  // An id of no Oro ('') that the claimed Oro already holds under its own name: that one wins.
  const adoptIds = db.prepare<[string]>(`UPDATE OR IGNORE ids SET oro = ? WHERE oro = ''`);
  const dropUnowned = db.prepare(`DELETE FROM ids WHERE oro = ''`);
  const forgetOf = ['key_states', 'checkpoints', 'mappings', 'seen_keys'].map((table) => db.prepare<[string]>(`DELETE FROM ${table} WHERE pipeline = ?`));
  const recent = db.prepare<[string, number], MissingRow>(
    'SELECT key, oro_id FROM key_states WHERE pipeline = ? AND oro_id IS NOT NULL ORDER BY at DESC LIMIT ?');
  // The first and last key in key order, each one seek of the primary key (min() and max() would scan the age index).
  const range = db.prepare<[string, string], { lo: string | null; hi: string | null }>(
    `SELECT (SELECT key FROM key_states WHERE pipeline = ? ORDER BY key LIMIT 1) AS lo,
            (SELECT key FROM key_states WHERE pipeline = ? ORDER BY key DESC LIMIT 1) AS hi`);
  // Written so (not with `oro_id IS NOT NULL` inside) that it stays one seek of the primary key.
  const atOrAfter = db.prepare<[string, string], { key: string; oro_id: string | null }>('SELECT key, oro_id FROM key_states WHERE pipeline = ? AND key >= ? ORDER BY key LIMIT 8');
  const distrustKeys = db.prepare<[string]>('UPDATE key_states SET oro_id = NULL, digest = NULL WHERE pipeline = ?');
  const dropSpace = db.prepare<[string, string, string]>('DELETE FROM ids WHERE oro = ? AND type = ? AND key_field = ?');
  const claim = db.transaction((pipeline: string, baseUrl: string) => {
    record.run(pipeline, baseUrl, now());
    adoptIds.run(baseUrl);
    dropUnowned.run();
  });
  const forgetState = db.transaction((pipeline: string, baseUrl: string) => {
    for (const statement of forgetOf) statement.run(pipeline);
    record.run(pipeline, baseUrl, now());
  });
  const distrust = db.transaction((pipeline: string, oro: string, spaces: readonly IdSpace[]) => {
    distrustKeys.run(pipeline);
    for (const { type, keyField } of spaces) dropSpace.run(oro, type, keyField);
  });
  return {
    async oroOf(pipeline) {
      return oroOf.get(pipeline)?.base_url;
    },
    async claimOro(pipeline, baseUrl) {
      claim(pipeline, baseUrl);
    },
    async forgetState(pipeline, baseUrl) {
      forgetState(pipeline, baseUrl);
    },
    async sampleKnownIds(pipeline, limit) {
      const n = Math.max(0, Math.floor(limit));
      const found = new Map<string, string>();
      for (const row of recent.all(pipeline, Math.ceil(n / 2))) found.set(row.key, row.oro_id);
      const { lo, hi } = range.get(pipeline, pipeline) ?? { lo: null, hi: null };
      if (lo === null || hi === null) return [];
      for (const probe of probeKeys(lo, hi, n - found.size)) {
        const row = atOrAfter.all(pipeline, probe).find((r) => r.oro_id !== null);
        if (row?.oro_id != null) found.set(row.key, row.oro_id);
      }
      return [...found].slice(0, n).map(([key, oroId]) => ({ key, oroId }));
    },
    async distrustIds(pipeline, oro, spaces) {
      distrust(pipeline, oro, spaces);
    },
  };
}
