/**
 * What users hit, through the CLI against the fake Oro: a closed standard output, a malformed
 * line read again and again, a dry run that must agree with the run, `--log-level debug`, and a
 * mapping changed while the file stayed as it was.
 */
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { MAIN, runCli, SECRET_ENV, summaries, useFakeOroWorkspace, type CliResult } from '../helpers/cli.js';

/** `node main.js ...args | reader` in bash: the CLI's exit code and standard error. */
function piped(args: readonly string[], reader: string, env: Record<string, string>, cwd: string): Promise<Pick<CliResult, 'code' | 'stderr'>> {
  const command = `"${process.execPath}" "${MAIN}" ${args.map((a) => `'${a}'`).join(' ')} 2>"$ERR_FILE" | ${reader}; echo "\${PIPESTATUS[0]}"`;
  return new Promise((done, fail) => {
    const child = spawn('bash', ['-c', `ERR_FILE=$(mktemp); ${command}; cat "$ERR_FILE" >&2; rm -f "$ERR_FILE"`], {
      cwd, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? cwd, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', () => done({ code: Number(stdout.trim().split('\n').at(-1)), stderr }));
  });
}

describe('e2e: small things users hit', function () {
  this.timeout(60_000);
  const t = useFakeOroWorkspace();
  const people = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `K${i + 1}`, name: `Name ${i + 1}`, alt: `Other ${i + 1}` }));

  it('a closed standard output ends status and a dry run quietly: no stack trace', async () => {
    const { oro, ws, env } = t;
    ws.writeNdjson('source.ndjson', people(300));
    const config = ws.config('customers', oro, { target: { relationships: {} } });
    expect((await runCli(['run', '--once', config], { env })).code).to.equal(0);
    // `true` reads nothing and exits at once: every line the CLI writes meets a closed pipe.
    const status = await piped(['status', config], 'true', env, ws.dir);
    expect(status.stderr).to.not.match(/EPIPE|\n\s+at /);
    expect(status.code).to.equal(0);
    const dry = await piped(['run', '--dry-run', '--from-start', config], 'head -1 >/dev/null', env, ws.dir);
    expect(dry.stderr).to.not.match(/EPIPE|\n\s+at |Error:/);
    expect(dry.code).to.equal(0);
  });

  it('a malformed source line is dead-lettered once, not again on every whole read', async () => {
    const { oro, ws, env } = t;
    ws.write('source.ndjson', '{"id":"K1","name":"One"}\n{"id":"K2","name":\n{"id":"K3","name":"Three"}\n');
    const config = ws.config('customers', oro, { source: { kind: 'ndjson', path: 'source.ndjson', changes: 'snapshot' }, target: { relationships: {} } });
    for (let run = 1; run <= 4; run += 1) {
      const result = await runCli(['run', '--once', config], { env });
      expect(result.code, result.stderr).to.equal(1);
      expect(summaries(result.stdout)[0]?.rejected).to.equal(1);
    }
    const letters = ws.deadLetters();
    expect(letters.map((l) => [l['status'], l['where']])).to.deep.equal([['rejected', `${ws.path('source.ndjson')}:2`]]);
  });

  it('a dry run says unchanged wherever the run would, with a relationship matched by key', async () => {
    const { oro, ws, env } = t;
    oro.seed('customergroups', { name: 'Gold' });
    ws.writeNdjson('source.ndjson', people(7).map((p) => ({ ...p, groupName: 'Gold' })));
    const config = ws.config('customers', oro, { target: { relationships: { group: { type: 'customergroups', source: 'groupName', match: 'name' } } } });
    const first = await runCli(['run', '--once', config], { env });
    expect(summaries(first.stdout)).to.deep.equal([{ created: 7, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 }]);
    const dry = await runCli(['run', '--dry-run', '--from-start', config], { env });
    expect(dry.code, dry.stderr).to.equal(0);
    expect(dry.stdout.trim().split('\n').at(-1)).to.equal('dry-run: create 0, update 0, skip 0, reject 0, unchanged 7, delete 0');
    const again = await runCli(['run', '--once', '--from-start', config], { env });
    expect(summaries(again.stdout)).to.deep.equal([{ created: 0, updated: 0, unchanged: 7, skipped: 0, rejected: 0, failed: 0 }]);
  });

  it('--log-level debug logs every request: method, path and query, status, ms, records and keys; never a secret or a token', async () => {
    const { oro, ws, env } = t;
    ws.writeNdjson('source.ndjson', people(2));
    const config = ws.config('customers', oro, { target: { relationships: {} } });
    const result = await runCli(['--log-level', 'debug', 'run', '--once', config], { env });
    expect(result.code, result.stderr).to.equal(0);
    const requests = result.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request');
    const posts = requests.filter((r) => r['method'] === 'POST');
    expect(posts.map((r) => r['keys'])).to.have.deep.members([['K1'], ['K2']]);
    for (const post of posts) expect(post).to.deep.include({ path: '/admin/api/customers', status: 201, records: 1 }).and.have.property('ms');
    expect(requests.some((r) => r['method'] === 'GET' && String(r['query']).includes('filter[externalId]='))).to.equal(true);
    expect(result.stderr).to.not.include(env[SECRET_ENV]);
    expect(result.stderr).to.not.match(/Bearer /);
  });

  it('a mapping change on an unchanged file sends every record once, then nothing', async () => {
    const { oro, ws, env } = t;
    ws.writeNdjson('source.ndjson', people(5));
    const config = ws.config('customers', oro, { target: { relationships: {} } });
    expect(summaries((await runCli(['run', '--once', config], { env })).stdout)[0]?.created).to.equal(5);
    const remapped = ws.config('customers', oro, { target: { relationships: {}, attributes: { name: 'alt', externalId: 'id' } } });
    expect(remapped).to.equal(config);
    const changed = await runCli(['run', '--once', config], { env });
    expect(changed.code, changed.stderr).to.equal(0);
    expect(summaries(changed.stdout)).to.deep.equal([{ created: 0, updated: 5, unchanged: 0, skipped: 0, rejected: 0, failed: 0 }]);
    expect(oro.records('customers').map((r) => r.attributes?.['name']).sort()).to.deep.equal(['Other 1', 'Other 2', 'Other 3', 'Other 4', 'Other 5']);
    const after = await runCli(['run', '--once', config], { env });
    expect(after.code, after.stderr).to.equal(0);
    expect(after.stderr).to.include('is unchanged since the last run: nothing new to read');
    expect(summaries(after.stdout)).to.deep.equal([{ created: 0, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 }]);
  });
});
