import { expect } from 'chai';
import { lookupByKeys } from '../../src/sink/lookup.js';
import { startHarness, type OroHarness } from '../helpers/oro-harness.js';

describe('sink/lookupByKeys against the fake Oro', () => {
  let h: OroHarness;
  afterEach(async () => h?.close());

  it('finds every match per key, following next links when a key is ambiguous', async () => {
    h = await startHarness({ seed: 1 });
    for (let i = 0; i < 5; i++) h.oro.seed('customers', { name: `c${i}`, externalId: `K${i}` });
    h.oro.seed('customers', { name: 'dup', externalId: 'K1' });
    const found = await lookupByKeys(h.client, 'customers', 'externalId', ['K0', 'K1', 'K4', 'NONE'], { withUpdatedAt: true });
    expect([...found.keys()].sort()).to.deep.equal(['K0', 'K1', 'K4']);
    expect(found.get('K1')).to.have.length(2);
    expect(found.get('K0')?.[0]).to.have.property('updatedAt').that.matches(/Z$/);
  });

  it('asks only for the key field unless updatedAt is needed', async () => {
    h = await startHarness({ seed: 1 });
    h.oro.seed('customers', { name: 'c', externalId: 'K0' });
    const found = await lookupByKeys(h.client, 'customers', 'externalId', ['K0']);
    expect(found.get('K0')?.[0]).to.not.have.property('updatedAt');
    expect(decodeURIComponent(h.oro.requests.at(-1)?.query ?? '')).to.contain('fields[customers]=externalId').and.not.contain('updatedAt');
  });

  it('falls back to Oro\'s default page size when the resource caps page[size] below the chunk', async () => {
    h = await startHarness({ seed: 1, maxPageSize: { customers: 10 } });
    for (let i = 0; i < 30; i++) h.oro.seed('customers', { name: `c${i}`, externalId: `K${i}` });
    const keys = Array.from({ length: 30 }, (_, i) => `K${i}`);
    const found = await lookupByKeys(h.client, 'customers', 'externalId', keys);
    expect(found.size).to.equal(30);
    const sizes = h.oro.requests.filter((r) => r.path.endsWith('/customers')).map((r) => r.status);
    expect(sizes[0], 'the first read is refused').to.equal(400);
  });
});
