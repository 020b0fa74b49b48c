/**
 * The first records of a run all rejected for one reason stop the run; their records are held
 * from the checkpoint until they are judged.
 */
import { expect } from 'chai';
import { watchFirstRejections } from '../../src/run/rejection-streak.js';
import type { ErrorDetail, Outcome } from '../../src/types/outcome.js';
import type { SourceRecord } from '../../src/types/record.js';

const record = (seq: number): SourceRecord => ({ value: {}, position: { seq, where: `x:${seq + 1}` } });
const rejectedFor = (seq: number, error: ErrorDetail): Outcome => ({ status: 'rejected', record: record(seq), errors: [error] });
const blank: ErrorDetail = { status: '400', title: 'not blank constraint', detail: 'This value should not be blank.', pointer: '/data/attributes/name' };

describe('run/watchFirstRejections', () => {
  it('trips on the limit-th rejection for the same title and pointer, completing none of them', () => {
    const completed: number[] = [];
    let trips = 0;
    const streak = watchFirstRejections(() => void (trips += 1), 5);
    for (let i = 0; i < 5; i += 1) streak.see(rejectedFor(i, { ...blank, detail: `value ${i}` }), (r) => completed.push(r.position.seq));
    expect(trips).to.equal(1);
    expect(streak.tripped?.message).to.equal('stopped: the first 5 records of this run were all rejected for the same reason ("not blank constraint" at /data/attributes/name: value 0); ' +
      'nothing more is read or sent: fix the mapping, the source or the target, then run again');
    streak.see(rejectedFor(5, blank), (r) => completed.push(r.position.seq));
    streak.end((r) => completed.push(r.position.seq));
    expect(completed).to.deep.equal([]);
    expect(trips).to.equal(1);
  });

  it('another reason or another outcome among the first ends the watch and releases what it held, in order', () => {
    const completed: number[] = [];
    const streak = watchFirstRejections(() => expect.fail('no trip'), 5);
    const complete = (r: SourceRecord) => completed.push(r.position.seq);
    streak.see(rejectedFor(0, blank), complete);
    streak.see(rejectedFor(1, blank), complete);
    expect(completed).to.deep.equal([]);
    streak.see(rejectedFor(2, { title: 'not blank constraint', pointer: '/data/attributes/email' }), complete);
    expect(completed).to.deep.equal([0, 1, 2]);
    for (let i = 3; i < 10; i += 1) streak.see(rejectedFor(i, blank), complete);
    expect(completed).to.have.length(10);
    expect(streak.tripped).to.equal(undefined);

    const other = watchFirstRejections(() => expect.fail('no trip'), 5);
    const seen: number[] = [];
    other.see(rejectedFor(0, blank), (r) => seen.push(r.position.seq));
    other.see({ status: 'created', record: record(1), id: '7' }, (r) => seen.push(r.position.seq));
    expect(seen).to.deep.equal([0, 1]);
  });

  it('a source that ends before the limit releases what was held', () => {
    const completed: number[] = [];
    const streak = watchFirstRejections(() => expect.fail('no trip'), 100);
    for (let i = 0; i < 3; i += 1) streak.see(rejectedFor(i, blank), (r) => completed.push(r.position.seq));
    streak.end((r) => completed.push(r.position.seq));
    expect(completed).to.deep.equal([0, 1, 2]);
  });
});
