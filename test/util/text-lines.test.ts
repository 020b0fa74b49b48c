import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import fc from 'fast-check';
import { nonBlankLines, type TextLine } from '../../src/util/text-lines.js';

/** What `readline` (which nonBlankLines replaced for speed) makes of the same bytes. */
async function viaReadline(bytes: Buffer): Promise<TextLine[]> {
  const out: TextLine[] = [];
  let line = 0;
  for await (const text of createInterface({ input: Readable.from([bytes]), crlfDelay: Infinity })) {
    line += 1;
    if (text.trim() !== '') out.push({ line, text });
  }
  return out;
}

/** `bytes` cut into chunks at `cuts` (anywhere: inside a `\r\n` or a multi-byte character). */
function chunked(bytes: Buffer, cuts: readonly number[]): Readable {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of [...at, bytes.length]) {
    if (cut > from) chunks.push(bytes.subarray(from, cut));
    from = Math.max(from, cut);
  }
  return Readable.from(chunks, { objectMode: false });
}

async function collect(input: Readable): Promise<TextLine[]> {
  const out: TextLine[] = [];
  for await (const line of nonBlankLines(input)) out.push(line);
  return out;
}

describe('nonBlankLines', () => {
  it('gives the lines readline gives, with their numbers, however the bytes are chunked', async () => {
    const piece = fc.constantFrom('a', '{"x":1}', ' ', '\n', '\r\n', '\r', 'é', '€', '😀', '\t');
    await fc.assert(fc.asyncProperty(fc.array(piece, { maxLength: 40 }), fc.array(fc.nat(200), { maxLength: 8 }), async (pieces, cuts) => {
      const bytes = Buffer.from(pieces.join(''));
      expect(await collect(chunked(bytes, cuts))).to.deep.equal(await viaReadline(bytes));
    }), { numRuns: 300 });
  });

  it('counts blank lines, ends lines at \\n, \\r\\n and a lone \\r, and gives a last line without a newline', async () => {
    const lines = await collect(Readable.from([Buffer.from('one\n\n  \r\ntwo\rthree\r\nfour')]));
    expect(lines).to.deep.equal([{ line: 1, text: 'one' }, { line: 4, text: 'two' }, { line: 5, text: 'three' }, { line: 6, text: 'four' }]);
  });

  it('destroys the stream when the reader stops early', async () => {
    const input = Readable.from([Buffer.from('a\nb\nc\n')]);
    for await (const _line of nonBlankLines(input)) break;
    expect(input.destroyed).to.equal(true);
  });
});
