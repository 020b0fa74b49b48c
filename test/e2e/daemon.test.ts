/**
 * `oro-sync run` without `--once`: the daemon, against the `oro-sync fake-oro` child process.
 * Each iteration resumes from the checkpoint, so lines appended to the NDJSON source between runs
 * are synced, and only those; SIGTERM ends it with exit 0.
 */
import { expect } from 'chai';
import { ensureBuilt, SECRET_ENV, startCli, summaries, waitFor, workspace, type CliProcess, type Workspace } from '../helpers/cli.js';

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
    expect(first).to.deep.equal({ created: 20, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 });
    expect(second).to.deep.equal({ created: 7, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 });
    // Any later iteration (before the signal landed) found nothing new.
    for (const later of summaries(result.stdout).slice(2)) expect(later).to.deep.equal({ created: 0, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 });
  });

  it('serves Prometheus metrics, /healthz and /readyz while it runs, on loopback', async () => {
    ws.writeNdjson('source.ndjson', [...customers(100, 5), { id: 'BAD', name: '' }]);
    const config = ws.config('customers', endpoint, { schedule: { intervalSeconds: 1 }, metrics: { port: 0 } });
    const daemon = startCli(['run', config], { env });
    try {
      await daemon.waitForLines(/^done: /, 1);
      let port = 0;
      await waitFor(() => {
        const line = daemon.stderr.split('\n').find((l) => l.includes('"port"') && l.includes('metrics'));
        port = line ? (JSON.parse(line) as { port: number }).port : 0;
        return port > 0;
      }, 'the metrics port in the log');
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).to.match(/oro_sync_records_total\{target="customers",outcome="created"\} 5/);
      expect(text).to.match(/oro_sync_records_total\{target="customers",outcome="rejected"\} 1/);
      expect(text).to.match(/oro_sync_requests_total\{method="POST",status="201"\} 5/);
      expect(text).to.match(/oro_sync_token_grants_total 1/);
      expect(text).to.match(/oro_sync_batch_duration_seconds_count \d+/);
      expect(text).not.to.contain('oro-sync-demo-secret');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).to.equal(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).to.equal(200);
    } finally {
      daemon.kill('SIGTERM');
      await daemon.exited;
    }
  });
});
