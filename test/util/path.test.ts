import { expect } from 'chai';
import { getPath, pointerOf } from '../../src/util/path.js';

describe('operators/path', () => {
  it('follows dot paths through objects and arrays', () => {
    expect(getPath({ a: { b: [10, 20] } }, 'a.b.1')).to.equal(20);
    expect(getPath({ a: 1 }, '')).to.deep.equal({ a: 1 });
  });

  it('tells absent (undefined) from null', () => {
    expect(getPath({ a: null }, 'a')).to.equal(null);
    expect(getPath({ a: null }, 'a.b')).to.equal(undefined);
    expect(getPath({}, 'a')).to.equal(undefined);
    expect(getPath({ a: 'text' }, 'a.length')).to.equal(undefined);
  });

  it('never walks into inherited properties', () => {
    expect(getPath({}, 'constructor')).to.equal(undefined);
    expect(getPath({ a: {} }, 'a.__proto__')).to.equal(undefined);
  });

  it('turns dot paths into escaped JSON pointers', () => {
    expect(pointerOf('attributes.name')).to.equal('/attributes/name');
    expect(pointerOf('a/b.c~d')).to.equal('/a~1b/c~0d');
    expect(pointerOf('')).to.equal('');
  });
});
