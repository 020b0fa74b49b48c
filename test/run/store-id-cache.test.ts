import { expect } from 'chai';
import { openStateStore } from '../../src/state/sqlite-state-store.js';
import type { StateStore } from '../../src/state/state-store.js';
import { readOnlyStoreIdCache, storeIdCache } from '../../src/run/store-id-cache.js';
import { rejectionOf } from '../helpers/rejection.js';

/** The Oro the ids in these tests belong to. */
const ORO = 'https://shop.example.com/admin/api';

describe('run/storeIdCache', () => {
  let store: StateStore;
  beforeEach(() => {
    store = openStateStore(':memory:');
  });
  afterEach(() => store.close());

  it('answers from what it was given at once, and stores it in one transaction per turn of the event loop', async () => {
    const calls: number[] = [];
    const putIds = store.putIds.bind(store);
    store.putIds = (oro, type, field, entries) => {
      const list = [...entries];
      calls.push(list.length);
      return putIds(oro, type, field, list);
    };
    const cache = storeIdCache(store, ORO, 'customers', 'externalId');
    for (let i = 0; i < 50; i++) void cache.put([[`K${i}`, String(i)]]);
    expect(await cache.get(['K1', 'K49', 'nope'])).to.deep.equal(new Map([['K1', '1'], ['K49', '49']]));
    expect(calls).to.deep.equal([]);
    await cache.put([['K50', '50']]);
    expect(calls).to.deep.equal([51]);
    expect((await store.getIds(ORO, 'customers', 'externalId', ['K7'])).get('K7')).to.equal('7');
    await cache.forget('K7');
    expect((await cache.get(['K7'])).size).to.equal(0);
    expect((await store.getIds(ORO, 'customers', 'externalId', ['K7'])).size).to.equal(0);
  });

  it('put resolves only once the store has the ids (a key lock may be released then)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const putIds = store.putIds.bind(store);
    store.putIds = async (oro, type, field, entries) => {
      const list = [...entries];
      await gate;
      return putIds(oro, type, field, list);
    };
    const cache = storeIdCache(store, ORO, 'customers', 'externalId');
    let stored = false;
    const put = cache.put([['C1', '11']]).then(() => (stored = true));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stored).to.equal(false);
    // Being stored, it is still this cache's answer (a read does not miss it).
    expect(await cache.get(['C1'])).to.deep.equal(new Map([['C1', '11']]));
    release();
    await put;
    expect(await store.getIds(ORO, 'customers', 'externalId', ['C1'])).to.deep.equal(new Map([['C1', '11']]));
  });

  it('reads the store for every key it has not just written: what another worker stored is seen, what it forgot is gone', async () => {
    const here = storeIdCache(store, ORO, 'customers', 'externalId');
    const there = storeIdCache(store, ORO, 'customers', 'externalId');
    expect((await here.get(['C1'])).size).to.equal(0);
    await there.put([['C1', '11']]);
    expect(await here.get(['C1'])).to.deep.equal(new Map([['C1', '11']]));
    await there.forget('C1');
    expect((await here.get(['C1'])).size).to.equal(0);
  });

  it('a forget never overtakes an earlier put of the key', async () => {
    const cache = storeIdCache(store, ORO, 'customers', 'externalId');
    const order: string[] = [];
    const putIds = store.putIds.bind(store);
    const forgetIds = store.forgetIds.bind(store);
    store.putIds = async (oro, type, field, entries) => {
      const list = [...entries];
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push('put');
      return putIds(oro, type, field, list);
    };
    store.forgetIds = async (oro, type, field, keys) => {
      order.push('forget');
      return forgetIds(oro, type, field, keys);
    };
    void cache.put([['C1', '11']]);
    await new Promise((resolve) => setImmediate(resolve));
    await cache.forget('C1');
    expect(order).to.deep.equal(['put', 'forget']);
    expect((await store.getIds(ORO, 'customers', 'externalId', ['C1'])).size).to.equal(0);
  });

  it('a store that fails rejects the writes it carried, and flush', async () => {
    store.putIds = () => Promise.reject(new Error('state store unreachable'));
    const cache = storeIdCache(store, ORO, 'customers', 'externalId');
    const put = cache.put([['C1', '11']]);
    expect((await rejectionOf(cache.flush())).message).to.equal('state store unreachable');
    expect((await rejectionOf(put)).message).to.equal('state store unreachable');
  });
});

describe('run/readOnlyStoreIdCache (a dry run)', () => {
  let store: StateStore;
  beforeEach(() => {
    store = openStateStore(':memory:');
  });
  afterEach(() => store.close());

  it('reads the stored ids of its Oro, keeps what it learns in memory, and writes nothing', async () => {
    await store.putIds(ORO, 'customergroups', 'externalId', [['G1', '1'], ['G2', '2']]);
    await store.putIds('https://other.example.com/admin/api', 'customergroups', 'externalId', [['G3', '3']]);
    const cache = readOnlyStoreIdCache(store, ORO, 'customergroups', 'externalId');
    expect(await cache.get(['G1', 'G2', 'G3'])).to.deep.equal(new Map([['G1', '1'], ['G2', '2']]));
    await cache.put([['G3', '33'], ['G1', '11']]);
    await cache.forget('G2');
    expect(await cache.get(['G1', 'G2', 'G3'])).to.deep.equal(new Map([['G1', '11'], ['G3', '33']]));
    expect(await store.getIds(ORO, 'customergroups', 'externalId', ['G1', 'G2', 'G3'])).to.deep.equal(new Map([['G1', '1'], ['G2', '2']]));
  });
});
