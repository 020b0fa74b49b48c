import type Database from 'better-sqlite3';

/** Schema version this code writes; `PRAGMA user_version` holds the file's. */
export const STATE_SCHEMA_VERSION = 5;

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
  // 4 -> 5: the state belongs to one Oro. Each pipeline records the Oro (base URL) its ids and
  // digests came from, and the id map is kept per Oro: ids learnt from one Oro are never used
  // against another. Ids stored before this have no Oro ('') until a pipeline claims them. The
  // keys stored last are the ones a run start checks first (an Oro restored from a backup).
  `
  CREATE TABLE pipeline_oros (
    pipeline   TEXT PRIMARY KEY,
    base_url   TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE ids_per_oro (
    oro        TEXT NOT NULL,
    type       TEXT NOT NULL,
    key_field  TEXT NOT NULL,
    key        TEXT NOT NULL,
    id         TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (oro, type, key_field, key)
  ) WITHOUT ROWID;
  INSERT INTO ids_per_oro (oro, type, key_field, key, id, updated_at) SELECT '', type, key_field, key, id, updated_at FROM ids;
  DROP TABLE ids;
  ALTER TABLE ids_per_oro RENAME TO ids;
  CREATE INDEX key_states_by_age ON key_states (pipeline, at);
  `,
];

/**
 * Brings the file's schema to `STATE_SCHEMA_VERSION` in one immediate transaction.
 *
 * @throws Error when the file was written by a newer oro-sync (schema version above ours).
 */
export function migrateSqlite(db: Database.Database, path: string): void {
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

