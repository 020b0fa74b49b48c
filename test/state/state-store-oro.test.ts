/**
 * The state belongs to one Oro: each pipeline records the Oro its ids and digests came from, the
 * id map is kept per Oro, `--forget-state` drops one pipeline's state, and an Oro restored from a
 * backup makes a pipeline forget its stored ids.
 */
import { expect } from 'chai';
import { STORE_BACKENDS, withTestDatabase, type StoreUnderTest } from '../helpers/state-backends.js';
import type { StateStore } from '../../src/state/state-store.js';

const SHOP = 'https://shop.example.com/admin/api';
const STAGING = 'https://staging.example.com/admin/api';

for (const backend of STORE_BACKENDS) {
  describe(`state/state-store: the state of one Oro (${backend.name})`, function () {
    this.timeout(30_000);
    let location: StoreUnderTest;
    let store: StateStore;
    beforeEach(async () => {
      location = await backend.fresh();
      store = await location.open();
    });
    afterEach(async () => location.dispose());

    it('keeps the id map per Oro: ids learnt from one are never given for another', async () => {
      await store.putIds(SHOP, 'customergroups', 'externalId', [['G1', '4']]);
      await store.putIds(STAGING, 'customergroups', 'externalId', [['G1', '9']]);
      expect(await store.getIds(SHOP, 'customergroups', 'externalId', ['G1'])).to.deep.equal(new Map([['G1', '4']]));
      expect(await store.getIds(STAGING, 'customergroups', 'externalId', ['G1'])).to.deep.equal(new Map([['G1', '9']]));
      await store.forgetIds(STAGING, 'customergroups', 'externalId', ['G1']);
      expect((await store.getIds(STAGING, 'customergroups', 'externalId', ['G1'])).size).to.equal(0);
      expect((await store.getIds(SHOP, 'customergroups', 'externalId', ['G1'])).size).to.equal(1);
    });

    it('records the Oro of each pipeline when claimed, and keeps it across reopen', async () => {
      expect(await store.oroOf('customers')).to.equal(undefined);
      await store.claimOro('customers', SHOP);
      await store.claimOro('groups', STAGING);
      const again = await location.open();
      expect(await again.oroOf('customers')).to.equal(SHOP);
      expect(await again.oroOf('groups')).to.equal(STAGING);
    });

    it('forgetState drops one pipeline\'s key states, checkpoint, mapping and seen marks, keeps its runs, and records the new Oro', async () => {
      await store.claimOro('customers', SHOP);
      const run = await store.startRun('customers');
      await store.finishRun(run, { counts: { created: 1, updated: 0, sent: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0, deleted: 0 }, status: 'ok' });
      await store.putKeyStates('customers', [{ key: 'C1', digest: 'd1', oroId: '4', lastOutcome: 'confirmed' }]);
      await store.putKeyStates('groups', [{ key: 'G1', digest: 'g1', oroId: '2', lastOutcome: 'confirmed' }]);
      await store.saveCheckpoint('customers', { resume: { line: 3 }, watermark: null, seq: 2, complete: true });
      await store.changeMapping('customers', 'f1');
      await store.markSeen('customers', run, ['C1']);
      await store.putIds(SHOP, 'customers', 'externalId', [['C1', '4']]);

      await store.forgetState('customers', STAGING);
      expect(await store.oroOf('customers')).to.equal(STAGING);
      expect(await store.keyState('customers', 'C1')).to.equal(undefined);
      expect(await store.getCheckpoint('customers')).to.equal(undefined);
      expect(await store.mappingFingerprint('customers')).to.equal(undefined);
      expect(await store.countMissing('customers', run)).to.equal(0);
      expect((await store.lastRuns('customers', 5)).map((r) => r.id)).to.deep.equal([run]);
      // Another pipeline's state, and the first Oro's id map, are not this pipeline's to drop.
      expect(await store.keyState('groups', 'G1')).to.deep.include({ oroId: '2' });
      expect(await store.getIds(SHOP, 'customers', 'externalId', ['C1'])).to.deep.equal(new Map([['C1', '4']]));
      expect((await store.getIds(STAGING, 'customers', 'externalId', ['C1'])).size).to.equal(0);
    });

    it('samples stored ids: at most the limit, the most recently stored among them, only keys with an id', async () => {
      let t = Date.UTC(2026, 0, 1);
      const dated = await location.open({ now: () => new Date((t += 1000)) });
      for (let i = 0; i < 300; i += 1) await dated.putKeyStates('customers', [{ key: `C${i}`, digest: 'd', oroId: String(i), lastOutcome: 'confirmed' }]);
      await dated.putKeyStates('customers', [{ key: 'F1', lastOutcome: 'failed' }]);
      const sample = await dated.sampleKnownIds('customers', 100);
      expect(sample.length).to.be.within(51, 100);
      expect(new Set(sample.map((s) => s.key)).size).to.equal(sample.length);
      // The 50 written last are all in it: a backup restored would have lost those first.
      const keys = new Set(sample.map((s) => s.key));
      for (let i = 250; i < 300; i += 1) expect(keys.has(`C${i}`), `C${i}`).to.equal(true);
      for (const { key, oroId } of sample) expect(key).to.equal(`C${oroId}`);
      expect(await dated.sampleKnownIds('groups', 100)).to.deep.equal([]);
      expect(await dated.sampleKnownIds('customers', 0)).to.deep.equal([]);
    });

    it('distrustIds forgets the pipeline\'s Oro ids and digests (its outcomes stay) and the given id maps of that Oro only', async () => {
      await store.putKeyStates('customers', [
        { key: 'C1', digest: 'd1', oroId: '4', lastOutcome: 'confirmed' },
        { key: 'C2', digest: 'd2', lastOutcome: 'rejected', errors: [{ title: 'not blank constraint' }] },
      ]);
      await store.putKeyStates('groups', [{ key: 'G1', digest: 'g1', oroId: '2', lastOutcome: 'confirmed' }]);
      await store.putIds(SHOP, 'customers', 'externalId', [['C1', '4']]);
      await store.putIds(SHOP, 'customergroups', 'externalId', [['G1', '2']]);
      await store.putIds(SHOP, 'customers', 'email', [['c1@example.com', '4']]);
      await store.putIds(STAGING, 'customers', 'externalId', [['C1', '8']]);

      await store.distrustIds('customers', SHOP, [{ type: 'customers', keyField: 'externalId' }, { type: 'customergroups', keyField: 'externalId' }]);
      const c1 = await store.keyState('customers', 'C1');
      expect(c1).to.deep.include({ lastOutcome: 'confirmed' });
      expect(c1).to.not.have.property('oroId');
      expect(c1).to.not.have.property('digest');
      expect(await store.keyState('customers', 'C2')).to.deep.include({ lastOutcome: 'rejected' }).and.not.have.property('digest');
      expect(await store.countKnown('customers')).to.equal(0);
      expect(await store.keyState('groups', 'G1')).to.deep.include({ oroId: '2', digest: 'g1' });
      expect((await store.getIds(SHOP, 'customers', 'externalId', ['C1'])).size).to.equal(0);
      expect((await store.getIds(SHOP, 'customergroups', 'externalId', ['G1'])).size).to.equal(0);
      expect((await store.getIds(SHOP, 'customers', 'email', ['c1@example.com'])).size).to.equal(1);
      expect((await store.getIds(STAGING, 'customers', 'externalId', ['C1'])).size).to.equal(1);
    });

    if (backend.name === 'postgres') {
      it('claiming an Oro takes the ids stored before any Oro was recorded (a schema-2 database)', async () => {
        const info = await store.info();
        const schema = info.kind === 'postgres' ? info.schema : '';
        await withTestDatabase((client) => client.query(
          `INSERT INTO "${schema}".oro_sync_ids (oro, type, key_field, key, id, updated_at) VALUES ('', 'customers', 'externalId', 'C1', '17', 'x'), ('', 'customers', 'externalId', 'C2', '18', 'x')`));
        await store.putIds(SHOP, 'customers', 'externalId', [['C2', '20']]);
        await store.claimOro('customers', SHOP);
        expect(await store.getIds(SHOP, 'customers', 'externalId', ['C1', 'C2'])).to.deep.equal(new Map([['C1', '17'], ['C2', '20']]));
        expect((await store.getIds('', 'customers', 'externalId', ['C1', 'C2'])).size).to.equal(0);
      });
    }
  });
}
