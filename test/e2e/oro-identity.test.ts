/**
 * The state belongs to one Oro, through the CLI against the fake: a state copied to another Oro
 * stops the run before it writes (exit 2, the contract's line), `--forget-state` starts over
 * without deleting what this pipeline never wrote; an Oro restored from a backup, whose ids now
 * name other records, gets nothing overwritten or deleted that does not carry the key.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { runCli, summaries, useFakeOroWorkspace } from '../helpers/cli.js';

describe('e2e: the state belongs to one Oro', function () {
  this.timeout(60_000);
  const t = useFakeOroWorkspace();
  let other: FakeOro | undefined;
  afterEach(async () => {
    await other?.close();
    other = undefined;
  });

  const people = (...ids: string[]) => ids.map((id) => ({ id, name: `Name ${id}` }));
  const writes = (oro: FakeOro) => oro.requests.filter((r) => r.path.startsWith('/admin/api') && r.method !== 'GET' && r.method !== 'OPTIONS');
  const snapshotConfig = { source: { kind: 'ndjson', path: 'source.ndjson', changes: 'snapshot' }, target: { relationships: {}, onMissing: { action: 'delete', maxFraction: 0.5 } } };
  /** The config file pointed at another Oro, as a copied project edited by hand would be. */
  const pointAt = (file: string, oro: FakeOro) => {
    const config = JSON.parse(readFileSync(file, 'utf8')) as { oro: Record<string, string> };
    config.oro = { ...config.oro, baseUrl: oro.baseUrl, tokenUrl: oro.tokenUrl };
    writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  };

  it('a state copied to another Oro: exit 2 before anything is written; --forget-state then syncs, deleting nothing it never wrote', async () => {
    const { oro, ws, env } = t;
    ws.writeNdjson('source.ndjson', people('K1', 'K2', 'K3', 'K4'));
    const config = ws.config('customers', oro, snapshotConfig);
    const first = await runCli(['run', '--once', config], { env });
    expect(first.code, first.stderr).to.equal(0);
    expect(summaries(first.stdout)).to.deep.equal([{ created: 4, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 }]);

    // Staging: same credentials, its own customers, ids 1 to 6, none of them written by this pipeline.
    other = await startFakeOro();
    for (let i = 1; i <= 6; i += 1) other.seed('customers', { name: `Staging ${i}`, externalId: `S${i}` });
    const before = other.records('customers');
    pointAt(config, other);
    ws.writeNdjson('source.ndjson', people('K1', 'K2', 'K3'));
    other.resetLog();
    const refused = await runCli(['run', '--once', config], { env });
    expect(refused.code, refused.stderr).to.equal(2);
    expect(refused.stderr).to.include(`state ${ws.path('state.db')} holds ids from ${oro.baseUrl}; this config points at ${other.baseUrl}: ` +
      'use another state.path, or run with --forget-state to start over');
    expect(writes(other)).to.deep.equal([]);
    expect(other.records('customers')).to.deep.equal(before);

    other.resetLog();
    const again = await runCli(['run', '--once', '--forget-state', config], { env });
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.match(/^done: created 3, updated 0, unchanged 0, skipped 0, rejected 0, failed 0 in [\d.]+ s$/m);
    expect(writes(other).map((r) => r.method)).to.deep.equal(['POST', 'POST', 'POST']);
    const after = other.records('customers');
    expect(after.filter((r) => String(r.attributes?.['externalId']).startsWith('S'))).to.deep.equal(before);
    expect(after.map((r) => r.attributes?.['externalId']).sort()).to.deep.equal(['K1', 'K2', 'K3', 'S1', 'S2', 'S3', 'S4', 'S5', 'S6']);
    // The first Oro is as the first run left it.
    expect(oro.records('customers')).to.have.length(4);

    // From now on the state is the second Oro's: the next run goes on from there.
    const next = await runCli(['run', '--once', config], { env });
    expect(next.code, next.stderr).to.equal(0);
    expect(summaries(next.stdout)).to.deep.equal([{ created: 0, updated: 0, unchanged: 3, skipped: 0, rejected: 0, failed: 0 }]);
  });

  it('an Oro restored from a backup whose ids now name other records: nothing without the key is overwritten or deleted', async () => {
    const { oro, ws, env } = t;
    ws.writeNdjson('source.ndjson', people('K1', 'K2'));
    const config = ws.config('customers', oro, snapshotConfig);
    expect((await runCli(['run', '--once', config], { env })).code).to.equal(0);
    const backup = oro.snapshot();
    ws.writeNdjson('source.ndjson', people('K1', 'K2', 'K3', 'K4'));
    expect((await runCli(['run', '--once', config], { env })).code).to.equal(0);
    const stored = new Map(oro.records('customers').map((r) => [r.attributes?.['externalId'], r.id]));

    // Restored: K3 and K4 are gone, and the next two customers created get their ids.
    oro.restore(backup);
    const x3 = oro.seed('customers', { name: 'Not ours 3', externalId: 'X3' });
    const x4 = oro.seed('customers', { name: 'Not ours 4', externalId: 'X4' });
    expect([x3.id, x4.id]).to.deep.equal([stored.get('K3'), stored.get('K4')]);

    // K3 renamed (its stored id is X3's now), K4 gone from the export (its stored id is X4's).
    ws.writeNdjson('source.ndjson', [...people('K1', 'K2'), { id: 'K3', name: 'K3 renamed' }]);
    oro.resetLog();
    const run = await runCli(['run', '--once', config], { env });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.include('no longer holds').and.include('restored from a backup?');
    const touched = writes(oro).filter((r) => r.path === `/admin/api/customers/${x3.id}` || r.path === `/admin/api/customers/${x4.id}`);
    expect(touched).to.deep.equal([]);
    const now = oro.records('customers');
    expect(now.find((r) => r.id === x3.id)?.attributes).to.deep.include({ name: 'Not ours 3', externalId: 'X3' });
    expect(now.find((r) => r.id === x4.id)?.attributes).to.deep.include({ name: 'Not ours 4', externalId: 'X4' });
    expect(now.filter((r) => r.attributes?.['externalId'] === 'K3').map((r) => r.attributes?.['name'])).to.deep.equal(['K3 renamed']);
    expect(now).to.have.length(5);
  });
});
