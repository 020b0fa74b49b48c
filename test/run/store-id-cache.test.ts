import { expect } from 'chai';
import { openStateStore } from '../../src/state/state-store.js';
import { storeIdCache } from '../../src/run/store-id-cache.js';

describe('run/storeIdCache', () => {
  it('answers from what it was given at once, and stores it in one transaction per turn of the event loop', async () => {
    const store = openStateStore(':memory:');
    const calls: number[] = [];
    const putIds = store.putIds.bind(store);
    store.putIds = (type, field, entries) => {
      const list = [...entries];
      calls.push(list.length);
      putIds(type, field, list);
    };
    const cache = storeIdCache(store, 'customers', 'externalId');
    for (let i = 0; i < 50; i++) cache.put([[`K${i}`, String(i)]]);
    expect(cache.get(['K1', 'K49', 'nope'])).to.deep.equal(new Map([['K1', '1'], ['K49', '49']]));
    expect(calls).to.deep.equal([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).to.deep.equal([50]);
    expect(store.getIds('customers', 'externalId', ['K7']).get('K7')).to.equal('7');
    cache.forget('K7');
    expect(cache.get(['K7']).size).to.equal(0);
    store.close();
  });
});
