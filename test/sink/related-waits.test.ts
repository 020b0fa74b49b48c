import { expect } from 'chai';
import sinon from 'sinon';
import { createRelatedWaits } from '../../src/sink/related-waits.js';

describe('sink/related-waits', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers()));
  afterEach(() => clock.restore());

  it('wakes every waiter of a key with its id when that record is written', async () => {
    const waits = createRelatedWaits({ timeoutMs: 1_000 });
    const a = waits.wait('customers', 'externalId', 'P1');
    const b = waits.wait('customers', 'externalId', 'P1');
    const other = waits.wait('customers', 'externalId', 'P2');
    expect(waits.waiting).to.equal(3);
    waits.written('customers', 'externalId', 'P1', '42');
    expect(await a).to.equal('42');
    expect(await b).to.equal('42');
    expect(waits.waiting).to.equal(1);
    waits.written('customergroups', 'externalId', 'P2', '7'); // another type: not this waiter
    expect(waits.waiting).to.equal(1);
    clock.tick(1_000);
    expect(await other).to.equal(undefined);
  });

  it('gives up after the bound, not before', async () => {
    const waits = createRelatedWaits({ timeoutMs: 30_000 });
    let settled: string | undefined | 'pending' = 'pending';
    void waits.wait('customers', 'externalId', 'LATER').then((id) => (settled = id));
    await clock.tickAsync(29_999);
    expect(settled).to.equal('pending');
    await clock.tickAsync(1);
    expect(settled).to.equal(undefined);
    expect(waits.waiting).to.equal(0);
  });

  it('releases the newest waiter first when asked (a parent usually comes after its children)', async () => {
    const waits = createRelatedWaits({ timeoutMs: 60_000 });
    const order: string[] = [];
    void waits.wait('customers', 'externalId', 'old').then(() => order.push('old'));
    void waits.wait('customers', 'externalId', 'new').then(() => order.push('new'));
    expect(waits.releaseOne()).to.equal(true);
    await clock.tickAsync(0);
    expect(order).to.deep.equal(['new']);
    expect(waits.releaseOne()).to.equal(true);
    await clock.tickAsync(0);
    expect(order).to.deep.equal(['new', 'old']);
    expect(waits.releaseOne()).to.equal(false);
  });
});
