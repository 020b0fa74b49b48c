import { expect } from 'chai';
import { KeyValue, NonEmptyString, recordWithKey } from '../../src/operators/codecs.js';

describe('operators/codecs', () => {
  it('NonEmptyString refuses empty and blank strings and non-strings', () => {
    expect(NonEmptyString.name).to.equal('non-empty string');
    expect(NonEmptyString.is('a')).to.equal(true);
    for (const bad of ['', '  ', 5, null, undefined]) expect(NonEmptyString.is(bad), String(bad)).to.equal(false);
    expect(NonEmptyString.decode(' ')._tag).to.equal('Left');
  });

  it('KeyValue takes non-empty strings and finite numbers', () => {
    expect(KeyValue.is(0)).to.equal(true);
    expect(KeyValue.is('k')).to.equal(true);
    for (const bad of ['', NaN, Infinity, {}, null]) expect(KeyValue.is(bad), String(bad)).to.equal(false);
  });

  it('recordWithKey checks the key at a dot path and keeps every other field', () => {
    const codec = recordWithKey('a.id');
    const value = { a: { id: 7 }, other: [1] };
    const result = codec.decode(value);
    expect(result).to.deep.equal({ _tag: 'Right', right: value });
    expect(codec.is({ a: { id: '' } })).to.equal(false);
    expect(codec.decode({ a: {} })._tag).to.equal('Left');
    expect(codec.decode('x')._tag).to.equal('Left');
    expect(() => recordWithKey('')).to.throw(RangeError);
  });
});
