/**
 * `oro-sync status` through the built CLI, after a run in which Oro rejected a record: the last
 * runs with their exit codes, the checkpoint, the known keys, the record waiting as rejected,
 * one key with `--key`, all of it as JSON with `--json`; and a clear exit 2 when nothing ran yet.
 */
import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { runCli, useFakeOroWorkspace } from '../helpers/cli.js';

describe('e2e: status reports what the state store knows of a pipeline', function () {
  this.timeout(30_000);
  const t = useFakeOroWorkspace();

  const afterARejection = async () => {
    const { oro, ws, env } = t;
    ws.writeNdjson('source.ndjson', [{ id: 'S1', name: 'Fine' }, { id: 'S2', name: '' }]);
    const config = ws.config('customers', oro);
    const run = await runCli(['run', '--once', config], { env });
    expect(run.code, run.stderr).to.equal(1);
    return config;
  };

  it('lists the run (partial, exit 1), the complete checkpoint, 2 known keys and the rejected one with Oro\'s reason', async () => {
    const config = await afterARejection();
    const status = await runCli(['status', config], { env: t.env });
    expect(status.code, status.stderr).to.equal(0);
    const lines = status.stdout.trimEnd().split('\n');
    expect(lines[0]).to.equal(`pipeline   customers (target customers, state ${t.ws.path('state.db')})`);
    expect(lines[1]).to.match(/^checkpoint seq 1, last run complete, resume \{"line":2\}, saved \d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(lines).to.include('keys       2 known: 1 confirmed, 1 rejected, 0 failed');
    expect(lines.find((l) => l.startsWith('  #1 '))).to.match(/^ {2}#1 {2}\S+ {2}[\d.]+ s {2}partial {2}exit 1 {2}created 1, updated 0, unchanged 0, skipped 0, rejected 1, failed 0$/);
    expect(lines).to.include('waiting    1 rejected (sent again when their content changes), 0 failed (sent again next run):');
    const waiting = lines.find((l) => l.startsWith('  S2 '));
    expect(waiting).to.match(/^ {2}S2 {2}rejected {2}\S+Z {2}4\d\d .+\(\/data\/attributes\/name\)$/);
    expect(status.stdout).not.to.contain(t.oro.clientSecret);
  });

  it('--key: the Oro id Oro gave the key, its last outcome and when; --json: the same as one document', async () => {
    const config = await afterARejection();
    const id = t.oro.records('customers').find((r) => r.attributes?.['externalId'] === 'S1')?.id;
    expect(id).to.be.a('string');
    const one = await runCli(['status', config, '--key', 'S1'], { env: t.env });
    expect(one.code, one.stderr).to.equal(0);
    expect(one.stdout).to.match(new RegExp(`^oro id {5}${id}$`, 'm'));
    expect(one.stdout).to.match(/^outcome {4}confirmed at \S+Z$/m);

    const json = await runCli(['status', config, '--key', 'S2', '--json'], { env: t.env });
    expect(json.code, json.stderr).to.equal(0);
    const key = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(key).to.deep.include({ pipeline: 'customers', key: 'S2', known: true, lastOutcome: 'rejected' });
    expect((key['errors'] as { pointer?: string }[])[0]?.pointer).to.equal('/data/attributes/name');

    const all = await runCli(['status', config, '--json'], { env: t.env });
    expect(all.code, all.stderr).to.equal(0);
    expect(all.stdout.trim().split('\n')).to.have.length(1);
    const doc = JSON.parse(all.stdout) as { keys: unknown; runs: { status: string; exitCode: number }[]; checkpoint: { complete: boolean }; waiting: { shown: { key: string }[] } };
    expect(doc.keys).to.deep.equal({ known: 2, confirmed: 1, rejected: 1, failed: 0 });
    expect(doc.runs.map((r) => [r.status, r.exitCode])).to.deep.equal([['partial', 1]]);
    expect(doc.checkpoint.complete).to.equal(true);
    expect(doc.waiting.shown.map((k) => k.key)).to.deep.equal(['S2']);
  });

  it('before any run: one line saying there is no state store, exit 2, and no file created', async () => {
    const config = t.ws.config('customers', t.oro);
    const status = await runCli(['status', config], { env: t.env });
    expect(status.code).to.equal(2);
    expect(status.stdout).to.equal('');
    expect(status.stderr.trim()).to.equal(`oro-sync: ${config}: no state store at ${t.ws.path('state.db')} (state.path): pipeline customers has not run yet, nothing to report`);
    expect(existsSync(t.ws.path('state.db'))).to.equal(false);
  });
});
