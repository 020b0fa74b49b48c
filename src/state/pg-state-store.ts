import { StateStoreError } from '../errors/state-store-error.js';
import { redactUrl, scrubSecrets } from '../util/redact.js';
import {
  digestPattern, errorsColumn, isoClock, notRunning, probeKeys, toCheckpoint, toKeyState, toRun,
  type CheckpointMethods, type CheckpointRow, type FinishedRun, type IdMethods, type IdRow, type KeyOutcome,
  type IdSpace, type KeyState, type KeyStateInput, type KeyStateMethods, type KeyStateRow, type MappingMethods, type OroMethods,
  type RunMethods, type RunRow, type SeenKeyMethods, type StateStore, type StateStoreOptions, type WaitingKey,
} from './state-store.js';
import { connectPg, type PgConnection, type PgPoolOptions } from './pg-connection.js';
import { migratePg } from './pg-migrations.js';

export interface PgStateStoreOptions extends StateStoreOptions, PgPoolOptions {
  /**
   * The PostgreSQL schema that holds oro-sync's tables, created when missing. Default: the URL's
   * `schema` parameter (`postgres://host/db?schema=oro_sync`), else `public`.
   */
  readonly schema?: string;
}

/**
 * Opens the state store in the PostgreSQL database at `url` (`postgres://user:pass@host:5432/db`),
 * shared by every worker given the same URL: an id or digest one stores, the others read. The
 * tables are created, or migrated, on start, in one transaction under an advisory lock, so that
 * workers starting together do not race; `oro_sync_schema_version` holds the version. Every
 * statement is parameterised; ids and key states are written with one `unnest` statement per
 * call, and read with one `= ANY($n)` query.
 *
 * Every error names the store by its URL with the password replaced (`state.url
 * postgres://sync:***@db/oro_sync: ...`), never the password.
 *
 * @throws StateStoreError when the database cannot be reached or logged into, or holds a schema
 *   newer than this oro-sync's.
 * @example
 * ```ts
 * const store = await openPgStateStore(process.env.STATE_URL!);
 * const ids = await store.getIds('https://shop.example.com/admin/api', 'customers', 'externalId', ['C-1']);
 * await store.close();
 * ```
 */
export async function openPgStateStore(url: string, options: PgStateStoreOptions = {}): Promise<StateStore> {
  const now = isoClock(options);
  const schemaName = options.schema ?? schemaOf(url) ?? 'public';
  const s = quoteIdent(schemaName);
  const db = connectPg(url, options);
  let version: number;
  try {
    version = await migratePg(db.transaction, s, schemaName, db.where);
  } catch (error) {
    await db.end().catch(() => undefined);
    throw error instanceof StateStoreError ? error : db.fail('cannot connect or open the store', error);
  }

  const t = tablesIn(s);
  let closed = false;
  return {
    ...checkpointMethods(db, t, now),
    ...idMethods(db, t, now),
    ...keyStateMethods(db, t, now),
    ...seenKeyMethods(db, t),
    ...mappingMethods(db, t, now),
    ...runMethods(db, t, now),
    ...oroMethods(db, t, now),
    async info() {
      return { kind: 'postgres', url: redactUrl(url), schema: schemaName, schemaVersion: version };
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.end();
    },
  };
}

/** The store's tables, each qualified by the quoted schema. */
interface Tables {
  readonly checkpoints: string;
  readonly ids: string;
  readonly runs: string;
  readonly keyStates: string;
  readonly mappings: string;
  readonly seenKeys: string;
  readonly pipelineOros: string;
}

/** The tables in the quoted schema `s`. */
function tablesIn(s: string): Tables {
  return {
    checkpoints: `${s}.oro_sync_checkpoints`,
    ids: `${s}.oro_sync_ids`,
    runs: `${s}.oro_sync_runs`,
    keyStates: `${s}.oro_sync_key_states`,
    mappings: `${s}.oro_sync_mappings`,
    seenKeys: `${s}.oro_sync_seen_keys`,
    pipelineOros: `${s}.oro_sync_pipeline_oros`,
  };
}

/** The time written into rows, ISO 8601. */
type Clock = () => string;

const keyStateColumns = 'key, digest, oro_id, outcome, errors, at';

function checkpointMethods({ query }: PgConnection, t: Tables, now: Clock): CheckpointMethods {
  return {
    async getCheckpoint(pipeline) {
      const { rows } = await query<CheckpointRow>('reading the checkpoint',
        `SELECT resume, watermark, seq, updated_at, complete::int AS complete, source_mark FROM ${t.checkpoints} WHERE pipeline = $1`, [pipeline]);
      return rows[0] === undefined ? undefined : toCheckpoint(rows[0]);
    },
    async saveCheckpoint(pipeline, { resume, watermark, seq, complete = false, sourceMark = null }) {
      await query('saving the checkpoint',
        `INSERT INTO ${t.checkpoints} (pipeline, resume, watermark, seq, updated_at, complete, source_mark) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (pipeline) DO UPDATE SET resume = excluded.resume, watermark = excluded.watermark, seq = excluded.seq,
           updated_at = excluded.updated_at, complete = excluded.complete, source_mark = excluded.source_mark`,
        [pipeline, resume === null ? null : JSON.stringify(resume), watermark, seq, now(), complete, sourceMark === null ? null : JSON.stringify(sourceMark)]);
    },
    async clearCheckpoint(pipeline) {
      await query('clearing the checkpoint', `DELETE FROM ${t.checkpoints} WHERE pipeline = $1`, [pipeline]);
    },
  };
}

function idMethods({ query }: PgConnection, t: Tables, now: Clock): IdMethods {
  return {
    async getIds(oro, type, keyField, keys) {
      const found = new Map<string, string>();
      if (keys.length === 0) return found;
      const { rows } = await query<IdRow>('reading ids',
        `SELECT key, id FROM ${t.ids} WHERE oro = $1 AND type = $2 AND key_field = $3 AND key = ANY($4::text[])`, [oro, type, keyField, [...new Set(keys)]]);
      for (const row of rows) found.set(row.key, row.id);
      return found;
    },
    async putIds(oro, type, keyField, entries) {
      // One row per key (the last id given wins): ON CONFLICT may not touch a row twice.
      const last = new Map<string, string>();
      for (const [key, id] of entries) last.set(key, id);
      if (last.size === 0) return;
      await query('storing ids',
        `INSERT INTO ${t.ids} (oro, type, key_field, key, id, updated_at)
         SELECT $1, $2, $3, k, i, $4 FROM unnest($5::text[], $6::text[]) AS u(k, i)
         ON CONFLICT (oro, type, key_field, key) DO UPDATE SET id = excluded.id, updated_at = excluded.updated_at`,
        [oro, type, keyField, now(), [...last.keys()], [...last.values()]]);
    },
    async forgetIds(oro, type, keyField, keys) {
      if (keys.length === 0) return;
      await query('forgetting ids', `DELETE FROM ${t.ids} WHERE oro = $1 AND type = $2 AND key_field = $3 AND key = ANY($4::text[])`, [oro, type, keyField, [...keys]]);
    },
  };
}

function keyStateMethods({ query }: PgConnection, t: Tables, now: Clock): KeyStateMethods {
  return {
    async getKeyStates(pipeline, keys) {
      const found = new Map<string, KeyState>();
      if (keys.length === 0) return found;
      const { rows } = await query<KeyStateRow>('reading key states',
        `SELECT ${keyStateColumns} FROM ${t.keyStates} WHERE pipeline = $1 AND key = ANY($2::text[])`, [pipeline, [...new Set(keys)]]);
      for (const row of rows) found.set(row.key, toKeyState(row));
      return found;
    },
    async putKeyStates(pipeline, entries) {
      const last = lastStatePerKey(entries);
      if (last.size === 0) return;
      const columns: (string | null)[][] = [[], [], [], [], []];
      for (const { key, digest, oroId, lastOutcome, errors } of last.values()) {
        columns[0]?.push(key);
        columns[1]?.push(digest ?? null);
        columns[2]?.push(oroId ?? null);
        columns[3]?.push(lastOutcome);
        columns[4]?.push(errorsColumn(errors));
      }
      await query('storing key states',
        `INSERT INTO ${t.keyStates} AS ks (pipeline, key, digest, oro_id, outcome, errors, at)
         SELECT $1, k, d, o, c, e, $2 FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(k, d, o, c, e)
         ON CONFLICT (pipeline, key) DO UPDATE SET digest = excluded.digest, oro_id = coalesce(excluded.oro_id, ks.oro_id),
           outcome = excluded.outcome, errors = excluded.errors, at = excluded.at`,
        [pipeline, now(), ...columns]);
    },
    async keyState(pipeline, key) {
      const { rows } = await query<KeyStateRow>('reading a key state',
        `SELECT ${keyStateColumns} FROM ${t.keyStates} WHERE pipeline = $1 AND key = $2`, [pipeline, key]);
      return rows[0] === undefined ? undefined : toKeyState(rows[0]);
    },
    async keyStateCounts(pipeline) {
      const counts: Record<KeyOutcome, number> = { confirmed: 0, rejected: 0, failed: 0 };
      const { rows } = await query<{ outcome: KeyOutcome; n: string }>('counting key states',
        `SELECT outcome, count(*) AS n FROM ${t.keyStates} WHERE pipeline = $1 GROUP BY outcome`, [pipeline]);
      for (const row of rows) counts[row.outcome] = Number(row.n);
      return counts;
    },
    async waitingKeys(pipeline, limit) {
      const { rows } = await query<KeyStateRow>('reading waiting keys',
        `SELECT ${keyStateColumns} FROM ${t.keyStates} WHERE pipeline = $1 AND outcome IN ('rejected', 'failed') ORDER BY key COLLATE "C" LIMIT $2`,
        [pipeline, Math.max(0, Math.floor(limit))]);
      return rows.map((row) => ({ key: row.key, ...toKeyState(row) }) as WaitingKey);
    },
    async forgetKeyStates(pipeline, keys) {
      if (keys.length === 0) return;
      await query('forgetting key states', `DELETE FROM ${t.keyStates} WHERE pipeline = $1 AND key = ANY($2::text[])`, [pipeline, [...keys]]);
    },
  };
}

function seenKeyMethods({ query }: PgConnection, t: Tables): SeenKeyMethods {
  return {
    async markSeen(pipeline, runId, keys) {
      if (keys.length === 0) return;
      await query('marking keys seen',
        `INSERT INTO ${t.seenKeys} (pipeline, run, key) SELECT $1, $2, k FROM unnest($3::text[]) AS u(k) ON CONFLICT DO NOTHING`,
        [pipeline, runId, [...new Set(keys)]]);
    },
    async clearSeen(pipeline, which) {
      if ('run' in which) await query('clearing seen marks', `DELETE FROM ${t.seenKeys} WHERE pipeline = $1 AND run = $2`, [pipeline, which.run]);
      else await query('clearing seen marks', `DELETE FROM ${t.seenKeys} WHERE pipeline = $1 AND run > 0 AND run < $2`, [pipeline, which.below]);
    },
    async countKnown(pipeline) {
      const { rows } = await query<{ n: string }>('counting known keys', `SELECT count(*) AS n FROM ${t.keyStates} WHERE pipeline = $1 AND oro_id IS NOT NULL`, [pipeline]);
      return Number(rows[0]?.n ?? 0);
    },
    async countMissing(pipeline, runId, missing = {}) {
      const { rows } = await query<{ n: string }>('counting missing keys',
        `SELECT count(*) AS n FROM ${t.keyStates} k WHERE k.pipeline = $1 AND k.oro_id IS NOT NULL AND coalesce(k.digest, '') NOT LIKE $2
         AND NOT EXISTS (SELECT 1 FROM ${t.seenKeys} s WHERE s.pipeline = $1 AND s.run = $3 AND s.key = k.key)`,
        [pipeline, digestPattern(missing), runId]);
      return Number(rows[0]?.n ?? 0);
    },
    async missingKeys(pipeline, runId, page) {
      const { rows } = await query<{ key: string; oro_id: string }>('reading missing keys',
        `SELECT k.key, k.oro_id FROM ${t.keyStates} k WHERE k.pipeline = $1 AND k.key COLLATE "C" > $2 AND k.oro_id IS NOT NULL AND coalesce(k.digest, '') NOT LIKE $3
         AND NOT EXISTS (SELECT 1 FROM ${t.seenKeys} s WHERE s.pipeline = $1 AND s.run = $4 AND s.key = k.key)
         ORDER BY k.key COLLATE "C" LIMIT $5`,
        [pipeline, page.afterKey ?? '', digestPattern(page), runId, Math.max(0, Math.floor(page.limit))]);
      return rows.map((row) => ({ key: row.key, oroId: row.oro_id }));
    },
  };
}

function mappingMethods({ query, transaction }: PgConnection, t: Tables, now: Clock): MappingMethods {
  return {
    async mappingFingerprint(pipeline) {
      const { rows } = await query<{ fingerprint: string }>('reading the mapping fingerprint',
        `SELECT fingerprint FROM ${t.mappings} WHERE pipeline = $1`, [pipeline]);
      return rows[0]?.fingerprint;
    },
    async changeMapping(pipeline, fingerprint) {
      await transaction('changing the mapping', async (client) => {
        await client.query(`UPDATE ${t.keyStates} SET digest = NULL WHERE pipeline = $1 AND digest IS NOT NULL`, [pipeline]);
        await client.query(
          `INSERT INTO ${t.mappings} (pipeline, fingerprint, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (pipeline) DO UPDATE SET fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`,
          [pipeline, fingerprint, now()]);
      });
    },
  };
}

/** `where` names the store in `finishRun`'s errors. */
function runMethods({ query, where }: PgConnection, t: Tables, now: Clock): RunMethods {
  return {
    async startRun(pipeline, meta) {
      const { rows } = await query<{ id: string }>('recording the run',
        `INSERT INTO ${t.runs} (pipeline, started_at, meta) VALUES ($1, $2, $3) RETURNING id`,
        [pipeline, now(), meta === undefined ? null : JSON.stringify(meta)]);
      return Number(rows[0]?.id);
    },
    async finishRun(runId, { counts, status, error }) {
      const result = await query('recording the end of the run',
        `UPDATE ${t.runs} SET finished_at = $1, status = $2, counts = $3, error = $4 WHERE id = $5 AND status = 'running'`,
        [now(), status, JSON.stringify(counts), error === undefined ? null : scrubSecrets(error), runId]);
      if (result.rowCount === 0) {
        const { rows } = await query<{ status: string }>('reading a run', `SELECT status FROM ${t.runs} WHERE id = $1`, [runId]);
        throw notRunning(where, runId, rows[0]?.status);
      }
    },
    async lastRuns(pipeline, n) {
      const { rows } = await query<RunRow>('reading runs',
        `SELECT * FROM ${t.runs} WHERE pipeline = $1 ORDER BY id DESC LIMIT $2`, [pipeline, Math.max(0, Math.floor(n))]);
      return rows.map(toRun);
    },
    async lastSuccessfulRun(pipeline) {
      const { rows } = await query<RunRow>('reading runs',
        `SELECT * FROM ${t.runs} WHERE pipeline = $1 AND status = 'ok' ORDER BY id DESC LIMIT 1`, [pipeline]);
      return rows[0] === undefined ? undefined : (toRun(rows[0]) as FinishedRun);
    },
  };
}

/** Which Oro a pipeline's state came from; an Oro restored from a backup (see `StateStore`). */
function oroMethods({ query, transaction }: PgConnection, t: Tables, now: Clock): OroMethods {
  const record = `INSERT INTO ${t.pipelineOros} (pipeline, base_url, updated_at) VALUES ($1, $2, $3)
    ON CONFLICT (pipeline) DO UPDATE SET base_url = excluded.base_url, updated_at = excluded.updated_at`;
  return {
    async oroOf(pipeline) {
      const { rows } = await query<{ base_url: string }>('reading the pipeline\'s Oro', `SELECT base_url FROM ${t.pipelineOros} WHERE pipeline = $1`, [pipeline]);
      return rows[0]?.base_url;
    },
    async claimOro(pipeline, baseUrl) {
      await transaction('recording the pipeline\'s Oro', async (client) => {
        await client.query(record, [pipeline, baseUrl, now()]);
        // An id of no Oro ('') that the claimed Oro already holds under its own name: that one wins.
        await client.query(
          `UPDATE ${t.ids} i SET oro = $1 WHERE i.oro = '' AND NOT EXISTS (
             SELECT 1 FROM ${t.ids} j WHERE j.oro = $1 AND j.type = i.type AND j.key_field = i.key_field AND j.key = i.key)`, [baseUrl]);
        await client.query(`DELETE FROM ${t.ids} WHERE oro = ''`);
      });
    },
    async forgetState(pipeline, baseUrl) {
      await transaction('forgetting the pipeline\'s state', async (client) => {
        for (const table of [t.keyStates, t.checkpoints, t.mappings, t.seenKeys]) await client.query(`DELETE FROM ${table} WHERE pipeline = $1`, [pipeline]);
        await client.query(record, [pipeline, baseUrl, now()]);
      });
    },
    async sampleKnownIds(pipeline, limit) {
      const n = Math.max(0, Math.floor(limit));
      const found = new Map<string, string>();
      const recent = await query<{ key: string; oro_id: string }>('sampling stored ids',
        `SELECT key, oro_id FROM ${t.keyStates} WHERE pipeline = $1 AND oro_id IS NOT NULL ORDER BY at DESC LIMIT $2`, [pipeline, Math.ceil(n / 2)]);
      for (const row of recent.rows) found.set(row.key, row.oro_id);
      const range = await query<{ lo: string | null; hi: string | null }>('sampling stored ids',
        `SELECT (SELECT key FROM ${t.keyStates} WHERE pipeline = $1 ORDER BY key LIMIT 1) AS lo,
                (SELECT key FROM ${t.keyStates} WHERE pipeline = $1 ORDER BY key DESC LIMIT 1) AS hi`, [pipeline]);
      const { lo, hi } = range.rows[0] ?? { lo: null, hi: null };
      if (lo === null || hi === null) return [];
      // One seek of the primary key per probe, all in one round trip (the database's own key order).
      const spread = await query<{ key: string; oro_id: string }>('sampling stored ids',
        `SELECT k.key, k.oro_id FROM unnest($2::text[]) AS p(probe) CROSS JOIN LATERAL (
           SELECT key, oro_id FROM ${t.keyStates} WHERE pipeline = $1 AND key >= p.probe AND oro_id IS NOT NULL ORDER BY key LIMIT 1) k`,
        [pipeline, probeKeys(lo, hi, n - found.size)]);
      for (const row of spread.rows) found.set(row.key, row.oro_id);
      return [...found].slice(0, n).map(([key, oroId]) => ({ key, oroId }));
    },
    async distrustIds(pipeline, oro, spaces: readonly IdSpace[]) {
      await transaction('forgetting the pipeline\'s ids', async (client) => {
        await client.query(`UPDATE ${t.keyStates} SET oro_id = NULL, digest = NULL WHERE pipeline = $1`, [pipeline]);
        for (const { type, keyField } of spaces) await client.query(`DELETE FROM ${t.ids} WHERE oro = $1 AND type = $2 AND key_field = $3`, [oro, type, keyField]);
      });
    },
  };
}

/** One state per key, the last given; an Oro id given earlier in the same call is kept, as SQLite's row-by-row upsert does. */
function lastStatePerKey(entries: Iterable<KeyStateInput>): Map<string, KeyStateInput> {
  const last = new Map<string, KeyStateInput>();
  for (const entry of entries) {
    const before = last.get(entry.key);
    last.set(entry.key, entry.oroId === undefined && before?.oroId !== undefined ? { ...entry, oroId: before.oroId } : entry);
  }
  return last;
}

/** The `schema` parameter of the URL, if any. */
function schemaOf(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('schema') || undefined;
  } catch {
    return undefined;
  }
}

/** A PostgreSQL identifier, quoted (`"a""b"`): schema names cannot be statement parameters. */
function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
