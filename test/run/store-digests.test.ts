import { expect } from 'chai';
import { openStateStore } from '../../src/state/sqlite-state-store.js';
import type { StateStore } from '../../src/state/state-store.js';
import { storeDigests } from '../../src/run/store-digests.js';

describe('run/storeDigests', () => {
  let store: StateStore;
  beforeEach(() => {
    store = openStateStore(':memory:');
  });
  afterEach(() => store.close());

  it('sees its own writes at once, and stores them in one transaction per turn of the event loop', async () => {
    const digests = storeDigests(store, 'customers');
    let transactions = 0;
    const put = store.putKeyStates.bind(store);
    store.putKeyStates = (pipeline, entries) => {
      transactions++;
      return put(pipeline, entries);
    };
    void digests.put([{ key: 'C1', digest: 'aa', lastOutcome: 'confirmed', oroId: '1' }]);
    const second = digests.put([{ key: 'C2', lastOutcome: 'rejected', digest: 'bb', errors: [{ title: 'not blank constraint' }] }]);
    expect(await digests.get(['C1', 'C2', 'C3'])).to.have.all.keys('C1', 'C2');
    expect(await store.keyState('customers', 'C1')).to.equal(undefined);
    await second;
    expect(transactions).to.equal(1);
    expect(await store.keyState('customers', 'C1')).to.deep.include({ digest: 'aa', oroId: '1', lastOutcome: 'confirmed' });
    expect((await digests.get(['C2'])).get('C2')).to.deep.include({ lastOutcome: 'rejected', digest: 'bb', errors: [{ title: 'not blank constraint' }] });
  });

  it('flush stores what is gathered now (the run calls it before the store closes)', async () => {
    const digests = storeDigests(store, 'customers');
    void digests.put([{ key: 'C1', digest: 'aa', lastOutcome: 'confirmed' }]);
    await digests.flush();
    expect((await store.keyState('customers', 'C1'))?.digest).to.equal('aa');
  });

  it('a digest another worker stored is seen here (no copy hides it)', async () => {
    const here = storeDigests(store, 'customers');
    const there = storeDigests(store, 'customers');
    expect((await here.get(['C1'])).size).to.equal(0);
    await there.put([{ key: 'C1', digest: 'aa', lastOutcome: 'confirmed' }]);
    expect((await here.get(['C1'])).get('C1')?.digest).to.equal('aa');
  });

  it('asks the store only for the keys it is given (never the whole pipeline)', async () => {
    await store.putKeyStates('customers', Array.from({ length: 1000 }, (_, i) => ({ key: `K${i}`, digest: `d${i}`, lastOutcome: 'confirmed' as const })));
    const asked: number[] = [];
    const get = store.getKeyStates.bind(store);
    store.putKeyStates = () => Promise.resolve();
    store.getKeyStates = (pipeline, keys) => {
      asked.push(keys.length);
      return get(pipeline, keys);
    };
    const found = await storeDigests(store, 'customers').get(['K1', 'K2', 'nope']);
    expect([...found.keys()]).to.deep.equal(['K1', 'K2']);
    expect(asked).to.deep.equal([3]);
  });
});
