import { expect } from 'chai';
import { countOutcomes, exitCodeFor, formatRate, formatSummary } from '../../src/run/summary.js';
import type { Outcome } from '../../src/types/outcome.js';

const record = { value: {}, position: { seq: 0, where: 'x:1' } };

describe('run/summary', () => {
  it('counts outcomes, given as outcomes or as statuses', () => {
    const counter = countOutcomes();
    const outcomes: Outcome[] = [
      { status: 'created', record, id: '1' },
      { status: 'updated', record, id: '2' },
      { status: 'skipped', record, reason: 'exists' },
      { status: 'rejected', record, errors: [] },
      { status: 'failed', record, errors: [] },
      { status: 'unchanged', record, id: '3' },
      { status: 'deleted', record, id: '4' },
    ];
    outcomes.forEach((o) => counter.add(o));
    counter.add('created');
    expect(counter.counts).to.deep.equal({ created: 2, updated: 1, sent: 0, unchanged: 1, skipped: 1, rejected: 1, failed: 1, deleted: 1 });
    expect(counter.total).to.equal(8);
  });

  it('dry runs: exactly "dry-run: create N, update M, skip K, reject R, unchanged U, delete D" with R = rejected + failed', () => {
    const counts = { created: 3, updated: 2, sent: 0, unchanged: 0, skipped: 1, rejected: 4, failed: 5, deleted: 0 };
    expect(formatSummary(counts, { dryRun: true, elapsedMs: 1234, deadLetterPath: '/d.ndjson' }))
      .to.equal('dry-run: create 3, update 2, skip 1, reject 9, unchanged 0, delete 0');
    expect(formatSummary({ ...counts, unchanged: 7, deleted: 2 }, { dryRun: true, elapsedMs: 1 }))
      .to.equal('dry-run: create 3, update 2, skip 1, reject 9, unchanged 7, delete 2');
  });

  it('real runs: exactly "done: created N, updated M, unchanged U, skipped K, rejected R, failed F in T s"', () => {
    const counts = { created: 8000, updated: 2000, sent: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0, deleted: 0 };
    expect(formatSummary(counts, { dryRun: false, elapsedMs: 12_300, deadLetterPath: '/d.ndjson' }))
      .to.equal('done: created 8000, updated 2000, unchanged 0, skipped 0, rejected 0, failed 0 in 12.3 s');
    expect(formatSummary({ ...counts, unchanged: 99_000 }, { dryRun: false, elapsedMs: 1_000 }))
      .to.equal('done: created 8000, updated 2000, unchanged 99000, skipped 0, rejected 0, failed 0 in 1.0 s');
  });

  it('real runs that deleted keys add ", deleted D" after failed', () => {
    const counts = { created: 1, updated: 2, sent: 0, unchanged: 3, skipped: 4, rejected: 0, failed: 0, deleted: 5 };
    expect(formatSummary(counts, { dryRun: false, elapsedMs: 500 }))
      .to.equal('done: created 1, updated 2, unchanged 3, skipped 4, rejected 0, failed 0, deleted 5 in 0.5 s');
  });

  it('real runs with rejected or failed records name the dead-letter file on a second line', () => {
    const counts = { created: 1, updated: 0, sent: 0, unchanged: 0, skipped: 0, rejected: 1, failed: 1, deleted: 0 };
    expect(formatSummary(counts, { dryRun: false, elapsedMs: 2000, deadLetterPath: '/tmp/dl.ndjson' }))
      .to.equal('done: created 1, updated 0, unchanged 0, skipped 0, rejected 1, failed 1 in 2.0 s\ndead letters: /tmp/dl.ndjson');
    expect(formatSummary({ ...counts, rejected: 0, failed: 0 }, { dryRun: false, elapsedMs: 0, deadLetterPath: '/x' }))
      .to.equal('done: created 1, updated 0, unchanged 0, skipped 0, rejected 0, failed 0 in 0.0 s');
  });

  it('formats rates with one decimal below 10/s', () => {
    expect(formatRate(5, 2000)).to.equal('2.5');
    expect(formatRate(812, 1000)).to.equal('812');
    expect(formatRate(1, 0)).to.equal('0.0');
  });

  it('exit code: 0 when nothing was rejected or failed, else 1', () => {
    const zero = { created: 0, updated: 0, sent: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0, deleted: 0 };
    expect(exitCodeFor({ ...zero, created: 5, updated: 1, skipped: 9 })).to.equal(0);
    expect(exitCodeFor(zero)).to.equal(0);
    expect(exitCodeFor({ ...zero, rejected: 1 })).to.equal(1);
    expect(exitCodeFor({ ...zero, failed: 1 })).to.equal(1);
  });
});
