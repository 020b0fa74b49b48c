import { expect } from 'chai';
import { isAbort, sleep } from '../../src/util/sleep.js';
import sinon from 'sinon';
import { VirtualClock } from '../helpers/virtual-time.js';

describe('util/sleep', () => {
  it('resolves after ms of the scheduler\'s time, not before', async () => {
    const clock = new VirtualClock();
    let done = false;
    void sleep(500, { scheduler: clock }).then(() => (done = true));
    await clock.advance(499);
    expect(done).to.equal(false);
    await clock.advance(1);
    expect(done).to.equal(true);
    expect(clock.delays).to.deep.equal([500]);
  });

  it('rejects with the signal\'s reason when aborted during the wait, and leaves no action behind', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const waiting = sleep(500, { scheduler: clock, signal: controller.signal }).then(() => 'resolved', (e: unknown) => e);
    await clock.advance(200);
    const reason = new Error('stopping');
    controller.abort(reason);
    expect(await waiting).to.equal(reason);
    expect(clock.pending).to.equal(0);
  });

  it('rejects at once, scheduling nothing, when the signal is already aborted (an AbortError without a reason)', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    controller.abort();
    const error = await sleep(500, { scheduler: clock, signal: controller.signal }).then(() => undefined, (e: unknown) => e);
    expect((error as Error).name).to.equal('AbortError');
    expect(clock.delays).to.deep.equal([]);
  });

  it('stops listening to the signal once the wait is over (a long-lived signal gathers no listeners)', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const removed = sinon.spy(controller.signal, 'removeEventListener');
    const waiting = sleep(10, { scheduler: clock, signal: controller.signal });
    await clock.advance(10);
    await waiting;
    expect(removed.calledOnceWith('abort')).to.equal(true);
  });

  it('isAbort tells the rejection of an aborted wait from any other error', async () => {
    const controller = new AbortController();
    const waiting = sleep(1_000, { scheduler: new VirtualClock(), signal: controller.signal }).catch((e: unknown) => e);
    expect(isAbort(new Error('other'), controller.signal)).to.equal(false);
    controller.abort();
    const error = await waiting;
    expect(isAbort(error, controller.signal)).to.equal(true);
    expect(isAbort(new Error('other'), controller.signal)).to.equal(false);
  });
});
