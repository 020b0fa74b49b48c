import { expect } from 'chai';
import fc from 'fast-check';
import { splitIntoRounds } from '../../src/sink/rounds.js';

describe('sink/rounds', () => {
  it('puts the n-th occurrence of a key into round n, in source order', () => {
    const rounds = splitIntoRounds(['a1', 'b1', 'a2', 'c1', 'a3', 'b2'], (s) => s[0]!);
    expect(rounds).to.deep.equal([['a1', 'b1', 'c1'], ['a2', 'b2'], ['a3']]);
  });

  it('keeps every item exactly once and never a key twice in a round (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 })), (keys) => {
        const items = keys.map((k, i) => ({ k: String(k), i }));
        const rounds = splitIntoRounds(items, (x) => x.k);
        expect(rounds.flat().map((x) => x.i).sort((a, b) => a - b)).to.deep.equal(items.map((x) => x.i));
        for (const round of rounds) expect(new Set(round.map((x) => x.k)).size).to.equal(round.length);
      }),
    );
  });
});
