import { expect } from 'chai';
import { rejectionOf } from '../helpers/rejection.js';
import { STORE_BACKENDS, type StoreUnderTest } from '../helpers/state-backends.js';
import type { StateStore, StateStoreOptions } from '../../src/state/state-store.js';

/** The Oro the ids in these tests belong to. */
const ORO = 'https://shop.example.com/admin/api';

const counts = { created: 3, updated: 2, sent: 0, unchanged: 0, skipped: 1, rejected: 0, failed: 0, deleted: 0 };

// The same suite against the embedded SQLite file and the shared PostgreSQL database.
for (const backend of STORE_BACKENDS) {
  describe(`state/state-store (${backend.name})`, function () {
    this.timeout(30_000);
    let location: StoreUnderTest;
    const openStore = (options?: StateStoreOptions): Promise<StateStore> => location.open(options);
    beforeEach(async () => {
      location = await backend.fresh();
    });
    afterEach(async () => location.dispose());

    it('saves, overwrites and clears checkpoints per pipeline, and keeps them across reopen', async () => {
      let t = Date.UTC(2024, 0, 1);
      const now = (): Date => new Date((t += 1000));
      let store = await openStore({ now });
      expect(await store.getCheckpoint('customers')).to.equal(undefined);
      await store.saveCheckpoint('customers', { resume: { page: 3, skip: 8 }, watermark: '2024-01-01T00:00:00Z', seq: 41 });
      await store.saveCheckpoint('customers', { resume: { page: 4, skip: 0 }, watermark: '2024-01-02T00:00:00Z', seq: 99 });
      await store.saveCheckpoint('groups', { resume: null, watermark: null, seq: 0 });
      await store.close();
      store = await openStore({ now });
      expect(await store.getCheckpoint('customers')).to.deep.equal({
        resume: { page: 4, skip: 0 }, watermark: '2024-01-02T00:00:00Z', seq: 99, updatedAt: '2024-01-01T00:00:02.000Z', complete: false, sourceMark: null,
      });
      expect(await store.getCheckpoint('groups')).to.deep.equal({ resume: null, watermark: null, seq: 0, updatedAt: '2024-01-01T00:00:03.000Z', complete: false, sourceMark: null });
      await store.clearCheckpoint('customers');
      expect(await store.getCheckpoint('customers')).to.equal(undefined);
      expect((await store.getCheckpoint('groups'))?.seq).to.equal(0);
    });

    it('maps source keys to Oro ids per type and key field, and keeps them across reopen', async () => {
      let store = await openStore();
      await store.putIds(ORO, 'customers', 'externalId', [['C-1', '11'], ['C-2', '12']]);
      await store.putIds(ORO, 'customers', 'email', [['C-1', '99']]);
      await store.putIds(ORO, 'customers', 'externalId', [['C-2', '22']]);
      await store.close();
      store = await openStore();
      expect([...await store.getIds(ORO, 'customers', 'externalId', ['C-1', 'C-2', 'C-3', 'C-1'])].sort()).to.deep.equal([['C-1', '11'], ['C-2', '22']]);
      expect([...await store.getIds(ORO, 'customers', 'email', ['C-1', 'C-2'])]).to.deep.equal([['C-1', '99']]);
      expect((await store.getIds(ORO, 'customergroups', 'externalId', ['C-1'])).size).to.equal(0);
      expect((await store.getIds(ORO, 'customers', 'externalId', [])).size).to.equal(0);
      await store.forgetIds(ORO, 'customers', 'externalId', ['C-1']);
      expect([...await store.getIds(ORO, 'customers', 'externalId', ['C-1', 'C-2'])]).to.deep.equal([['C-2', '22']]);
      await store.forgetIds(ORO, 'customers', 'externalId', []);
      expect((await store.getIds(ORO, 'customers', 'email', ['C-1'])).size, 'another key field keeps its ids').to.equal(1);
    });

    it('forgetIds forgets every key it is given in one call (a page of deleted keys), and no other', async () => {
      const store = await openStore();
      const entries = Array.from({ length: 250 }, (_, i) => [`K${i}`, String(i)] as const);
      await store.putIds(ORO, 'customers', 'externalId', entries);
      await store.putIds(ORO, 'customergroups', 'externalId', [['K1', 'g1']]);
      await store.forgetIds(ORO, 'customers', 'externalId', entries.filter((_, i) => i % 2 === 0).map(([k]) => k));
      const left = await store.getIds(ORO, 'customers', 'externalId', entries.map(([k]) => k));
      expect(left.size).to.equal(125);
      expect([...left.keys()].every((k) => Number(k.slice(1)) % 2 === 1)).to.equal(true);
      expect(await store.getIds(ORO, 'customergroups', 'externalId', ['K1'])).to.deep.equal(new Map([['K1', 'g1']]));
    });

    it('looks up more keys than SQLite can bind in one statement (chunked IN lists)', async () => {
      const store = await openStore();
      // 40,000 is above SQLite's default limit of 32,766 bound parameters.
      const entries = Array.from({ length: 40_000 }, (_, i) => [`K${i}`, String(i * 7)] as const);
      await store.putIds(ORO, 'products', 'sku', entries);
      const keys = [...entries.map(([k]) => k), 'missing-1', 'missing-2'];
      const ids = await store.getIds(ORO, 'products', 'sku', keys);
      expect(ids.size).to.equal(40_000);
      expect(ids.get('K0')).to.equal('0');
      expect(ids.get('K39999')).to.equal(String(39_999 * 7));
      expect(ids.has('missing-1')).to.equal(false);
      // A chunk that is not full (1,001 keys = 500 + 500 + 1) still finds its keys.
      expect((await store.getIds(ORO, 'products', 'sku', keys.slice(0, 1_001))).size).to.equal(1_001);
    });

    it('stores the last id when one putIds names a key twice, in one chunk or across chunks', async () => {
      const store = await openStore();
      await store.putIds(ORO, 'customers', 'externalId', [['C-1', '1'], ['C-2', '2'], ['C-1', '3']]);
      const many = Array.from({ length: 250 }, (_, i) => [`K${i % 120}`, String(i)] as const);
      await store.putIds(ORO, 'customers', 'externalId', many);
      expect(await store.getIds(ORO, 'customers', 'externalId', ['C-1', 'C-2'])).to.deep.equal(new Map([['C-1', '3'], ['C-2', '2']]));
      expect((await store.getIds(ORO, 'customers', 'externalId', ['K0', 'K119', 'K10'])).get('K0')).to.equal('240');
      expect((await store.getIds(ORO, 'customers', 'externalId', ['K119'])).get('K119')).to.equal('239');
      expect((await store.getIds(ORO, 'customers', 'externalId', ['K10'])).get('K10')).to.equal('130');
    });

    it('puts 10,000 ids in one transaction, quickly', async () => {
      const store = await openStore();
      const entries = Array.from({ length: 10_000 }, (_, i) => [`K${i}`, String(i)] as const);
      const started = process.hrtime.bigint();
      await store.putIds(ORO, 'customers', 'externalId', entries);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      expect(ms).to.be.below(1_000);
      expect((await store.getIds(ORO, 'customers', 'externalId', ['K9999'])).get('K9999')).to.equal('9999');
    });

    it('writes putIds all or nothing', async () => {
      const store = await openStore();
      function* entries(): Generator<[string, string]> {
        yield ['A', '1'];
        throw new Error('source broke');
      }
      expect((await rejectionOf(store.putIds(ORO, 'customers', 'externalId', entries()))).message).to.equal('source broke');
      expect((await store.getIds(ORO, 'customers', 'externalId', ['A'])).size).to.equal(0);
    });

    it('records run history, newest first, across reopen', async () => {
      let t = Date.UTC(2024, 0, 1);
      const now = (): Date => new Date((t += 1000));
      let store = await openStore({ now });
      const first = await store.startRun('customers', { config: 'a.json' });
      await store.finishRun(first, { counts, status: 'ok' });
      const second = await store.startRun('customers');
      await store.finishRun(second, { counts: { ...counts, rejected: 2 }, status: 'partial', error: '2 records rejected' });
      const other = await store.startRun('groups');
      const third = await store.startRun('customers');
      await store.close();
      store = await openStore({ now });
      const runs = await store.lastRuns('customers', 10);
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
      expect((await store.lastRuns('customers', 2)).map((r) => r.id)).to.deep.equal([third, second]);
      expect((await store.lastRuns('groups', 5)).map((r) => r.id)).to.deep.equal([other]);
      expect((await store.lastSuccessfulRun('customers'))?.id).to.equal(first);
      expect(await store.lastSuccessfulRun('groups')).to.equal(undefined);
    });

    it('refuses to finish an unknown or finished run', async () => {
      const store = await openStore();
      const id = await store.startRun('customers');
      await store.finishRun(id, { counts, status: 'stopped' });
      expect((await rejectionOf(store.finishRun(id, { counts, status: 'ok' }))).message).to.match(/run \d+ already finished \(stopped\)/);
      expect((await rejectionOf(store.finishRun(12345, { counts, status: 'ok' }))).message).to.contain(`${location.where}: no run with id 12345`);
    });

    it('scrubs tokens out of a stored run error', async () => {
      const store = await openStore();
      const id = await store.startRun('customers');
      await store.finishRun(id, { counts, status: 'failed', error: 'GET http://x: 401 with Authorization: Bearer abc.def' });
      const [run] = await store.lastRuns('customers', 1);
      expect(run?.error).to.not.contain('abc.def');
    });

    it('keeps per pipeline and key the digest, Oro id and last outcome (and when), across reopen', async () => {
      let clock = Date.parse('2026-03-01T10:00:00Z');
      const now = () => new Date(clock);
      const store = await openStore({ now });
      await store.putKeyStates('customers', [
        { key: 'C1', digest: 'aa', oroId: '1', lastOutcome: 'confirmed' },
        { key: 'C2', digest: 'bb', lastOutcome: 'rejected', errors: [{ status: '400', title: 'not blank constraint', pointer: '/data/attributes/name' }] },
      ]);
      await store.putKeyStates('other', [{ key: 'C1', digest: 'zz', lastOutcome: 'confirmed' }]);
      clock += 60_000;
      // A failed write: no digest any more, the Oro id stays known.
      await store.putKeyStates('customers', [{ key: 'C1', lastOutcome: 'failed' }]);
      await store.close();
      const again = await openStore({ now });
      expect(await again.keyState('customers', 'C1')).to.deep.equal({ oroId: '1', lastOutcome: 'failed', at: '2026-03-01T10:01:00.000Z' });
      expect(await again.keyState('customers', 'C2')).to.deep.equal({
        digest: 'bb', lastOutcome: 'rejected', at: '2026-03-01T10:00:00.000Z',
        errors: [{ status: '400', title: 'not blank constraint', pointer: '/data/attributes/name' }],
      });
      expect(await again.keyState('customers', 'C3')).to.equal(undefined);
      expect(await again.getKeyStates('other', ['C1', 'C2'])).to.have.all.keys('C1');
      expect(await again.keyStateCounts('customers')).to.deep.equal({ confirmed: 0, rejected: 1, failed: 1 });
      await again.forgetKeyStates('customers', ['C2']);
      expect(await again.keyState('customers', 'C2')).to.equal(undefined);
    });

    it('looks up digests of many keys at once', async () => {
      const store = await openStore();
      const keys = Array.from({ length: 1_234 }, (_, i) => `K${i}`);
      await store.putKeyStates('p', keys.map((key, i) => ({ key, digest: `d${i}`, lastOutcome: 'confirmed' as const })));
      const found = await store.getKeyStates('p', [...keys, 'missing', 'K0']);
      expect(found.size).to.equal(1_234);
      expect(found.get('K1233')?.digest).to.equal('d1233');
      expect((await store.getKeyStates('p', [])).size).to.equal(0);
    });

    it('stores the last state when one putKeyStates names a key twice, keeping an Oro id given before', async () => {
      const store = await openStore();
      await store.putKeyStates('p', [
        { key: 'K', digest: 'd1', oroId: '7', lastOutcome: 'confirmed' },
        { key: 'K', lastOutcome: 'failed' },
      ]);
      expect(await store.keyState('p', 'K')).to.deep.include({ oroId: '7', lastOutcome: 'failed' }).and.not.to.have.property('digest');
    });

    it('keeps keys and values with quotes and SQL in them as they are (parameters, not text)', async () => {
      const store = await openStore();
      const key = `O'Brien"); DROP TABLE ids; --`;
      await store.putIds(ORO, 'customers', 'externalId', [[key, `'1'`]]);
      await store.putKeyStates('customers', [{ key, digest: `'; --`, lastOutcome: 'confirmed' }]);
      expect(await store.getIds(ORO, 'customers', 'externalId', [key])).to.deep.equal(new Map([[key, `'1'`]]));
      expect((await store.keyState('customers', key))?.digest).to.equal(`'; --`);
      await store.forgetKeyStates('customers', [key]);
      expect(await store.keyState('customers', key)).to.equal(undefined);
    });

    it('a second store on the same location (another worker) reads what the first one wrote', async () => {
      const one = await openStore();
      const two = await openStore();
      await one.putIds(ORO, 'customers', 'externalId', [['C1', '11']]);
      await one.putKeyStates('customers', [{ key: 'C1', digest: 'aa', oroId: '11', lastOutcome: 'confirmed' }]);
      expect(await two.getIds(ORO, 'customers', 'externalId', ['C1'])).to.deep.equal(new Map([['C1', '11']]));
      expect((await two.getKeyStates('customers', ['C1'])).get('C1')?.digest).to.equal('aa');
      await two.forgetIds(ORO, 'customers', 'externalId', ['C1']);
      expect((await one.getIds(ORO, 'customers', 'externalId', ['C1'])).size).to.equal(0);
    });

    it('a complete checkpoint keeps its source mark; a mid-run one is complete false', async () => {
      const store = await openStore();
      await store.saveCheckpoint('p', { seq: 3, resume: { line: 4 }, watermark: null });
      expect(await store.getCheckpoint('p')).to.include({ complete: false, sourceMark: null });
      await store.saveCheckpoint('p', { seq: 3, resume: { line: 4 }, watermark: null, complete: true, sourceMark: { ino: '7' } });
      expect(await store.getCheckpoint('p')).to.deep.include({ complete: true, sourceMark: { ino: '7' } });
    });

    it('close can be called twice', async () => {
      const store = await openStore();
      await store.close();
      await store.close();
    });

    it('lists the keys waiting as rejected or failed, in key order, at most as many as asked, of one pipeline only', async () => {
      const store = await openStore({ now: () => new Date('2026-03-01T10:00:00Z') });
      const errors = [{ status: '422', title: 'not blank constraint', detail: 'This value should not be blank.', pointer: '/data/attributes/name' }];
      await store.putKeyStates('customers', [
        { key: 'C3', digest: 'c', lastOutcome: 'rejected', errors },
        { key: 'C1', digest: 'a', oroId: '1', lastOutcome: 'confirmed' },
        { key: 'C2', oroId: '2', lastOutcome: 'failed' },
        { key: 'C4', digest: 'd', lastOutcome: 'rejected', errors },
      ]);
      await store.putKeyStates('other', [{ key: 'C0', lastOutcome: 'failed' }]);
      expect(await store.waitingKeys('customers', 20)).to.deep.equal([
        { key: 'C2', oroId: '2', lastOutcome: 'failed', at: '2026-03-01T10:00:00.000Z' },
        { key: 'C3', digest: 'c', lastOutcome: 'rejected', at: '2026-03-01T10:00:00.000Z', errors },
        { key: 'C4', digest: 'd', lastOutcome: 'rejected', at: '2026-03-01T10:00:00.000Z', errors },
      ]);
      expect((await store.waitingKeys('customers', 2)).map((k) => k.key)).to.deep.equal(['C2', 'C3']);
      expect(await store.waitingKeys('customers', 0)).to.deep.equal([]);
      expect(await store.waitingKeys('nobody', 20)).to.deep.equal([]);
    });

    it('a new mapping fingerprint drops the pipeline\'s digests (not its ids, not other pipelines\')', async () => {
      const store = await openStore();
      expect(await store.mappingFingerprint('customers')).to.equal(undefined);
      await store.changeMapping('customers', 'm1');
      await store.putKeyStates('customers', [{ key: 'C1', digest: 'aa', oroId: '1', lastOutcome: 'confirmed' }]);
      await store.putKeyStates('other', [{ key: 'C1', digest: 'zz', lastOutcome: 'confirmed' }]);
      await store.changeMapping('customers', 'm2');
      expect(await store.mappingFingerprint('customers')).to.equal('m2');
      expect(await store.keyState('customers', 'C1')).to.deep.include({ oroId: '1', lastOutcome: 'confirmed' }).and.not.to.have.property('digest');
      expect((await store.keyState('other', 'C1'))?.digest).to.equal('zz');
    });
  });
}
