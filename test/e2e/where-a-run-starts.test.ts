/**
 * Where a run starts after a complete one (source.changes): a file grown in place is read from
 * where the last run stopped; a replaced, truncated or rewritten one is read whole.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { runCli, summaries, useFakeOroWorkspace } from '../helpers/cli.js';

describe('e2e: where a run starts', function () {
  this.timeout(60_000);
  const t = useFakeOroWorkspace();

  const nameOf = (key: string) =>
    t.oro.records('customers').find((c) => c.attributes?.['externalId'] === key)?.attributes?.['name'];
  const run = async (config: string) => {
    const result = await runCli(['run', '--once', config], { env: t.env });
    expect(result.code, result.stderr).to.equal(0);
    return { ...summaries(result.stdout)[0], stderr: result.stderr };
  };

  it('a replaced CSV (one renamed, one added) is read whole: Oro gets the rename and the new customer', async () => {
    const { oro, ws } = t;
    ws.write('customers.csv', 'id,name\nC1,Ada\nC2,Bob\n');
    // No group column in this export: a mapping reading one would be refused (a header without a mapped column).
    const config = ws.config('customers', oro, { source: { kind: 'csv', path: 'customers.csv' }, target: { relationships: {} } });
    expect(await run(config)).to.include({ created: 2 });
    // The nightly export writes a new file and moves it over the old one.
    ws.write('customers.csv.tmp', 'id,name\nC1,Ada\nC2,Bobby\nC3,Cy\n');
    renameSync(ws.path('customers.csv.tmp'), ws.path('customers.csv'));
    const second = await run(config);
    expect(second).to.include({ created: 1, updated: 1, unchanged: 1 });
    expect(second.stderr).to.match(/customers\.csv was replaced \(inode changed\): reading it whole/);
    expect(nameOf('C2')).to.equal('Bobby');
    expect(nameOf('C3')).to.equal('Cy');
  });

  it('a file grown in place: only what was appended is read', async () => {
    const { oro, ws } = t;
    ws.writeNdjson('source.ndjson', [{ id: 'G1', name: 'One' }, { id: 'G2', name: 'Two' }]);
    const config = ws.config('customers', oro);
    expect(await run(config)).to.include({ created: 2 });
    ws.appendNdjson('source.ndjson', [{ id: 'G3', name: 'Three' }]);
    const second = await run(config);
    expect(second).to.include({ created: 1, updated: 0 });
    expect(second.stderr).to.match(/source\.ndjson grew by \d+ bytes: reading what was appended/);
    expect(await run(config)).to.include({ created: 0, updated: 0 });
  });

  it('a file truncated, or rewritten in place at the same size, is read whole', async () => {
    const { oro, ws } = t;
    ws.writeNdjson('source.ndjson', [{ id: 'T1', name: 'Aaa' }, { id: 'T2', name: 'Bbb' }]);
    const config = ws.config('customers', oro);
    await run(config);
    // Same inode, same size, other bytes.
    writeFileSync(ws.path('source.ndjson'), `${JSON.stringify({ id: 'T1', name: 'Xxx' })}\n${JSON.stringify({ id: 'T2', name: 'Yyy' })}\n`, { flag: 'r+' });
    const rewritten = await run(config);
    expect(rewritten).to.include({ updated: 2 });
    expect(rewritten.stderr).to.match(/source\.ndjson was rewritten in place/);
    expect(nameOf('T1')).to.equal('Xxx');
    // Same inode, fewer bytes.
    writeFileSync(ws.path('source.ndjson'), `${JSON.stringify({ id: 'T1', name: 'Z' })}\n`);
    const truncated = await run(config);
    expect(truncated).to.include({ updated: 1 });
    expect(truncated.stderr).to.match(/source\.ndjson was truncated/);
  });

  it('source.changes "append" continues after the last record even in a replaced file; "snapshot" reads a grown one whole', async () => {
    const { oro, ws } = t;
    ws.writeNdjson('source.ndjson', [{ id: 'A1', name: 'One' }]);
    const append = ws.config('customers', oro, { source: { kind: 'ndjson', path: 'source.ndjson', changes: 'append' } });
    await run(append);
    ws.writeNdjson('other.ndjson', [{ id: 'A1', name: 'One again' }, { id: 'A2', name: 'Two' }]);
    renameSync(ws.path('other.ndjson'), ws.path('source.ndjson'));
    expect(await run(append)).to.include({ created: 1, updated: 0 });
    expect(nameOf('A1')).to.equal('One');

    const snapshot = ws.config('customers', oro, { source: { kind: 'ndjson', path: 'source.ndjson', changes: 'snapshot' } });
    ws.appendNdjson('source.ndjson', [{ id: 'A3', name: 'Three' }]);
    const whole = await run(snapshot);
    expect(whole).to.include({ created: 1, updated: 1, unchanged: 1 });
    expect(whole.stderr).to.match(/source\.changes \\"snapshot\\": reading it whole/);
  });
});
