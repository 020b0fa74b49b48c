import { StateStoreError } from '../errors/state-store-error.js';
import type { Transaction } from './pg-connection.js';

/** Version of the PostgreSQL schema this code writes; `oro_sync_schema_version` holds the database's. */
export const PG_SCHEMA_VERSION = 3;

/** Each entry upgrades from version `index` to `index + 1`; `{s}` is the quoted schema. */
const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE {s}.oro_sync_checkpoints (
    pipeline    text PRIMARY KEY,
    resume      text,
    watermark   text,
    seq         bigint NOT NULL,
    updated_at  text NOT NULL,
    complete    boolean,
    source_mark text
  );
  CREATE TABLE {s}.oro_sync_ids (
    type       text NOT NULL,
    key_field  text NOT NULL,
    key        text NOT NULL,
    id         text NOT NULL,
    updated_at text NOT NULL,
    PRIMARY KEY (type, key_field, key)
  );
  CREATE TABLE {s}.oro_sync_runs (
    id          bigserial PRIMARY KEY,
    pipeline    text NOT NULL,
    started_at  text NOT NULL,
    finished_at text,
    status      text NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'ok', 'partial', 'failed', 'stopped')),
    counts      text,
    error       text,
    meta        text
  );
  CREATE INDEX oro_sync_runs_by_pipeline ON {s}.oro_sync_runs (pipeline, id);
  CREATE TABLE {s}.oro_sync_key_states (
    pipeline text NOT NULL,
    key      text NOT NULL,
    digest   text,
    oro_id   text,
    outcome  text NOT NULL CHECK (outcome IN ('confirmed', 'rejected', 'failed')),
    errors   text,
    at       text NOT NULL,
    PRIMARY KEY (pipeline, key)
  );
  CREATE TABLE {s}.oro_sync_mappings (
    pipeline    text PRIMARY KEY,
    fingerprint text NOT NULL,
    updated_at  text NOT NULL
  );
  `,
  // 2: the keys each run read (target.onMissing), as SQLite's schema 4.
  `
  CREATE TABLE {s}.oro_sync_seen_keys (
    pipeline text NOT NULL,
    run      bigint NOT NULL,
    key      text NOT NULL,
    PRIMARY KEY (pipeline, run, key)
  );
  `,
  // 3: the state belongs to one Oro, as SQLite's schema 5: the Oro of each pipeline, and the
  // id map per Oro ('' for ids stored before, until a pipeline claims them).
  `
  CREATE TABLE {s}.oro_sync_pipeline_oros (
    pipeline   text PRIMARY KEY,
    base_url   text NOT NULL,
    updated_at text NOT NULL
  );
  ALTER TABLE {s}.oro_sync_ids ADD COLUMN oro text NOT NULL DEFAULT '';
  ALTER TABLE {s}.oro_sync_ids DROP CONSTRAINT oro_sync_ids_pkey;
  ALTER TABLE {s}.oro_sync_ids ADD PRIMARY KEY (oro, type, key_field, key);
  CREATE INDEX oro_sync_key_states_by_age ON {s}.oro_sync_key_states (pipeline, at);
  `,
];

/**
 * Creates or upgrades the tables in one transaction, under an advisory lock on the schema, so
 * workers starting at once neither race nor see half a schema; returns the version. `s` is the
 * quoted schema, `where` how errors name the store.
 *
 * @throws StateStoreError when the database holds a schema newer than this oro-sync's.
 */
export async function migratePg(transaction: Transaction, s: string, schemaName: string, where: string): Promise<number> {
  let version = 0;
  await transaction('cannot connect or open the store', async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`oro-sync schema ${schemaName}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.oro_sync_schema_version (version integer NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.oro_sync_schema_version`);
    version = rows[0]?.version ?? 0;
    if (version > PG_SCHEMA_VERSION) {
      throw new StateStoreError(`${where}: schema version ${version} is newer than this oro-sync supports (${PG_SCHEMA_VERSION}); upgrade oro-sync or use another state.url`);
    }
    for (let v = version; v < PG_SCHEMA_VERSION; v += 1) await client.query((PG_MIGRATIONS[v] as string).replaceAll('{s}', s));
    if (rows.length === 0) await client.query(`INSERT INTO ${s}.oro_sync_schema_version (version) VALUES ($1)`, [PG_SCHEMA_VERSION]);
    else if (version !== PG_SCHEMA_VERSION) await client.query(`UPDATE ${s}.oro_sync_schema_version SET version = $1`, [PG_SCHEMA_VERSION]);
    version = PG_SCHEMA_VERSION;
  });
  return version;
}
