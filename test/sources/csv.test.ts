import { expect } from 'chai';
import { join } from 'node:path';
import { csvFile } from '../../src/sources/csv.js';
import { isOutcome, type Rejected, type Step } from '../../src/types/outcome.js';
import { collect } from './serve.js';
import { tmpDir } from './tmp-files.js';

const rejectedOf = (step: Step<unknown> | undefined): Rejected => {
  if (step && isOutcome(step) && step.status === 'rejected') return step;
  throw new Error(`expected a rejected outcome, got ${JSON.stringify(step)}`);
};
const positionOf = (step: Step<unknown>) => (isOutcome(step) ? step.record.position : step.position);

describe('csvFile', () => {
  const tmp = tmpDir();
  after(() => tmp.cleanup());

  it('rows become objects of strings keyed by the header; positions file:line, resume {line}', async () => {
    const path = tmp.file('plain.csv', 'id,name,price\n1,Ann,9.50\n2,"Bob, Jr.",10\n');
    const steps = await collect(csvFile(path));
    expect(steps).to.deep.equal([
      { value: { id: '1', name: 'Ann', price: '9.50' }, position: { seq: 0, where: `${path}:2`, resume: { line: 2 } } },
      { value: { id: '2', name: 'Bob, Jr.', price: '10' }, position: { seq: 1, where: `${path}:3`, resume: { line: 3 } } },
    ]);
  });

  it('malformed rows are rejected outcomes naming file and line, in file order, while good rows flow', async () => {
    const path = tmp.file(
      'bad.csv',
      ['id,name', '1,a', '2,b,extra', '3', '4,c"d', '5,e', '6,"unclosed', '7,f', ''].join('\n'),
    );
    const steps = await collect(csvFile(path));
    expect(steps.map((s) => positionOf(s).where)).to.deep.equal([2, 3, 4, 5, 6, 7].map((l) => `${path}:${l}`));
    expect(steps.map((s) => positionOf(s).seq)).to.deep.equal([0, 1, 2, 3, 4, 5]);
    expect(steps[0]).to.deep.include({ value: { id: '1', name: 'a' } });
    expect(steps[4]).to.deep.include({ value: { id: '5', name: 'e' } });

    const wide = rejectedOf(steps[1]);
    expect(wide.record.value).to.equal('2,b,extra');
    expect(wide.errors).to.deep.equal([
      { title: 'malformed CSV', detail: `${path}:3: Invalid Record Length: columns length is 2, got 3 on line 3` },
    ]);
    expect(rejectedOf(steps[2]).errors[0]!.detail).to.match(new RegExp(`^${path}:4: Invalid Record Length`));
    expect(rejectedOf(steps[3]).errors[0]!.detail).to.match(new RegExp(`^${path}:5: Invalid Opening Quote`));
    // an unclosed quote swallows the rest of the file: one rejected row, starting where the quote opened
    const unclosed = rejectedOf(steps[5]);
    expect(unclosed.record.value).to.equal('6,"unclosed\n7,f');
    expect(unclosed.errors[0]!.detail).to.match(new RegExp(`^${path}:7: Quote Not Closed`));
  });

  it('a quoted field over several lines: where is the first line, resume the last', async () => {
    const path = tmp.file('multiline.csv', 'id,note\n1,"line one\nline two"\n2,x\n');
    const steps = await collect(csvFile(path));
    expect(steps.map(positionOf)).to.deep.equal([
      { seq: 0, where: `${path}:2`, resume: { line: 3 } },
      { seq: 1, where: `${path}:4`, resume: { line: 4 } },
    ]);
    expect(steps[0]).to.deep.include({ value: { id: '1', note: 'line one\nline two' } });
  });

  it('delimiter and quote options; BOM and empty lines ignored', async () => {
    const path = tmp.file('semi.csv', "\uFEFFid;name\n\n1;'a;b'\n\n2;c\n");
    const steps = await collect(csvFile(path, { delimiter: ';', quote: "'" }));
    expect(steps.map((s) => (s as { value: unknown }).value)).to.deep.equal([
      { id: '1', name: 'a;b' },
      { id: '2', name: 'c' },
    ]);
  });

  it('resumes after the line of a resume token, rejected rows included', async () => {
    const path = tmp.file('resume.csv', 'id\n1\n2,x\n3\n4\n');
    const all = await collect(csvFile(path));
    const resume = positionOf(all[1]!).resume!;
    expect(resume).to.deep.equal({ line: 3 });
    const rest = await collect(csvFile(path, { resume }));
    expect(rest.map((s) => (s as { value: unknown }).value)).to.deep.equal([{ id: '3' }, { id: '4' }]);
    expect(rest.map((s) => positionOf(s).seq)).to.deep.equal([0, 1]);
  });

  it('a missing file is an error naming it', async () => {
    const path = join(tmp.dir, 'absent.csv');
    const error = await collect(csvFile(path)).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.contain(path);
  });
});
