import { expect } from 'chai';
import { createLru } from '../../src/util/lru.js';

describe('util/createLru', () => {
  it('forgets the least recently used key past max; a get counts as a use', () => {
    const lru = createLru<string>(2);
    lru.set('a', '1');
    lru.set('b', '2');
    expect(lru.get('a')).to.equal('1');
    lru.set('c', '3');
    expect(lru.get('b')).to.equal(undefined);
    expect([lru.get('a'), lru.get('c')]).to.deep.equal(['1', '3']);
  });

  it('setting a key again replaces its value and counts as a use; delete forgets it', () => {
    const lru = createLru<number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('a', 10);
    lru.set('c', 3);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).to.deep.equal([10, undefined, 3]);
    lru.delete('a');
    expect(lru.get('a')).to.equal(undefined);
  });
});
