/**
 * The other commands as users meet them: `fake-oro` (its first stdout line, SIGTERM), `demo`, and
 * `--help` on every command.
 */
import { expect } from 'chai';
import { ensureBuilt, runCli, startCli, workspace } from '../helpers/cli.js';

describe('e2e: fake-oro, demo and --help', function () {
  this.timeout(30_000);
  before(function () {
    // The first e2e file compiles src: on a loaded machine that outlasts a test's timeout.
    this.timeout(300_000);
    return ensureBuilt();
  });

  it('fake-oro --port 0 prints {"baseUrl","tokenUrl"} first, serves tokens, and exits 0 on SIGTERM', async () => {
    const fake = startCli(['fake-oro', '--port', '0', '--client-id', 'e2e-id', '--client-secret', 'e2e-secret']);
    await fake.waitForLines(/./);
    const first = fake.stdout.split('\n')[0] ?? '';
    const match = /^\{"baseUrl":"http:\/\/127\.0\.0\.1:(\d+)\/admin\/api","tokenUrl":"http:\/\/127\.0\.0\.1:(\d+)\/oauth2-token"\}$/.exec(first);
    expect(match, first).not.to.equal(null);
    expect(match?.[1]).to.equal(match?.[2]);
    expect(Number(match?.[1])).to.be.greaterThan(0);
    const { tokenUrl } = JSON.parse(first) as { tokenUrl: string };
    const grant = (secret: string) =>
      fetch(tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'e2e-id', client_secret: secret }) });
    expect((await grant('e2e-secret')).status).to.equal(200);
    expect((await grant('oro-sync-demo-secret')).status).to.equal(401);

    fake.kill('SIGTERM');
    const result = await fake.exited;
    expect(result.code).to.equal(0);
    expect(result.signal).to.equal(null);
  });

  it('fake-oro --rate-limit 2 refuses the third request of a second with 429 and Retry-After, as a proxy would', async () => {
    const fake = startCli(['fake-oro', '--port', '0', '--rate-limit', '2']);
    try {
      await fake.waitForLines(/./);
      const { baseUrl, tokenUrl } = JSON.parse(fake.stdout.split('\n')[0] ?? '') as { baseUrl: string; tokenUrl: string };
      const grant = await fetch(tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'oro-sync-demo', client_secret: 'oro-sync-demo-secret' }) });
      const { access_token: token } = (await grant.json()) as { access_token: string };
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await fetch(`${baseUrl}/customers`, { headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.api+json' } }));
      expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 429]);
      expect(answers[2]!.headers.get('retry-after')).to.equal('1');
    } finally {
      fake.kill('SIGTERM');
      await fake.exited;
    }
  });

  it('fake-oro --workers 1 --queue-limit 0: of two requests at once, one is served and one answered 503', async () => {
    const fake = startCli(['fake-oro', '--port', '0', '--workers', '1', '--per-request-ms', '200', '--per-record-ms', '1', '--queue-limit', '0']);
    try {
      await fake.waitForLines(/./);
      const { baseUrl, tokenUrl } = JSON.parse(fake.stdout.split('\n')[0] ?? '') as { baseUrl: string; tokenUrl: string };
      const grant = await fetch(tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'oro-sync-demo', client_secret: 'oro-sync-demo-secret' }) });
      const { access_token: token } = (await grant.json()) as { access_token: string };
      const get = () => fetch(`${baseUrl}/customers`, { headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.api+json' } });
      const answers = await Promise.all([get(), get()]);
      expect(answers.map((a) => a.status).sort()).to.deep.equal([200, 503]);
      expect(answers.find((a) => a.status === 503)?.headers.get('retry-after')).to.equal('1');
    } finally {
      fake.kill('SIGTERM');
      await fake.exited;
    }
  });

  it('demo --records 300 --latency 0 --no-progress ends with a summary and exit 0', async () => {
    // The demo keeps its files for the user to look at: put them where the test cleans up.
    const ws = workspace();
    const result = await runCli(['demo', '--records', '300', '--latency', '0', '--no-progress'], { env: { TMPDIR: ws.dir } }).finally(() => ws.cleanup());
    expect(result.code, result.stderr.slice(-2000)).to.equal(0);
    // Every 50th generated customer is invalid on purpose.
    expect(result.stdout).to.match(/^done: created 294, updated 0, unchanged 0, skipped 0, rejected 6, failed 0 in [\d.]+ s/m);
    expect(result.stdout).to.match(/^dead letters: .+dead-letters\.ndjson$/m);
    expect(result.stdout).to.include('demo: Oro now holds 294 customers');
  });

  it('--help works on the program and on every command', async () => {
    const commands = ['run', 'check', 'status', 'replay', 'publish', 'demo', 'fake-oro'];
    const results = await Promise.all([runCli(['--help']), ...commands.map((c) => runCli([c, '--help']))]);
    const [top, ...each] = results;
    expect(top?.code).to.equal(0);
    for (const command of commands) expect(top?.stdout).to.match(new RegExp(`^\\s+${command}\\b`, 'm'));
    each.forEach((result, i) => {
      expect(result.code, commands[i]).to.equal(0);
      expect(result.stdout).to.match(new RegExp(`^Usage: oro-sync ${commands[i]}`, 'm'));
    });
    expect(each[0]?.stdout).to.include('--once').and.include('--dry-run').and.include('--from-start');
  });
});
