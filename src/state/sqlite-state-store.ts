import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { scrubSecrets } from '../util/redact.js';
import {
  digestPattern, errorsColumn, notRunning, toCheckpoint, toKeyState, toRun, tupleToKeyState,
  type CheckpointRow, type FinishedRun, type IdRow, type KeyOutcome, type KeyState, type KeyStateInput, type KeyStateRow,
  type KeyStateTuple, type MissingRow, type RunRow, type StateStore, type StateStoreOptions, type WaitingKey,
} from './state-store.js';
import { migrateSqlite } from './sqlite-migrations.js';

/** IN-list size for `getIds`; well below SQLite's bound-parameter limit. */
const ID_CHUNK = 500;
/** Rows per INSERT of `putIds` (5 parameters each) and of `markSeen` (3 each). */
const PUT_CHUNK = 100;

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
    migrateSqlite(db, path);
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
        for (const row of keyStatesFor(chunk.length).all(pipeline, ...chunk)) found.set(row[0], tupleToKeyState(row));
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
        .map((row) => ({ key: row[0], ...tupleToKeyState(row) }) as WaitingKey);
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
