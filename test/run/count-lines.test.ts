import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countLines } from '../../src/run/count-lines.js';

describe('run/countLines', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'oro-sync-count-'))));
  after(async () => rm(dir, { recursive: true, force: true }));

  it('counts non-empty lines, with or without a final newline, CRLF included', async () => {
    await writeFile(join(dir, 'a.ndjson'), '{"a":1}\n\n{"a":2}\r\n  \n{"a":3}');
    expect(await countLines(join(dir, 'a.ndjson'))).to.equal(3);
    await writeFile(join(dir, 'b.ndjson'), '{"a":1}\n');
    expect(await countLines(join(dir, 'b.ndjson'))).to.equal(1);
  });

  it('is undefined for a file that cannot be read', async () => {
    expect(await countLines(join(dir, 'missing'))).to.equal(undefined);
  });
});
