/**
 * An `http` export that lists every record, through the CLI: after a complete run the next one
 * reads every page again (change detection keeps the unchanged records from being sent); a run
 * that was interrupted resumes at its page; with `schedule.watermark` the runs are incremental.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { openStateStore } from '../../src/state/sqlite-state-store.js';
import { runCli, startCli, summaries, useFakeOroWorkspace, waitFor } from '../helpers/cli.js';
import { serve, type TestServer } from '../sources/serve.js';

interface Row { id: string; name: string; updatedAt: string }

describe('e2e: an http export is read whole every run, unless interrupted or incremental', function () {
  this.timeout(60_000);
  const t = useFakeOroWorkspace();
  let server: TestServer;
  let rows: Row[];
  /** Pages not answered while set (the export hangs there). */
  const held = new Set<number>();
  const at = (minute: number) => `2024-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

  beforeEach(async () => {
    rows = [1, 2, 3, 4, 5].map((i) => ({ id: `H${i}`, name: `Customer ${i}`, updatedAt: at(i) }));
    held.clear();
    // `?page=N&per_page=2`: pages 1-3, the third one short (it ends the export).
    server = await serve((url) => {
      const page = Number(url.searchParams.get('page'));
      const size = Number(url.searchParams.get('per_page'));
      if (held.has(page)) return { hang: true };
      return { json: { data: rows.slice((page - 1) * size, page * size) } };
    });
  });
  afterEach(() => server.close());

  const configWith = (extra: Record<string, unknown> = {}) => {
    const path = t.ws.config('customers', t.oro, { target: { relationships: {} }, ...extra });
    // The workspace's config merges sections: the http source replaces its ndjson one whole.
    const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    config['source'] = { kind: 'http', url: `${server.origin}/customers`, itemsPath: 'data', pagination: { kind: 'page', size: 2 } };
    writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
    return path;
  };
  const pagesAsked = () => server.requests.map((r) => Number(new URL(r, 'http://x').searchParams.get('page')));
  const writes = () => t.oro.requests.filter((r) => (r.method === 'POST' || r.method === 'PATCH') && r.path.includes('/api/customers')).length;
  const fresh = () => {
    server.requests.length = 0;
    t.oro.resetLog();
  };

  it('a second complete run reads every page again and sends nothing for records that did not change; a changed one is sent', async () => {
    const config = configWith();
    const first = await runCli(['run', '--once', config], { env: t.env });
    expect(first.code, first.stderr).to.equal(0);
    expect(summaries(first.stdout)).to.deep.equal([{ created: 5, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 }]);

    fresh();
    // No --from-start: the checkpoint of the complete run is there, and is not resumed from.
    const second = await runCli(['run', '--once', config], { env: t.env });
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stderr).to.contain('the export lists every record (http source): reading it whole');
    expect(pagesAsked()).to.deep.equal([1, 2, 3]);
    expect(summaries(second.stdout)).to.deep.equal([{ created: 0, updated: 0, unchanged: 5, skipped: 0, rejected: 0, failed: 0 }]);
    expect(writes()).to.equal(0);

    rows[3] = { ...rows[3]!, name: 'Customer 4 renamed' };
    rows.push({ id: 'H6', name: 'Customer 6', updatedAt: at(6) });
    fresh();
    const third = await runCli(['run', '--once', config], { env: t.env });
    expect(third.code, third.stderr).to.equal(0);
    // Six records: page 3 is full now, and the empty page 4 ends the export.
    expect(pagesAsked()).to.deep.equal([1, 2, 3, 4]);
    expect(summaries(third.stdout)).to.deep.equal([{ created: 1, updated: 1, unchanged: 4, skipped: 0, rejected: 0, failed: 0 }]);
    expect(writes()).to.equal(2);
    expect(t.oro.records('customers').find((c) => c.attributes?.['externalId'] === 'H4')?.attributes?.['name']).to.equal('Customer 4 renamed');
  });

  it('a run killed mid-export resumes at its page, not at the first one', async () => {
    const config = configWith();
    expect((await runCli(['run', '--once', config], { env: t.env })).code).to.equal(0);

    // The second run finishes pages 1 and 2 (four records), then waits on page 3 and is killed.
    held.add(3);
    fresh();
    const interrupted = startCli(['run', '--once', config], { env: t.env });
    const store = openStateStore(t.ws.path('state.db'));
    try {
      await waitFor(async () => {
        const checkpoint = await store.getCheckpoint('customers');
        return checkpoint?.complete === false && checkpoint.seq === 3;
      }, 'the checkpoint of the interrupted run over records 1-4');
    } finally {
      await store.close();
    }
    interrupted.kill('SIGKILL');
    await interrupted.exited;
    expect(pagesAsked()).to.include.members([1, 2, 3]);

    held.clear();
    fresh();
    const resumed = await runCli(['run', '--once', config], { env: t.env });
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(resumed.stderr).to.contain('resuming from checkpoint: the last run was interrupted');
    // Page 2 again (its records after the checkpoint are dropped), then page 3: never page 1.
    expect(pagesAsked()).to.deep.equal([2, 3]);
    expect(summaries(resumed.stdout)).to.deep.equal([{ created: 0, updated: 0, unchanged: 1, skipped: 0, rejected: 0, failed: 0 }]);

    // That run completed: the next one reads the export whole again.
    fresh();
    const next = await runCli(['run', '--once', config], { env: t.env });
    expect(pagesAsked()).to.deep.equal([1, 2, 3]);
    expect(summaries(next.stdout)[0]?.unchanged).to.equal(5);
  });

  it('with schedule.watermark the export is read for what changed since the last complete run', async () => {
    const config = configWith({ schedule: { watermark: 'updatedAt' } });
    expect(summaries((await runCli(['run', '--once', config], { env: t.env })).stdout)[0]?.created).to.equal(5);

    rows.push({ id: 'H6', name: 'Customer 6', updatedAt: at(6) });
    // Edited without a newer change time: an incremental run leaves it alone.
    rows[0] = { ...rows[0]!, name: 'Customer 1 edited, same time' };
    fresh();
    const second = await runCli(['run', '--once', config], { env: t.env });
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stderr).to.contain(`the export is read for records changed since ${at(5)} (schedule.watermark)`);
    // H5 has the watermark's own time (read again, unchanged); H6 is new; H1-H4 are older.
    expect(summaries(second.stdout)).to.deep.equal([{ created: 1, updated: 0, unchanged: 1, skipped: 0, rejected: 0, failed: 0 }]);
    expect(writes()).to.equal(1);
    expect(t.oro.records('customers').find((c) => c.attributes?.['externalId'] === 'H1')?.attributes?.['name']).to.equal('Customer 1');
  });
});
