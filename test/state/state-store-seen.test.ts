import { expect } from 'chai';
import { STORE_BACKENDS, type StoreUnderTest } from '../helpers/state-backends.js';

const confirmed = (...keys: string[]) => keys.map((key, i) => ({ key, digest: `d${key}`, oroId: String(100 + i), lastOutcome: 'confirmed' as const }));

// Seen marks against the embedded SQLite file and the shared PostgreSQL database alike.
for (const backend of STORE_BACKENDS) {
  describe(`state/state-store: seen keys (target.onMissing, ${backend.name})`, function () {
    this.timeout(30_000);
    let location: StoreUnderTest;
    beforeEach(async () => void (location = await backend.fresh()));
    afterEach(async () => location.dispose());

    it('the keys with an Oro id that a run did not mark seen are missing; a run\'s marks do not count for another run or pipeline', async () => {
      const store = await location.open();
      await store.putKeyStates('customers', [...confirmed('A', 'B', 'C', 'D'), { key: 'R', digest: 'dr', lastOutcome: 'rejected' }]);
      await store.putKeyStates('other', confirmed('A', 'B'));
      const run = await store.startRun('customers');
      await store.markSeen('customers', run, ['A', 'C', 'R', 'A', 'NEW']);
      await store.markSeen('other', run, ['B']);
      expect(await store.countKnown('customers')).to.equal(4);
      expect(await store.countMissing('customers', run)).to.equal(2);
      expect(await store.missingKeys('customers', run, { limit: 10 })).to.deep.equal([{ key: 'B', oroId: '101' }, { key: 'D', oroId: '103' }]);
      expect(await store.missingKeys('other', run, { limit: 10 })).to.deep.equal([{ key: 'A', oroId: '100' }]);
      // Another run has seen nothing yet.
      expect(await store.countMissing('customers', run + 1)).to.equal(4);
      await store.close();
    });

    it('pages through the missing keys in key order (afterKey, limit), leaving out a digest on request', async () => {
      const store = await location.open();
      const keys = Array.from({ length: 250 }, (_, i) => `K${String(i).padStart(3, '0')}`);
      await store.putKeyStates('p', confirmed(...keys));
      await store.putKeyStates('p', [{ key: 'K001', digest: 'onMissing:updated', oroId: '9', lastOutcome: 'confirmed' }]);
      await store.markSeen('p', 1, keys.filter((_, i) => i % 2 === 0));
      const pages: string[][] = [];
      let afterKey: string | undefined;
      for (;;) {
        const page = await store.missingKeys('p', 1, { limit: 50, exceptDigestPrefix: 'onMissing:', ...(afterKey !== undefined ? { afterKey } : {}) });
        if (page.length === 0) break;
        pages.push(page.map((m) => m.key));
        afterKey = page.at(-1)!.key;
      }
      expect(pages.map((p) => p.length)).to.deep.equal([50, 50, 24]);
      expect(pages.flat()).to.deep.equal(keys.filter((k, i) => i % 2 === 1 && k !== 'K001'));
      expect(await store.countMissing('p', 1, { exceptDigestPrefix: 'onMissing:' })).to.equal(124);
      expect(await store.countMissing('p', 1)).to.equal(125);
      await store.close();
    });

    it('marks thousands of keys in one call (multi-row inserts, chunked) and clears one run\'s marks, or those of earlier real runs', async () => {
      const store = await location.open();
      const keys = Array.from({ length: 2_345 }, (_, i) => `K${i}`);
      await store.putKeyStates('p', confirmed(...keys));
      await store.markSeen('p', 3, keys);
      await store.markSeen('p', 5, keys);
      await store.markSeen('p', -77, keys);
      expect(await store.countMissing('p', 3)).to.equal(0);
      await store.clearSeen('p', { below: 5 });
      expect(await store.countMissing('p', 3)).to.equal(2_345);
      // A dry run's token (negative) is not an earlier real run: its marks stay until it clears them.
      expect(await store.countMissing('p', -77)).to.equal(0);
      expect(await store.countMissing('p', 5)).to.equal(0);
      await store.clearSeen('p', { run: 5 });
      expect(await store.countMissing('p', 5)).to.equal(2_345);
      await store.close();
    });
  });
}
