import { expect } from 'chai';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { locateIoTsError } from '../../src/errors/describe-io-ts.js';
import { shortJson } from '../../src/errors/short-json.js';

function firstError(codec: t.Decoder<unknown, unknown>, value: unknown): t.ValidationError {
  const result = codec.decode(value);
  if (!isLeft(result) || result.left[0] === undefined) throw new Error('expected a decode error');
  return result.left[0];
}

describe('errors/describe-io-ts', () => {
  it('gives the path into the value, skipping union and intersection member indexes', () => {
    const codec = t.type({ data: t.array(t.intersection([t.type({ id: t.union([t.string, t.number], 'id') }), t.partial({})])) });
    const { path, expected } = locateIoTsError(firstError(codec, { data: [{ id: true }] }).context);
    expect(path).to.deep.equal(['data', '0', 'id']);
    expect(expected).to.equal('id');
  });

  it('names the root codec, with an empty path, for a problem with the whole value', () => {
    expect(locateIoTsError(firstError(t.type({ a: t.string }, 'Doc'), 5).context)).to.deep.equal({ path: [], expected: 'Doc' });
  });

  it('has nothing to name for an empty context', () => {
    expect(locateIoTsError([])).to.deep.equal({ path: [], expected: undefined });
  });

  it('shortJson cuts long values to maxChars, ellipsis included, and shows non-finite numbers', () => {
    expect(shortJson('x'.repeat(100), 60, '...')).to.have.length(60).and.match(/x\.\.\.$/);
    expect(shortJson('x'.repeat(100))).to.have.length(60).and.match(/x…$/);
    expect(shortJson(Number.NaN)).to.equal('NaN');
  });
});
