/**
 * The state store in PostgreSQL (`state.url`) through the CLI: what one run stores (Oro ids,
 * digests, run history) the next run reads, also when it runs from another directory, as a
 * worker on another host would; an unreachable database stops the run with exit 2 and one line
 * naming `state.url` without its password.
 */
import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { closedPort, runCli, summaries, useFakeOroWorkspace, workspace } from '../helpers/cli.js';
import { dropSchema, ensureTestDatabase, PG_TEST_URL, uniqueSchema, withTestDatabase } from '../helpers/state-backends.js';

describe('e2e: shared state store in PostgreSQL (state.url)', function () {
  this.timeout(60_000);
  const t = useFakeOroWorkspace();
  let schema: string;
  before(() => ensureTestDatabase());
  beforeEach(() => {
    schema = uniqueSchema();
  });
  afterEach(() => dropSchema(schema));

  const customers = (n: number, renamed: Record<string, string> = {}) =>
    Array.from({ length: n }, (_, i) => ({ id: `S${i + 1}`, name: renamed[`S${i + 1}`] ?? `Shared ${i + 1}` }));
  // A run's start reads back a sample of the stored ids (one GET filter[id]: is this still the
  // Oro they came from?): the requests for records are the others.
  const isIdCheck = (r: { method: string; query: string }) => r.method === 'GET' && r.query.includes('filter%5Bid%5D');
  const api = () => t.oro.requests.filter((r) => r.path.includes('/api/customers') && !isIdCheck(r));
  const idChecks = () => t.oro.requests.filter((r) => r.path.includes('/api/customers') && isIdCheck(r));

  it('a second run, from another directory, finds the ids and digests the first stored: unchanged records cost no request, a changed one is updated without a lookup', async () => {
    const { oro, ws, env } = t;
    const shared = { ...env, STATE_URL: `${PG_TEST_URL}?schema=${schema}` };
    // `path: undefined` replaces the workspace's default `state.path` (JSON leaves it out).
    const overrides = { state: { path: undefined, url: '${STATE_URL}' }, target: { relationships: {} } };
    ws.writeNdjson('source.ndjson', customers(20));
    const first = await runCli(['run', '--once', ws.config('customers', oro, overrides)], { env: shared });
    expect(first.code, first.stderr).to.equal(0);
    expect(summaries(first.stdout)).to.deep.equal([{ created: 20, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 }]);
    expect(existsSync(ws.path('state.db')), 'no SQLite file beside the config').to.equal(false);
    const stored = await withTestDatabase(async (client) => Number((await client.query(`SELECT count(*) AS n FROM "${schema}".oro_sync_ids`)).rows[0].n));
    expect(stored).to.equal(20);

    // Another worker: its own directory and config file, the same database.
    const other = workspace();
    try {
      other.writeNdjson('source.ndjson', customers(20, { S7: 'Renamed' }));
      oro.resetLog();
      const second = await runCli(['run', '--once', other.config('customers', oro, overrides)], { env: shared });
      expect(second.code, second.stderr).to.equal(0);
      expect(summaries(second.stdout)).to.deep.equal([{ created: 0, updated: 1, unchanged: 19, skipped: 0, rejected: 0, failed: 0 }]);
      // The renamed one is PATCHed at the id the first run stored: no lookup, nothing else sent.
      expect(api().map((r) => r.method)).to.deep.equal(['PATCH']);
      expect(idChecks()).to.have.length(1);
      expect(oro.records('customers')).to.have.length(20);
    } finally {
      other.cleanup();
    }
    const runs = await withTestDatabase(async (client) => (await client.query(`SELECT status FROM "${schema}".oro_sync_runs ORDER BY id`)).rows);
    expect(runs).to.deep.equal([{ status: 'ok' }, { status: 'ok' }]);
  });

  it('an unreachable database: exit 2, one line naming state.url with its password replaced', async () => {
    const { oro, ws, env } = t;
    const port = await closedPort();
    ws.writeNdjson('source.ndjson', customers(2));
    const config = ws.config('customers', oro, { state: { path: undefined, url: `postgres://sync:\${PG_PASSWORD}@127.0.0.1:${port}/oro_sync` } });
    const result = await runCli(['run', '--once', config], { env: { ...env, PG_PASSWORD: 'very-secret-pw' } });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain(`state.url postgres://sync:***@127.0.0.1:${port}/oro_sync: cannot connect or open the store`);
    expect(result.stderr + result.stdout).to.not.contain('very-secret-pw');
    expect(api()).to.deep.equal([]);
  });
});
