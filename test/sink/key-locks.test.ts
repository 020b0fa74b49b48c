import { expect } from 'chai';
import { createKeyLocks } from '../../src/sink/key-locks.js';

describe('sink/key-locks', () => {
  it('makes a later holder of a key wait until the earlier one releases, in call order', async () => {
    const locks = createKeyLocks();
    const order: string[] = [];
    const first = locks.acquire(['a', 'b']);
    const second = locks.acquire(['b', 'c']);
    const third = locks.acquire(['z']);
    const releaseThird = await third;
    order.push('third');
    const secondDone = second.then((release) => {
      order.push('second');
      release();
    });
    const releaseFirst = await first;
    order.push('first');
    releaseFirst();
    await secondDone;
    releaseThird();
    expect(order).to.deep.equal(['third', 'first', 'second']);
    expect(locks.size).to.equal(0);
  });
});
