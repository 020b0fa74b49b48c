import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ndjsonFile } from '../../src/sources/ndjson.js';
import { isOutcome, type Step } from '../../src/types/outcome.js';
import { collect } from './serve.js';
import { tmpDir } from './tmp-files.js';

describe('ndjsonFile', () => {
  const tmp = tmpDir();
  after(() => tmp.cleanup());

  it('good lines flow, blank lines are skipped, a malformed line is a rejected outcome naming file and line', async () => {
    const path = tmp.file('mixed.ndjson', '{"id":1}\n\n{"id":2\n   \n{"id":3}\r\n');
    const steps = await collect(ndjsonFile(path));
    expect(steps).to.have.length(3);
    expect(steps[0]).to.deep.equal({ value: { id: 1 }, position: { seq: 0, where: `${path}:1`, resume: { line: 1 } } });
    const bad = steps[1]!;
    if (!isOutcome(bad) || bad.status !== 'rejected') throw new Error('expected a rejected outcome');
    expect(bad.record).to.deep.equal({ value: '{"id":2', position: { seq: 1, where: `${path}:3`, resume: { line: 3 } } });
    expect(bad.errors).to.have.length(1);
    expect(bad.errors[0]!.title).to.equal('malformed JSON');
    expect(bad.errors[0]!.detail).to.match(new RegExp(`^${path}:3: .+`));
    expect(steps[2]).to.deep.equal({ value: { id: 3 }, position: { seq: 2, where: `${path}:5`, resume: { line: 5 } } });
  });

  it('resumes after the line of a resume token', async () => {
    const path = tmp.file('resume.ndjson', '{"id":1}\n{"id":2}\n{"id":3}\n{"id":4}\n');
    const steps = await collect(ndjsonFile(path, { resume: { line: 2 } }));
    expect(steps.map((s) => (s as { value: unknown }).value)).to.deep.equal([{ id: 3 }, { id: 4 }]);
    expect(steps.map((s) => (isOutcome(s) ? s.record : s).position.seq)).to.deep.equal([0, 1]);
  });

  it('streams a 50k-line file', async () => {
    const path = join(tmp.dir, 'large.ndjson');
    const lines: string[] = [];
    for (let i = 0; i < 50_000; i += 1) lines.push(JSON.stringify({ id: i, name: `customer ${i}`, tags: ['a', 'b'] }));
    writeFileSync(path, `${lines.join('\n')}\n`);
    let count = 0;
    let last: Step<unknown> | undefined;
    for await (const step of ndjsonFile(path)) {
      count += 1;
      last = step;
    }
    expect(count).to.equal(50_000);
    expect(last).to.deep.include({ value: { id: 49_999, name: 'customer 49999', tags: ['a', 'b'] } });
  });

  it('yields records before the file is complete (streaming, not read whole)', async () => {
    const fifo = tmp.fifo('growing.ndjson');
    const it = ndjsonFile(fifo.path)[Symbol.asyncIterator]();
    const writer = fifo.open();
    writer.write('{"id":1}\n{"id":2}\n');
    expect((await it.next()).value).to.deep.include({ value: { id: 1 } });
    expect((await it.next()).value).to.deep.include({ value: { id: 2 } });
    writer.end('{"id":3}\n');
    expect((await it.next()).value).to.deep.include({ value: { id: 3 } });
    expect((await it.next()).done).to.equal(true);
  });

  it('a missing file is an error naming it', async () => {
    const path = join(tmp.dir, 'nope.ndjson');
    const error = await collect(ndjsonFile(path)).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.contain(path).and.to.contain('ENOENT');
  });

  it('a resume token of another shape is refused', () => {
    expect(() => ndjsonFile('x.ndjson', { resume: { index: 3 } })).to.throw(/expected \{line\}/);
  });
});
