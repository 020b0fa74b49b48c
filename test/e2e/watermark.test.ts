/**
 * Incremental runs with `schedule.watermark`: the next run reads the source from the start but
 * keeps only records changed at or after the newest change time of the last complete run.
 */
import { expect } from 'chai';
import { runCli, summaries, useFakeOroWorkspace } from '../helpers/cli.js';

describe('e2e: incremental runs with schedule.watermark', function () {
  this.timeout(30_000);
  const t = useFakeOroWorkspace();

  const at = (minute: number) => `2024-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

  it('syncs only the records newer than the last run (plus the equal-timestamp overlap)', async () => {
    const { oro, ws, env } = t;
    const old = [
      { id: 'W1', name: 'One', updatedAt: at(1) },
      { id: 'W2', name: 'Two', updatedAt: at(2) },
      { id: 'W3', name: 'Three', updatedAt: at(3) },
    ];
    ws.writeNdjson('source.ndjson', old);
    const config = ws.config('customers', oro, { schedule: { watermark: 'updatedAt' } });
    const first = await runCli(['run', '--once', config], { env });
    expect(first.code, first.stderr).to.equal(0);
    expect(summaries(first.stdout)).to.deep.equal([{ created: 3, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 }]);

    // A full export again: an old record edited without a newer time (must be left alone), and
    // two new records, one of them earlier in the file than the old ones.
    ws.writeNdjson('source.ndjson', [
      { id: 'W5', name: 'Five', updatedAt: at(5) },
      { id: 'W1', name: 'One edited, same time', updatedAt: at(1) },
      old[1],
      old[2],
      { id: 'W4', name: 'Four', updatedAt: at(4) },
    ]);
    oro.resetLog();
    const second = await runCli(['run', '--once', config], { env });
    expect(second.code, second.stderr).to.equal(0);
    // W4 and W5 are new; W3 has the watermark's own time and is read again, but its content is
    // what Oro confirmed: unchanged, not written.
    expect(summaries(second.stdout)).to.deep.equal([{ created: 2, updated: 0, unchanged: 1, skipped: 0, rejected: 0, failed: 0 }]);
    const writes = oro.requests.filter((r) => r.method === 'POST' || r.method === 'PATCH').filter((r) => r.path.startsWith('/admin/api/customers'));
    expect(writes).to.have.length(2);
    const nameOf = (key: string) => oro.records('customers').find((c) => c.attributes?.['externalId'] === key)?.attributes?.['name'];
    expect(nameOf('W1')).to.equal('One');
    expect(nameOf('W5')).to.equal('Five');

    // Nothing newer: only the overlap again, unchanged.
    const third = await runCli(['run', '--once', config], { env });
    expect(summaries(third.stdout)).to.deep.equal([{ created: 0, updated: 0, unchanged: 1, skipped: 0, rejected: 0, failed: 0 }]);
  });
});
