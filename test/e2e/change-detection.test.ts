/**
 * Change detection through the CLI: a snapshot export read whole again sends only the records
 * whose content differs from what Oro last confirmed; the rest are `unchanged` and cost nothing.
 */
import { renameSync } from 'node:fs';
import { expect } from 'chai';
import { runCli, summaries, useFakeOroWorkspace } from '../helpers/cli.js';

describe('e2e: run sends only what changed (digests per key)', function () {
  this.timeout(30_000);
  const t = useFakeOroWorkspace();

  const csv = (rows: readonly (readonly [string, string])[]) => `id,name\n${rows.map(([id, name]) => `${id},${name}`).join('\n')}\n`;
  // A run's start reads back a sample of the stored ids (one GET filter[id]: is this still the
  // Oro they came from?): the requests for records are the others.
  const isIdCheck = (r: { method: string; query: string }) => r.method === 'GET' && r.query.includes('filter%5Bid%5D');
  const idChecks = () => t.oro.requests.filter((r) => r.path.includes('/api/customers') && isIdCheck(r));
  const api = () => t.oro.requests.filter((r) => r.path.includes('/api/customers') && !isIdCheck(r));
  const writes = () => api().filter((r) => r.method === 'POST' || r.method === 'PATCH').length;
  const names = () => new Map(t.oro.records('customers').map((r) => [String(r.attributes?.['externalId']), r.attributes?.['name']]));

  it('a CSV export replaced with one customer renamed and one added: exactly those two are sent', async () => {
    const { oro, ws, env } = t;
    ws.write('customers.csv', csv([['D1', 'Alpha'], ['D2', 'Beta'], ['D3', 'Gamma']]));
    const config = ws.config('customers', oro, { source: { kind: 'csv', path: 'customers.csv' }, target: { relationships: {} } });
    const first = await runCli(['run', '--once', config], { env });
    expect(first.code, first.stderr).to.equal(0);
    expect(summaries(first.stdout)).to.deep.equal([{ created: 3, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 }]);

    ws.write('customers.csv', csv([['D1', 'Alpha'], ['D2', 'Beta renamed'], ['D3', 'Gamma'], ['D4', 'Delta']]));
    oro.resetLog();
    const second = await runCli(['run', '--once', '--from-start', config], { env });
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.match(/^done: created 1, updated 1, unchanged 2, skipped 0, rejected 0, failed 0 in [\d.]+ s$/m);
    expect(writes()).to.equal(2);
    // Only D4 was unknown: the one lookup is for it, D1 and D3 were not read either.
    expect(api().filter((r) => r.method === 'GET').length).to.be.at.most(1);
    expect(idChecks()).to.have.length(1);
    expect(names()).to.deep.equal(new Map([['D1', 'Alpha'], ['D2', 'Beta renamed'], ['D3', 'Gamma'], ['D4', 'Delta']]));
  });

  it('target.onMissing delete: a replaced CSV with one renamed, one added, one removed: the two changed records and one DELETE are sent', async () => {
    const { oro, ws, env } = t;
    const rows = Array.from({ length: 12 }, (_, i) => [`E${String(i + 1).padStart(2, '0')}`, `Name ${i + 1}`] as const);
    ws.write('customers.csv', csv(rows));
    const config = ws.config('customers', oro, { source: { kind: 'csv', path: 'customers.csv' }, target: { relationships: {}, onMissing: { action: 'delete' } } });
    const first = await runCli(['run', '--once', config], { env });
    expect(first.code, first.stderr).to.equal(0);
    expect(summaries(first.stdout)).to.deep.equal([{ created: 12, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 }]);
    const removed = oro.records('customers').find((r) => r.attributes?.['externalId'] === 'E12')!;

    // The nightly export: E02 renamed, E13 added, E12 gone (1 of 12 known keys: under maxFraction 0.1).
    const next = rows.slice(0, 11).map(([id, name]) => (id === 'E02' ? [id, 'Renamed'] as const : [id, name] as const));
    ws.write('customers.csv.tmp', csv([...next, ['E13', 'Newcomer']]));
    renameSync(ws.path('customers.csv.tmp'), ws.path('customers.csv'));
    oro.resetLog();
    const second = await runCli(['run', '--once', config], { env });
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.match(/^done: created 1, updated 1, unchanged 10, skipped 0, rejected 0, failed 0, deleted 1 in [\d.]+ s$/m);
    const sent = api().filter((r) => r.method !== 'GET');
    expect(sent.map((r) => r.method).sort()).to.deep.equal(['DELETE', 'PATCH', 'POST']);
    expect(sent.find((r) => r.method === 'DELETE')?.path).to.equal(`/admin/api/customers/${removed.id}`);
    const expected = new Map<string, unknown>(next);
    expected.set('E13', 'Newcomer');
    expect(names()).to.deep.equal(expected);
  });

  it('target.onMissing refuses when more than maxFraction of the known keys are missing: exit 1, one line, nothing deleted', async () => {
    const { oro, ws, env } = t;
    ws.write('customers.csv', csv([['S1', 'One'], ['S2', 'Two'], ['S3', 'Three'], ['S4', 'Four']]));
    const config = ws.config('customers', oro, { source: { kind: 'csv', path: 'customers.csv' }, target: { relationships: {}, onMissing: { action: 'delete', maxFraction: 0.25 } } });
    expect((await runCli(['run', '--once', config], { env })).code).to.equal(0);
    ws.write('customers.csv', csv([['S1', 'One'], ['S2', 'Two']]));
    oro.resetLog();
    const second = await runCli(['run', '--once', config], { env });
    expect(second.code, second.stderr).to.equal(1);
    expect(second.stdout.trim().split('\n')).to.deep.equal([
      second.stdout.trim().split('\n')[0],
      'onMissing: 2 of 4 known keys (50 %) are missing from this run, over maxFraction 0.25: nothing was deleted; check the export is complete, or raise target.onMissing.maxFraction',
    ]);
    expect(summaries(second.stdout)).to.deep.equal([{ created: 0, updated: 0, unchanged: 2, skipped: 0, rejected: 0, failed: 0 }]);
    expect(api().filter((r) => r.method === 'DELETE')).to.deep.equal([]);
    expect(oro.records('customers')).to.have.length(4);

    // --from-start: the file is unchanged since that run, so without it nothing would be read.
    const dry = await runCli(['run', '--dry-run', '--from-start', config], { env });
    expect(dry.code).to.equal(1);
    expect(dry.stdout).to.contain('dry-run: create 0, update 0, skip 0, reject 0, unchanged 2, delete 0');
    expect(dry.stdout).to.contain('onMissing: 2 of 4 known keys (50 %)');
  });

  it('target.onMissing in a dry run: lists the keys it would delete and counts them, deletes nothing', async () => {
    const { oro, ws, env } = t;
    ws.write('customers.csv', csv([['Q1', 'One'], ['Q2', 'Two']]));
    const config = ws.config('customers', oro, { source: { kind: 'csv', path: 'customers.csv' }, target: { relationships: {}, onMissing: { action: 'delete', maxFraction: 0.5 } } });
    await runCli(['run', '--once', config], { env });
    const q2 = oro.records('customers').find((r) => r.attributes?.['externalId'] === 'Q2')!;
    ws.write('customers.csv', csv([['Q1', 'One']]));
    oro.resetLog();
    const dry = await runCli(['run', '--dry-run', config], { env });
    expect(dry.code, dry.stderr).to.equal(0);
    const lines = dry.stdout.trim().split('\n');
    expect(lines).to.deep.equal([JSON.stringify({ action: 'delete', where: 'onMissing customers Q2', id: q2.id }), 'dry-run: create 0, update 0, skip 0, reject 0, unchanged 1, delete 1']);
    expect(api().filter((r) => r.method !== 'GET')).to.deep.equal([]);
    expect(oro.records('customers')).to.have.length(2);
  });

  it('a record Oro rejected is not sent again with the same content, and its dead letter stays in the file once', async () => {
    const { oro, ws, env } = t;
    ws.writeNdjson('source.ndjson', [{ id: 'R1', name: 'Fine' }, { id: 'R2', name: '' }]);
    const config = ws.config('customers', oro);
    const first = await runCli(['run', '--once', config], { env });
    expect(first.code).to.equal(1);
    oro.resetLog();
    const second = await runCli(['run', '--once', '--from-start', config], { env });
    expect(second.code, second.stderr).to.equal(1);
    expect(summaries(second.stdout)).to.deep.equal([{ created: 0, updated: 0, unchanged: 1, skipped: 0, rejected: 1, failed: 0 }]);
    expect(api()).to.deep.equal([]);
    expect(idChecks()).to.have.length(1);
    expect(ws.deadLetters().map((l) => l['record'])).to.deep.equal([{ id: 'R2', name: '' }]);

    // Fixed in the source: its content changed, so it is sent.
    ws.writeNdjson('source.ndjson', [{ id: 'R1', name: 'Fine' }, { id: 'R2', name: 'Fixed' }]);
    const third = await runCli(['run', '--once', '--from-start', config], { env });
    expect(summaries(third.stdout)).to.deep.equal([{ created: 1, updated: 0, unchanged: 1, skipped: 0, rejected: 0, failed: 0 }]);
  });

  it('a changed mapping sends everything once, and says why', async () => {
    const { oro, ws, env } = t;
    ws.writeNdjson('source.ndjson', [{ id: 'M1', name: 'One' }, { id: 'M2', name: 'Two' }]);
    const config = ws.config('customers', oro);
    await runCli(['run', '--once', config], { env });
    ws.config('customers', oro, { target: { attributes: { name: 'name', externalId: 'id', email: 'email' } } });
    const changed = await runCli(['run', '--once', '--from-start', config], { env });
    expect(changed.code, changed.stderr).to.equal(0);
    expect(summaries(changed.stdout)).to.deep.equal([{ created: 0, updated: 2, unchanged: 0, skipped: 0, rejected: 0, failed: 0 }]);
    expect(changed.stderr).to.contain('the mapping changed (target or transform): every record is sent once again');
    const after = await runCli(['run', '--once', '--from-start', config], { env });
    expect(summaries(after.stdout)).to.deep.equal([{ created: 0, updated: 0, unchanged: 2, skipped: 0, rejected: 0, failed: 0 }]);
    expect(after.stderr).not.to.contain('the mapping changed');
  });

  it('a changed transform module sends everything once', async () => {
    const { oro, ws, env } = t;
    ws.writeNdjson('source.ndjson', [{ id: 'T1', name: 'One' }]);
    ws.write('transform.mjs', "export default (r) => ({ type: 'customers', attributes: { name: r.name, externalId: r.id } });\n");
    const config = ws.config('customers', oro, { target: { transform: './transform.mjs' } });
    await runCli(['run', '--once', config], { env });
    const same = await runCli(['run', '--once', '--from-start', config], { env });
    expect(summaries(same.stdout)[0]?.unchanged).to.equal(1);
    ws.write('transform.mjs', "export default (r) => ({ type: 'customers', attributes: { name: r.name.toUpperCase(), externalId: r.id } });\n");
    const changed = await runCli(['run', '--once', '--from-start', config], { env });
    expect(summaries(changed.stdout)[0]).to.include({ updated: 1, unchanged: 0 });
    expect(names().get('T1')).to.equal('ONE');
  });

  it('--full ignores digests and the checkpoint for one run; the next run is change-detected again', async () => {
    const { oro, ws, env } = t;
    ws.writeNdjson('source.ndjson', [{ id: 'F1', name: 'One' }, { id: 'F2', name: 'Two' }]);
    const config = ws.config('customers', oro);
    await runCli(['run', '--once', config], { env });
    // Without --from-start: --full implies it (the checkpoint says the file was read).
    const full = await runCli(['run', '--once', '--full', config], { env });
    expect(full.code, full.stderr).to.equal(0);
    expect(summaries(full.stdout)).to.deep.equal([{ created: 0, updated: 2, unchanged: 0, skipped: 0, rejected: 0, failed: 0 }]);
    const next = await runCli(['run', '--once', '--from-start', config], { env });
    expect(summaries(next.stdout)).to.deep.equal([{ created: 0, updated: 0, unchanged: 2, skipped: 0, rejected: 0, failed: 0 }]);
  });

  it('a dry run counts unchanged records: "dry-run: create N, update M, skip K, reject R, unchanged U, delete D"', async () => {
    const { oro, ws, env } = t;
    ws.writeNdjson('source.ndjson', [{ id: 'Y1', name: 'One' }, { id: 'Y2', name: 'Two' }]);
    const config = ws.config('customers', oro);
    await runCli(['run', '--once', config], { env });
    ws.writeNdjson('source.ndjson', [{ id: 'Y1', name: 'One' }, { id: 'Y2', name: 'Two!' }, { id: 'Y3', name: 'Three' }]);
    const dry = await runCli(['run', '--dry-run', '--from-start', config], { env });
    expect(dry.stdout.trim().split('\n').at(-1)).to.equal('dry-run: create 1, update 1, skip 0, reject 0, unchanged 1, delete 0');
  });
});
