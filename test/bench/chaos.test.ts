/**
 * The chaos run, ten times smaller, so that it cannot rot: the real CLI daemon is killed with
 * SIGKILL three times while syncing 5,000 customers (2 % invalid) from a paginated export into a
 * faulty fake Oro, and restarted until a run completes. Nothing may be lost or duplicated.
 */
import { expect } from 'chai';
import { ensureBuilt, runChaos, type ChaosReport } from '../../bench/chaos.js';

describe('chaos run (bench/chaos.ts, 5,000 records, 3 kills)', function () {
  this.timeout(120_000);
  let report: ChaosReport;
  const lines: string[] = [];

  before(async function () {
    // Builds dist/ only when it is missing or older than src/ (the daemon is the compiled CLI).
    ensureBuilt();
    report = await runChaos({ records: 5000, kills: 3, seed: 1, mode: 'batch', timeoutSeconds: 100,
      // A 5,000-record batch run makes ~450 API requests: revoke more often than every 500.
      faults: { revokeEvery: 100 },
      print: (line) => void lines.push(line) });
  });

  it('kills the daemon three times and ends with a run that completes', function () {
    expect(report.runs.filter((r) => r.killed), lines.join('\n')).to.have.length(3);
    const last = report.runs.at(-1);
    expect(last?.killed).to.equal(false);
    expect(last?.exit, 'exit 1: the invalid records were rejected').to.equal(1);
  });

  it('stores every valid record in Oro exactly once and nothing else', function () {
    expect(report.valid).to.equal(4900);
    expect({ stored: report.stored, lost: report.lost, duplicated: report.duplicated, unexpected: report.unexpected }).to.deep.equal({
      stored: 4900,
      lost: 0,
      duplicated: 0,
      unexpected: 0,
    });
  });

  it('dead-letters every invalid record and no valid one', function () {
    expect(report.invalidMissing).to.equal(0);
    expect(report.deadLetterIds).to.equal(report.invalid);
    expect(report.deadLetterRepeats, 'each invalid record dead-lettered once').to.equal(0);
    expect(report.validInDeadLetters).to.equal(0);
  });

  it('went through the faults it was meant to (so a pass is not vacuous)', function () {
    expect(report.faultAnswers['429'] ?? 0).to.be.greaterThan(0);
    expect(report.faultAnswers['500'] ?? 0).to.be.greaterThan(0);
    expect(report.faultAnswers['401'] ?? 0, 'revoked tokens').to.be.greaterThan(0);
    expect(report.tokenGrants).to.be.greaterThan(report.runs.length);
    expect(report.ok, report.failures.join('; ')).to.equal(true);
  });
});
