import { expect } from 'chai';
import { Readable } from 'node:stream';
import { stdinSource } from '../../src/sources/stdin.js';
import { isOutcome } from '../../src/types/outcome.js';
import { collect } from './serve.js';

describe('stdinSource', () => {
  it('reads NDJSON from the stream; positions say stdin:<line> and carry no resume token', async () => {
    const steps = await collect(stdinSource(Readable.from(['{"id":1}\n{"id"', ':2}\nnot json\n'])));
    expect(steps[0]).to.deep.equal({ value: { id: 1 }, position: { seq: 0, where: 'stdin:1' } });
    expect(steps[1]).to.deep.equal({ value: { id: 2 }, position: { seq: 1, where: 'stdin:2' } });
    const bad = steps[2]!;
    expect(isOutcome(bad) && bad.status === 'rejected' && bad.errors[0]?.detail).to.match(/^stdin:3: /);
  });
});
