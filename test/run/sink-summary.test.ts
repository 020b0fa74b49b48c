import { expect } from 'chai';
import { formatSinkSummary } from '../../src/run/sink-summary.js';
import { emptyCounts } from '../../src/run/summary.js';

describe('run/formatSinkSummary: the line a run out of Oro ends with', () => {
  const counts = { ...emptyCounts(), sent: 240, unchanged: 7, skipped: 2, rejected: 1, failed: 3 };

  it('says exactly what was sent, unchanged, skipped, rejected and failed, and where the dead letters are', () => {
    expect(formatSinkSummary(counts, { dryRun: false, elapsedMs: 12_345, deadLetterPath: '/srv/dead.ndjson' }))
      .to.equal('done: sent 240, unchanged 7, skipped 2, rejected 1, failed 3 in 12.3 s\ndead letters: /srv/dead.ndjson');
    expect(formatSinkSummary({ ...counts, rejected: 0, failed: 0 }, { dryRun: false, elapsedMs: 50, deadLetterPath: '/srv/dead.ndjson' }))
      .to.equal('done: sent 240, unchanged 7, skipped 2, rejected 0, failed 0 in 0.1 s');
  });

  it('says what a dry run would do, rejected and failed together', () => {
    expect(formatSinkSummary(counts, { dryRun: true, elapsedMs: 1 })).to.equal('dry-run: send 240, unchanged 7, skip 2, reject 4');
  });
});
