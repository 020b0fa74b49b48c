import { expect } from 'chai';
import * as t from 'io-ts';
import { NonEmptyString, recordWithKey } from '../../src/operators/codecs.js';
import { describeDecodeErrors, formatDecodeErrors, shortJson } from '../../src/operators/format-decode-errors.js';

function errorsOf(codec: t.Decoder<unknown, unknown>, value: unknown): t.Errors {
  const result = codec.decode(value);
  if (result._tag === 'Right') throw new Error('expected a decode failure');
  return result.left;
}

describe('operators/format-decode-errors', () => {
  it('names the path, the expected codec and the actual value, with a JSON pointer', () => {
    const codec = t.type({ attributes: t.type({ name: NonEmptyString }) });
    expect(formatDecodeErrors(errorsOf(codec, { attributes: { name: '' } }))).to.deep.equal([
      { title: 'invalid record', detail: 'attributes.name: expected non-empty string, got ""', pointer: '/attributes/name' },
    ]);
  });

  it('skips union and intersection member indexes in the path', () => {
    const codec = t.intersection([
      t.type({ attributes: t.union([t.type({ name: NonEmptyString }), t.type({ title: NonEmptyString })]) }),
      t.partial({ n: t.number }),
    ]);
    const lines = describeDecodeErrors(errorsOf(codec, { attributes: {} }));
    expect(lines).to.deep.equal([
      'attributes.name: expected non-empty string, got undefined',
      'attributes.title: expected non-empty string, got undefined',
    ]);
  });

  it('reports a failing union once, as the union, at its own path', () => {
    const codec = t.type({ id: t.union([NonEmptyString, t.number], 'id (string or number)') });
    expect(describeDecodeErrors(errorsOf(codec, { id: true }))).to.deep.equal(['id: expected id (string or number), got true']);
  });

  it('has no path prefix for the value itself and honours custom messages', () => {
    expect(formatDecodeErrors(errorsOf(t.string, 5), 'invalid')).to.deep.equal([
      { title: 'invalid', detail: 'expected string, got 5', pointer: '' },
    ]);
    const custom = new t.Type<string>('x', t.string.is, (u, c) => t.failure(u, c, 'must be x'), t.identity);
    expect(describeDecodeErrors(errorsOf(t.type({ a: custom }), { a: 1 }))).to.deep.equal(['a: must be x']);
  });

  it('shortens long values and renders what JSON cannot', () => {
    expect(shortJson('x'.repeat(100))).to.have.length(60).and.match(/…$/);
    expect(shortJson(undefined)).to.equal('undefined');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(shortJson(cyclic)).to.equal('[object Object]');
  });

  it('reports recordWithKey failures at the key path', () => {
    expect(formatDecodeErrors(errorsOf(recordWithKey('customer.id'), { customer: { id: '' } }))).to.deep.equal([
      {
        title: 'invalid record',
        detail: 'customer.id: expected non-empty string or number, got ""',
        pointer: '/customer/id',
      },
    ]);
    expect(describeDecodeErrors(errorsOf(recordWithKey('id'), [1]))).to.deep.equal(['expected object with key "id", got [1]']);
  });
});
