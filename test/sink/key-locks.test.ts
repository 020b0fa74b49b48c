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

describe('sink/key-locks: releasing some keys of a batch', () => {
  it('frees those keys for the next holder while the batch keeps the others', async () => {
    const locks = createKeyLocks();
    const release = await locks.acquire(['a', 'b']);
    let gotA = false;
    let gotB = false;
    const nextA = locks.acquire(['a']).then((r) => ((gotA = true), r));
    const nextB = locks.acquire(['b']).then((r) => ((gotB = true), r));
    release(['a']);
    (await nextA)();
    expect(gotA).to.equal(true);
    expect(gotB, 'b is still held').to.equal(false);
    release(['a']); // twice: nothing
    release();
    (await nextB)();
    expect(locks.size).to.equal(0);
  });
});
