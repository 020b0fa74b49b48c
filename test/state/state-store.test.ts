import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStateStore, STATE_SCHEMA_VERSION, type StateStore } from '../../src/state/state-store.js';

const counts = { created: 3, updated: 2, unchanged: 0, skipped: 1, rejected: 0, failed: 0, deleted: 0 };

describe('state/state-store', () => {
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
  afterEach(() => {
    for (const store of open.splice(0)) store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates its directory, runs in WAL with synchronous=NORMAL and versions its schema', () => {
    const store = openStore();
    expect(existsSync(file)).to.equal(true);
    expect(store.info()).to.deep.equal({ path: file, schemaVersion: STATE_SCHEMA_VERSION, journalMode: 'wal', synchronous: 1 });
    store.close();
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).to.equal('wal');
      expect(raw.pragma('user_version', { simple: true })).to.equal(STATE_SCHEMA_VERSION);
    } finally {
      raw.close();
    }
  });

  it('refuses a file from a newer schema, naming the file', () => {
    openStore().close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${STATE_SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openStore()).to.throw(new RegExp(`state.db: schema version ${STATE_SCHEMA_VERSION + 1} is newer`));
  });

  it('saves, overwrites and clears checkpoints per pipeline, and keeps them across reopen', () => {
    let t = Date.UTC(2024, 0, 1);
    const now = (): Date => new Date((t += 1000));
    let store = openStore({ now });
    expect(store.getCheckpoint('customers')).to.equal(undefined);
    store.saveCheckpoint('customers', { resume: { page: 3, skip: 8 }, watermark: '2024-01-01T00:00:00Z', seq: 41 });
    store.saveCheckpoint('customers', { resume: { page: 4, skip: 0 }, watermark: '2024-01-02T00:00:00Z', seq: 99 });
    store.saveCheckpoint('groups', { resume: null, watermark: null, seq: 0 });
    store.close();
    store = openStore({ now });
    expect(store.getCheckpoint('customers')).to.deep.equal({
      resume: { page: 4, skip: 0 }, watermark: '2024-01-02T00:00:00Z', seq: 99, updatedAt: '2024-01-01T00:00:02.000Z', complete: false, sourceMark: null,
    });
    expect(store.getCheckpoint('groups')).to.deep.equal({ resume: null, watermark: null, seq: 0, updatedAt: '2024-01-01T00:00:03.000Z', complete: false, sourceMark: null });
    store.clearCheckpoint('customers');
    expect(store.getCheckpoint('customers')).to.equal(undefined);
    expect(store.getCheckpoint('groups')?.seq).to.equal(0);
  });

  it('maps source keys to Oro ids per type and key field, and keeps them across reopen', () => {
    let store = openStore();
    store.putIds('customers', 'externalId', [['C-1', '11'], ['C-2', '12']]);
    store.putIds('customers', 'email', [['C-1', '99']]);
    store.putIds('customers', 'externalId', [['C-2', '22']]);
    store.close();
    store = openStore();
    expect([...store.getIds('customers', 'externalId', ['C-1', 'C-2', 'C-3', 'C-1'])].sort()).to.deep.equal([['C-1', '11'], ['C-2', '22']]);
    expect([...store.getIds('customers', 'email', ['C-1', 'C-2'])]).to.deep.equal([['C-1', '99']]);
    expect(store.getIds('customergroups', 'externalId', ['C-1']).size).to.equal(0);
    expect(store.getIds('customers', 'externalId', []).size).to.equal(0);
    store.forgetId('customers', 'externalId', 'C-1');
    expect([...store.getIds('customers', 'externalId', ['C-1', 'C-2'])]).to.deep.equal([['C-2', '22']]);
  });

  it('looks up more keys than SQLite can bind in one statement (chunked IN lists)', () => {
    const store = openStore();
    // 40,000 is above SQLite's default limit of 32,766 bound parameters.
    const entries = Array.from({ length: 40_000 }, (_, i) => [`K${i}`, String(i * 7)] as const);
    store.putIds('products', 'sku', entries);
    const keys = [...entries.map(([k]) => k), 'missing-1', 'missing-2'];
    const ids = store.getIds('products', 'sku', keys);
    expect(ids.size).to.equal(40_000);
    expect(ids.get('K0')).to.equal('0');
    expect(ids.get('K39999')).to.equal(String(39_999 * 7));
    expect(ids.has('missing-1')).to.equal(false);
    // A chunk that is not full (1,001 keys = 500 + 500 + 1) still finds its keys.
    expect(store.getIds('products', 'sku', keys.slice(0, 1_001)).size).to.equal(1_001);
  });

  it('stores the last id when one putIds names a key twice, in one chunk or across chunks', () => {
    const store = openStore();
    store.putIds('customers', 'externalId', [['C-1', '1'], ['C-2', '2'], ['C-1', '3']]);
    const many = Array.from({ length: 250 }, (_, i) => [`K${i % 120}`, String(i)] as const);
    store.putIds('customers', 'externalId', many);
    expect(store.getIds('customers', 'externalId', ['C-1', 'C-2'])).to.deep.equal(new Map([['C-1', '3'], ['C-2', '2']]));
    expect(store.getIds('customers', 'externalId', ['K0', 'K119', 'K10']).get('K0')).to.equal('240');
    expect(store.getIds('customers', 'externalId', ['K119']).get('K119')).to.equal('239');
    expect(store.getIds('customers', 'externalId', ['K10']).get('K10')).to.equal('130');
  });

  it('gives the id lookup an index (no table scan)', () => {
    openStore().close();
    const raw = new Database(file, { readonly: true });
    try {
      const plan = raw.prepare('EXPLAIN QUERY PLAN SELECT key, id FROM ids WHERE type = ? AND key_field = ? AND key IN (?, ?, ?)')
        .all('t', 'k', 'a', 'b', 'c') as Array<{ detail: string }>;
      const details = plan.map((row) => row.detail).join('\n');
      expect(details).to.match(/SEARCH ids USING PRIMARY KEY \(type=\? AND key_field=\? AND key=\?\)/);
      expect(details).to.not.match(/SCAN ids/);
    } finally {
      raw.close();
    }
  });

  it('puts 10,000 ids in one transaction, quickly', () => {
    const store = openStore();
    const entries = Array.from({ length: 10_000 }, (_, i) => [`K${i}`, String(i)] as const);
    const started = process.hrtime.bigint();
    store.putIds('customers', 'externalId', entries);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(ms).to.be.below(1_000);
    expect(store.getIds('customers', 'externalId', ['K9999']).get('K9999')).to.equal('9999');
  });

  it('writes putIds all or nothing', () => {
    const store = openStore();
    function* entries(): Generator<[string, string]> {
      yield ['A', '1'];
      throw new Error('source broke');
    }
    expect(() => store.putIds('customers', 'externalId', entries())).to.throw('source broke');
    expect(store.getIds('customers', 'externalId', ['A']).size).to.equal(0);
  });

  it('records run history, newest first, across reopen', () => {
    let t = Date.UTC(2024, 0, 1);
    const now = (): Date => new Date((t += 1000));
    let store = openStore({ now });
    const first = store.startRun('customers', { config: 'a.json' });
    store.finishRun(first, { counts, status: 'ok' });
    const second = store.startRun('customers');
    store.finishRun(second, { counts: { ...counts, rejected: 2 }, status: 'partial', error: '2 records rejected' });
    const other = store.startRun('groups');
    const third = store.startRun('customers');
    store.close();
    store = openStore({ now });
    const runs = store.lastRuns('customers', 10);
    expect(runs.map((r) => r.id)).to.deep.equal([third, second, first]);
    expect(runs[0]).to.deep.equal({
      id: third, pipeline: 'customers', startedAt: '2024-01-01T00:00:06.000Z', meta: null,
      status: 'running', finishedAt: null, counts: null, error: null,
    });
    expect(runs[1]).to.deep.include({ status: 'partial', error: '2 records rejected' });
    expect(runs[2]).to.deep.equal({
      id: first, pipeline: 'customers', startedAt: '2024-01-01T00:00:01.000Z', meta: { config: 'a.json' },
      status: 'ok', finishedAt: '2024-01-01T00:00:02.000Z', counts, error: null,
    });
    expect(store.lastRuns('customers', 2).map((r) => r.id)).to.deep.equal([third, second]);
    expect(store.lastRuns('groups', 5).map((r) => r.id)).to.deep.equal([other]);
    expect(store.lastSuccessfulRun('customers')?.id).to.equal(first);
    expect(store.lastSuccessfulRun('groups')).to.equal(undefined);
  });

  it('refuses to finish an unknown or finished run', () => {
    const store = openStore();
    const id = store.startRun('customers');
    store.finishRun(id, { counts, status: 'stopped' });
    expect(() => store.finishRun(id, { counts, status: 'ok' })).to.throw(/run \d+ already finished \(stopped\)/);
    expect(() => store.finishRun(12345, { counts, status: 'ok' })).to.throw(/state\.db: no run with id 12345/);
  });

  it('scrubs tokens out of a stored run error', () => {
    const store = openStore();
    const id = store.startRun('customers');
    store.finishRun(id, { counts, status: 'failed', error: 'GET http://x: 401 with Authorization: Bearer abc.def' });
    const [run] = store.lastRuns('customers', 1);
    expect(run?.error).to.not.contain('abc.def');
  });

  it('migrates a version-1 file to keep per-key digests, leaving its checkpoints and ids in place', () => {
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
    expect(store.info().schemaVersion).to.equal(STATE_SCHEMA_VERSION);
    expect(store.getIds('customers', 'externalId', ['C1'])).to.deep.equal(new Map([['C1', '17']]));
    store.putKeyStates('customers', [{ key: 'C1', digest: 'd1', oroId: '17', lastOutcome: 'confirmed' }]);
    expect(store.keyState('customers', 'C1')).to.deep.include({ digest: 'd1', oroId: '17', lastOutcome: 'confirmed' });
  });

  it('keeps per pipeline and key the digest, Oro id and last outcome (and when), across reopen', () => {
    let clock = Date.parse('2026-03-01T10:00:00Z');
    const now = () => new Date(clock);
    const store = openStore({ now });
    store.putKeyStates('customers', [
      { key: 'C1', digest: 'aa', oroId: '1', lastOutcome: 'confirmed' },
      { key: 'C2', digest: 'bb', lastOutcome: 'rejected', errors: [{ status: '400', title: 'not blank constraint', pointer: '/data/attributes/name' }] },
    ]);
    store.putKeyStates('other', [{ key: 'C1', digest: 'zz', lastOutcome: 'confirmed' }]);
    clock += 60_000;
    // A failed write: no digest any more, the Oro id stays known.
    store.putKeyStates('customers', [{ key: 'C1', lastOutcome: 'failed' }]);
    store.close();
    const again = openStore({ now });
    expect(again.keyState('customers', 'C1')).to.deep.equal({ oroId: '1', lastOutcome: 'failed', at: '2026-03-01T10:01:00.000Z' });
    expect(again.keyState('customers', 'C2')).to.deep.equal({
      digest: 'bb', lastOutcome: 'rejected', at: '2026-03-01T10:00:00.000Z',
      errors: [{ status: '400', title: 'not blank constraint', pointer: '/data/attributes/name' }],
    });
    expect(again.keyState('customers', 'C3')).to.equal(undefined);
    expect(again.getKeyStates('other', ['C1', 'C2'])).to.have.all.keys('C1');
    expect(again.keyStateCounts('customers')).to.deep.equal({ confirmed: 0, rejected: 1, failed: 1 });
    again.forgetKeyStates('customers', ['C2']);
    expect(again.keyState('customers', 'C2')).to.equal(undefined);
  });

  it('lists the keys waiting as rejected or failed, in key order, at most as many as asked, of one pipeline only', () => {
    const store = openStore({ now: () => new Date('2026-03-01T10:00:00Z') });
    const errors = [{ status: '422', title: 'not blank constraint', detail: 'This value should not be blank.', pointer: '/data/attributes/name' }];
    store.putKeyStates('customers', [
      { key: 'C3', digest: 'c', lastOutcome: 'rejected', errors },
      { key: 'C1', digest: 'a', oroId: '1', lastOutcome: 'confirmed' },
      { key: 'C2', oroId: '2', lastOutcome: 'failed' },
      { key: 'C4', digest: 'd', lastOutcome: 'rejected', errors },
    ]);
    store.putKeyStates('other', [{ key: 'C0', lastOutcome: 'failed' }]);
    expect(store.waitingKeys('customers', 20)).to.deep.equal([
      { key: 'C2', oroId: '2', lastOutcome: 'failed', at: '2026-03-01T10:00:00.000Z' },
      { key: 'C3', digest: 'c', lastOutcome: 'rejected', at: '2026-03-01T10:00:00.000Z', errors },
      { key: 'C4', digest: 'd', lastOutcome: 'rejected', at: '2026-03-01T10:00:00.000Z', errors },
    ]);
    expect(store.waitingKeys('customers', 2).map((k) => k.key)).to.deep.equal(['C2', 'C3']);
    expect(store.waitingKeys('customers', 0)).to.deep.equal([]);
    expect(store.waitingKeys('nobody', 20)).to.deep.equal([]);
  });

  it('looks up digests in chunks, with the index (no table scan)', () => {
    const store = openStore();
    const keys = Array.from({ length: 1_234 }, (_, i) => `K${i}`);
    store.putKeyStates('p', keys.map((key, i) => ({ key, digest: `d${i}`, lastOutcome: 'confirmed' as const })));
    const found = store.getKeyStates('p', [...keys, 'missing', 'K0']);
    expect(found.size).to.equal(1_234);
    expect(found.get('K1233')?.digest).to.equal('d1233');
    store.close();
    const raw = new Database(file, { readonly: true });
    try {
      const plan = raw.prepare(`EXPLAIN QUERY PLAN SELECT key FROM key_states WHERE pipeline = ? AND key IN (?, ?)`).all('p', 'a', 'b') as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).to.match(/USING PRIMARY KEY/);
    } finally {
      raw.close();
    }
  });

  it('a new mapping fingerprint drops the pipeline\'s digests (not its ids, not other pipelines\')', () => {
    const store = openStore();
    expect(store.mappingFingerprint('customers')).to.equal(undefined);
    store.changeMapping('customers', 'm1');
    store.putKeyStates('customers', [{ key: 'C1', digest: 'aa', oroId: '1', lastOutcome: 'confirmed' }]);
    store.putKeyStates('other', [{ key: 'C1', digest: 'zz', lastOutcome: 'confirmed' }]);
    store.changeMapping('customers', 'm2');
    expect(store.mappingFingerprint('customers')).to.equal('m2');
    expect(store.keyState('customers', 'C1')).to.deep.include({ oroId: '1', lastOutcome: 'confirmed' }).and.not.to.have.property('digest');
    expect(store.keyState('other', 'C1')?.digest).to.equal('zz');
  });

  it('works in memory', () => {
    const store = openStateStore(':memory:');
    try {
      store.saveCheckpoint('p', { resume: 1, watermark: null, seq: 1 });
      expect(store.getCheckpoint('p')?.resume).to.equal(1);
    } finally {
      store.close();
    }
  });
});
