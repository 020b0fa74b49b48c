/**
 * `oro-sync replay <dead-letters> <config>`: after the cause of a rejection is fixed in Oro, the
 * dead letters that now succeed leave the file; the rest stay for another try.
 */
import { expect } from 'chai';
import { runCli, summaries, useFakeOroWorkspace } from '../helpers/cli.js';

describe('e2e: replay', function () {
  this.timeout(30_000);
  const t = useFakeOroWorkspace();

  it('removes the letters that now sync, keeps the others, and exits 1 then 0', async () => {
    const { oro, ws, env } = t;
    expect(oro.records('customergroups')).to.deep.equal([]);
    // Groups 1 and 2 do not exist yet: both customers are rejected.
    const inGroup1 = { id: 'R2', name: 'In group 1', groupId: '1' };
    const inGroup2 = { id: 'R3', name: 'In group 2', groupId: '2' };
    ws.writeNdjson('source.ndjson', [{ id: 'R1', name: 'No group' }, inGroup1, inGroup2]);
    const config = ws.config('customers', oro);
    const letters = ws.path('dead-letters.ndjson');

    const run = await runCli(['run', '--once', config], { env });
    expect(run.code, run.stderr).to.equal(1);
    expect(ws.deadLetters().map((l) => l['record'])).to.deep.equal([inGroup1, inGroup2]);

    expect(oro.seed('customergroups', { name: 'Group 1' }).id).to.equal('1');
    const first = await runCli(['replay', letters, config], { env });
    expect(first.code, first.stderr).to.equal(1);
    expect(summaries(first.stdout)).to.deep.equal([{ created: 1, updated: 0, unchanged: 0, skipped: 0, rejected: 1, failed: 0 }]);
    expect(first.stdout).to.include(`replay: 1 dead letter(s) now synced and removed, 1 left in ${letters}`);
    expect(ws.deadLetters().map((l) => l['record'])).to.deep.equal([inGroup2]);

    expect(oro.seed('customergroups', { name: 'Group 2' }).id).to.equal('2');
    const second = await runCli(['replay', letters, config], { env });
    expect(second.code, second.stderr).to.equal(0);
    expect(ws.deadLetters()).to.deep.equal([]);

    const customers = oro.records('customers').filter((c) => String(c.attributes?.['externalId']).startsWith('R'));
    const groupOf = (key: string) => customers.find((c) => c.attributes?.['externalId'] === key)?.relationships?.['group']?.data;
    expect(customers).to.have.length(3);
    expect(groupOf('R2')).to.deep.equal({ type: 'customergroups', id: '1' });
    expect(groupOf('R3')).to.deep.equal({ type: 'customergroups', id: '2' });
  });

  it('leaves a dead letter of target.onMissing in the file untouched (it is no source record: the next complete run tries the key again)', async () => {
    const { oro, ws, env } = t;
    const letters = ws.write('dead-letters.ndjson', [
      { record: { onMissing: 'delete', key: 'Z9', id: '4242' }, status: 'failed', errors: [{ status: '500', title: 'runtime exception' }], at: '2026-01-01T00:00:00.000Z', where: 'onMissing customers Z9' },
      { record: { id: 'Z1', name: 'From the source' }, status: 'failed', errors: [{ status: '500', title: 'runtime exception' }], at: '2026-01-01T00:00:00.000Z', where: 'source.ndjson:1' },
    ].map((l) => `${JSON.stringify(l)}\n`).join(''));
    const config = ws.config('customers', oro, { target: { relationships: {} } });
    const replay = await runCli(['replay', letters, config], { env });
    expect(replay.code, replay.stderr).to.equal(0);
    expect(summaries(replay.stdout)).to.deep.equal([{ created: 1, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 }]);
    expect(ws.deadLetters().map((l) => l['where'])).to.deep.equal(['onMissing customers Z9']);
    expect(oro.records('customers').map((c) => c.attributes?.['externalId'])).to.deep.equal(['Z1']);
  });
});
