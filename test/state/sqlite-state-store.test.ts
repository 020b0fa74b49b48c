import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStateStore } from '../../src/state/sqlite-state-store.js';
import { STATE_SCHEMA_VERSION } from '../../src/state/sqlite-migrations.js';
import type { StateStore } from '../../src/state/state-store.js';

/** The Oro the ids in these tests belong to. */
const ORO = 'https://shop.example.com/admin/api';

// What only the SQLite file has: its directory, pragmas, indexes, migrations and the in-memory store.
describe('state/sqlite-state-store', () => {
  let dir: string;
  let file: string;
  const open: StateStore[] = [];
  const openStore = (options?: Parameters<typeof openStateStore>[1]): StateStore => {
    const store = openStateStore(file, options);
    open.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oro-sync-state-'));
    file = join(dir, 'nested', 'deeper', 'state.db');
  });
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates its directory, runs in WAL with synchronous=NORMAL and versions its schema', async () => {
    const store = openStore();
    expect(existsSync(file)).to.equal(true);
    expect(await store.info()).to.deep.equal({ kind: 'sqlite', path: file, schemaVersion: STATE_SCHEMA_VERSION, journalMode: 'wal', synchronous: 1 });
    await store.close();
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).to.equal('wal');
      expect(raw.pragma('user_version', { simple: true })).to.equal(STATE_SCHEMA_VERSION);
    } finally {
      raw.close();
    }
  });

  it('refuses a file from a newer schema, naming the file', async () => {
    await openStore().close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${STATE_SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openStore()).to.throw(new RegExp(`state.db: schema version ${STATE_SCHEMA_VERSION + 1} is newer`));
  });

  it('gives the id lookup an index (no table scan)', async () => {
    await openStore().close();
    const raw = new Database(file, { readonly: true });
    try {
      const plan = raw.prepare('EXPLAIN QUERY PLAN SELECT key, id FROM ids WHERE oro = ? AND type = ? AND key_field = ? AND key IN (?, ?, ?)')
        .all('o', 't', 'k', 'a', 'b', 'c') as Array<{ detail: string }>;
      const details = plan.map((row) => row.detail).join('\n');
      expect(details).to.match(/SEARCH ids USING PRIMARY KEY \(oro=\? AND type=\? AND key_field=\? AND key=\?\)/);
      expect(details).to.not.match(/SCAN ids/);
    } finally {
      raw.close();
    }
  });

  it('gives the digest lookup an index (no table scan)', async () => {
    await openStore().close();
    const raw = new Database(file, { readonly: true });
    try {
      const plan = raw.prepare(`EXPLAIN QUERY PLAN SELECT key FROM key_states WHERE pipeline = ? AND key IN (?, ?)`).all('p', 'a', 'b') as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).to.match(/USING PRIMARY KEY/);
    } finally {
      raw.close();
    }
  });

  it('migrates a version-1 file to keep per-key digests, leaving its checkpoints and ids in place', async () => {
    mkdirSync(join(dir, 'nested', 'deeper'), { recursive: true });
    const raw = new Database(file);
    raw.exec(`CREATE TABLE checkpoints (pipeline TEXT PRIMARY KEY, resume TEXT, watermark TEXT, seq INTEGER NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE ids (type TEXT NOT NULL, key_field TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (type, key_field, key)) WITHOUT ROWID;
      CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, pipeline TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'partial', 'failed', 'stopped')), counts TEXT, error TEXT, meta TEXT);
      INSERT INTO ids VALUES ('customers', 'externalId', 'C1', '17', '2026-01-01T00:00:00.000Z');`);
    raw.pragma('user_version = 1');
    raw.close();
    const store = openStore();
    expect((await store.info()).schemaVersion).to.equal(STATE_SCHEMA_VERSION);
    // Ids stored before oro-sync recorded their Oro belong to none ('') until a pipeline claims them.
    expect(await store.getIds('', 'customers', 'externalId', ['C1'])).to.deep.equal(new Map([['C1', '17']]));
    await store.claimOro('customers', ORO);
    expect(await store.getIds(ORO, 'customers', 'externalId', ['C1'])).to.deep.equal(new Map([['C1', '17']]));
    await store.putKeyStates('customers', [{ key: 'C1', digest: 'd1', oroId: '17', lastOutcome: 'confirmed' }]);
    expect(await store.keyState('customers', 'C1')).to.deep.include({ digest: 'd1', oroId: '17', lastOutcome: 'confirmed' });
  });

  it('works in memory', async () => {
    const store = openStateStore(':memory:');
    try {
      await store.saveCheckpoint('p', { resume: 1, watermark: null, seq: 1 });
      expect((await store.getCheckpoint('p'))?.resume).to.equal(1);
    } finally {
      await store.close();
    }
  });
});

/** Turns a current file's tables back into schema 4's: no pipeline Oros, one id map for every Oro. */
const SCHEMA_4_TABLES = `DROP TABLE pipeline_oros; DROP TABLE ids; DROP INDEX key_states_by_age;
  CREATE TABLE ids (type TEXT NOT NULL, key_field TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (type, key_field, key)) WITHOUT ROWID;`;

describe('state/sqlite-state-store: seen keys (schema 4)', () => {
  let dir: string;
  beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'oro-sync-seen-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates a schema-3 file: its key states stay, and seen keys can be marked', async () => {
    const file = join(dir, 'state.db');
    // A schema-3 store, as the oro-sync before this one left it.
    const v3 = openStateStore(file);
    await v3.close();
    const raw = new Database(file);
    raw.exec('DROP TABLE seen_keys');
    raw.exec(SCHEMA_4_TABLES);
    raw.pragma('user_version = 3');
    raw.prepare(`INSERT INTO key_states (pipeline, key, digest, oro_id, outcome, errors, at) VALUES ('p', 'K1', 'd1', '7', 'confirmed', NULL, '2026-01-01T00:00:00.000Z')`).run();
    raw.close();
    const store = openStateStore(file);
    expect((await store.info()).schemaVersion).to.equal(STATE_SCHEMA_VERSION);
    expect(await store.keyState('p', 'K1')).to.deep.include({ digest: 'd1', oroId: '7' });
    expect(await store.countMissing('p', 1)).to.equal(1);
    await store.markSeen('p', 1, ['K1']);
    expect(await store.countMissing('p', 1)).to.equal(0);
    await store.close();
  });
});

describe('state/sqlite-state-store: the state of one Oro (schema 5)', () => {
  let dir: string;
  beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'oro-sync-oro-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates a schema-4 file: its ids belong to no Oro until a pipeline claims them, then to that Oro only', async () => {
    const file = join(dir, 'state.db');
    await openStateStore(file).close();
    const raw = new Database(file);
    raw.exec(SCHEMA_4_TABLES);
    raw.prepare(`INSERT INTO ids (type, key_field, key, id, updated_at) VALUES ('customers', 'externalId', 'C1', '17', '2026-01-01T00:00:00.000Z')`).run();
    raw.prepare(`INSERT INTO key_states (pipeline, key, digest, oro_id, outcome, errors, at) VALUES ('customers', 'C1', 'd1', '17', 'confirmed', NULL, '2026-01-01T00:00:00.000Z')`).run();
    raw.pragma('user_version = 4');
    raw.close();
    const store = openStateStore(file);
    try {
      expect((await store.info()).schemaVersion).to.equal(STATE_SCHEMA_VERSION);
      expect(await store.oroOf('customers')).to.equal(undefined);
      await store.claimOro('customers', ORO);
      expect(await store.oroOf('customers')).to.equal(ORO);
      expect(await store.getIds(ORO, 'customers', 'externalId', ['C1'])).to.deep.equal(new Map([['C1', '17']]));
      expect((await store.getIds('', 'customers', 'externalId', ['C1'])).size).to.equal(0);
      expect((await store.getIds('https://other.example.com/admin/api', 'customers', 'externalId', ['C1'])).size).to.equal(0);
      expect(await store.keyState('customers', 'C1')).to.deep.include({ digest: 'd1', oroId: '17' });
    } finally {
      await store.close();
    }
  });
});
