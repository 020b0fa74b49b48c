import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { call, tokenOf } from './support.js';

describe('fake Oro: snapshot and restore (an Oro restored from a backup)', () => {
  let oro: FakeOro;
  beforeEach(async () => {
    oro = await startFakeOro();
  });
  afterEach(() => oro.close());

  const names = () => oro.records('customers').map((r) => [r.id, r.attributes?.['externalId'], r.attributes?.['name']]);

  it('restores every record as it was, and the id counter: the next records get the ids of those written since', async () => {
    oro.seed('customers', { name: 'One', externalId: 'C1' });
    const backup = oro.snapshot();
    oro.seed('customers', { name: 'Two', externalId: 'C2' });
    oro.touch('customers', '1', { attributes: { name: 'One renamed' } });
    expect(names()).to.deep.equal([['1', 'C1', 'One renamed'], ['2', 'C2', 'Two']]);

    oro.restore(backup);
    expect(names()).to.deep.equal([['1', 'C1', 'One']]);
    // Id 2 is given again, to another customer.
    const other = oro.seed('customers', { name: 'Someone else', externalId: 'X9' });
    expect(other.id).to.equal('2');
    const token = await tokenOf(oro);
    const found = await call(oro, token, 'GET', '/customers?filter[externalId]=C2');
    expect((found.body as { data: unknown[] }).data).to.deep.equal([]);
    const byKey = await call(oro, token, 'GET', '/customers?filter[externalId]=X9&fields[customers]=externalId');
    expect((byKey.body as { data: { id: string }[] }).data.map((r) => r.id)).to.deep.equal(['2']);
  });

  it('a snapshot is not changed by what happens after it, and can be restored twice', () => {
    const empty = oro.snapshot();
    oro.seed('customers', { name: 'A', externalId: 'A' });
    const one = oro.snapshot();
    oro.seed('customers', { name: 'B', externalId: 'B' });
    oro.restore(one);
    oro.seed('customers', { name: 'C', externalId: 'C' });
    oro.restore(one);
    expect(names()).to.deep.equal([['1', 'A', 'A']]);
    oro.restore(empty);
    expect(oro.records('customers')).to.deep.equal([]);
  });
});
