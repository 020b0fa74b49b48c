/**
 * `oro-sync run --dry-run`: reads, maps and looks up, prints the documents it would send and the
 * exact dry-run summary, and writes nothing into Oro (nor checkpoints, nor dead letters).
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { runCli, useFakeOroWorkspace } from '../helpers/cli.js';

const WRITES = new Set(['POST', 'PATCH', 'DELETE', 'PUT']);

describe('e2e: run --dry-run', function () {
  this.timeout(30_000);
  const t = useFakeOroWorkspace();

  const apiWrites = () => t.oro.requests.filter((r) => WRITES.has(r.method) && r.path !== '/oauth2-token');
  const records = [
    { id: 'D1', name: 'Alpha' },
    { id: 'D2', name: 'Beta' },
    // Invalid before Oro is asked (no key), so a dry run can tell; Oro's own validation it cannot.
    { name: 'No key' },
  ];

  it('prints the documents and "dry-run: create N, update M, skip K, reject R, unchanged U, delete D", leaving Oro untouched', async () => {
    const { oro, ws, env } = t;
    ws.writeNdjson('source.ndjson', records);
    const config = ws.config('customers', oro);
    const before = oro.records('customers');
    const result = await runCli(['run', '--dry-run', config], { env });
    // A record that would be rejected makes a dry run exit 1, as the real run would.
    expect(result.code, result.stderr).to.equal(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines.at(-1)).to.equal('dry-run: create 2, update 0, skip 0, reject 1, unchanged 0, delete 0');
    const documents = lines.slice(0, -1).map((l) => JSON.parse(l) as { action: string; document: { data: { type: string; attributes: Record<string, unknown> } } });
    expect(documents.map((d) => [d.action, d.document.data.type, d.document.data.attributes['externalId']])).to.deep.equal([
      ['create', 'customers', 'D1'],
      ['create', 'customers', 'D2'],
    ]);
    expect(apiWrites()).to.deep.equal([]);
    expect(oro.records('customers')).to.deep.equal(before);
    expect(existsSync(ws.path('dead-letters.ndjson'))).to.equal(false);
  });

  it('after a real run, reports updates and still writes nothing', async () => {
    const { oro, ws, env } = t;
    ws.writeNdjson('source.ndjson', records);
    const config = ws.config('customers', oro);
    const real = await runCli(['run', '--once', config], { env });
    expect(real.code, real.stderr).to.equal(1);
    ws.writeNdjson('source.ndjson', [
      { id: 'D1', name: 'Alpha renamed' },
      { id: 'D2', name: 'Beta renamed' },
      { id: 'D4', name: 'Delta' },
    ]);
    const before = oro.records('customers');
    oro.resetLog();
    // --from-start: the real run's checkpoint would otherwise skip the lines already read.
    const result = await runCli(['run', '--dry-run', '--from-start', config], { env });
    expect(result.code, result.stderr).to.equal(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.at(-1)).to.equal('dry-run: create 1, update 2, skip 0, reject 0, unchanged 0, delete 0');
    const actions = lines.slice(0, -1).map((l) => {
      const d = JSON.parse(l) as { action: string; document: { data: { id?: string; attributes: Record<string, unknown> } } };
      return [d.action, d.document.data.attributes['name']];
    });
    expect(actions).to.have.deep.members([
      ['update', 'Alpha renamed'],
      ['update', 'Beta renamed'],
      ['create', 'Delta'],
    ]);
    expect(apiWrites()).to.deep.equal([]);
    expect(oro.records('customers')).to.deep.equal(before);
  });
});
