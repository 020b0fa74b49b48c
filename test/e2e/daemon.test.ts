/**
 * `oro-sync run` without `--once`: the daemon, against the `oro-sync fake-oro` child process.
 * Each iteration resumes from the checkpoint, so lines appended to the NDJSON source between runs
 * are synced, and only those; SIGTERM ends it with exit 0.
 */
import { expect } from 'chai';
import { ensureBuilt, SECRET_ENV, startCli, summaries, workspace, type CliProcess, type Workspace } from '../helpers/cli.js';

describe('e2e: run as a daemon (against the fake-oro child)', function () {
  this.timeout(30_000);
  let fake: CliProcess;
  let endpoint: { baseUrl: string; tokenUrl: string; clientId: string };
  let ws: Workspace;
  const env = { [SECRET_ENV]: 'oro-sync-demo-secret' };

  before(async () => {
    await ensureBuilt();
    fake = startCli(['fake-oro', '--port', '0']);
    const [first] = await fake.waitForLines(/^\{/);
    endpoint = { ...(JSON.parse(first ?? '{}') as { baseUrl: string; tokenUrl: string }), clientId: 'oro-sync-demo' };
  });
  after(async () => {
    fake.kill('SIGTERM');
    await fake.exited;
  });
  beforeEach(() => (ws = workspace()));
  afterEach(() => ws.cleanup());

  const customers = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: `N${from + i}`, name: `Customer ${from + i}` }));

  it('picks up the records appended between runs, and only those, then stops on SIGTERM with exit 0', async () => {
    ws.writeNdjson('source.ndjson', customers(1, 20));
    const config = ws.config('customers', endpoint, { schedule: { intervalSeconds: 1 } });
    const daemon = startCli(['run', config], { env });

    await daemon.waitForLines(/^done: /, 1);
    // The next iteration starts a second from now: append before it.
    ws.appendNdjson('source.ndjson', customers(21, 7));
    await daemon.waitForLines(/^done: /, 2);
    daemon.kill('SIGTERM');
    const result = await daemon.exited;

    expect(result.code, result.stderr.slice(-2000)).to.equal(0);
    const [first, second] = summaries(result.stdout);
    expect(first).to.deep.equal({ created: 20, updated: 0, skipped: 0, rejected: 0, failed: 0 });
    expect(second).to.deep.equal({ created: 7, updated: 0, skipped: 0, rejected: 0, failed: 0 });
    // Any later iteration (before the signal landed) found nothing new.
    for (const later of summaries(result.stdout).slice(2)) expect(later).to.deep.equal({ created: 0, updated: 0, skipped: 0, rejected: 0, failed: 0 });
  });
});
