/**
 * `oro-sync run --once` as a user runs it: a child process against an in-process fake Oro, and
 * the exit codes of the contract (0 all synced, 1 some rejected, 2 could not proceed).
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { closedPort, ensureBuilt, runCli, SECRET_ENV, summaries, workspace, type Workspace } from '../helpers/cli.js';

const SECRET = 'e2e-exit-codes-s3cret';

describe('e2e: run --once exit codes', function () {
  this.timeout(30_000);
  let oro: FakeOro;
  let ws: Workspace;
  const env = { [SECRET_ENV]: SECRET };

  before(function () {
    // The first e2e file compiles src: on a loaded machine that outlasts a test's timeout.
    this.timeout(300_000);
    return ensureBuilt();
  });
  beforeEach(async () => {
    oro = await startFakeOro({ clientSecret: SECRET });
    ws = workspace();
  });
  afterEach(async () => {
    await oro.close();
    ws.cleanup();
  });

  it('exits 0 when every record is synced, and says so in the summary', async () => {
    ws.writeNdjson('source.ndjson', [
      { id: 'A1', name: 'Alpha' },
      { id: 'A2', name: 'Beta' },
    ]);
    const config = ws.config('customers', oro);
    const result = await runCli(['run', '--once', config], { env });
    expect(result.code, result.stderr).to.equal(0);
    expect(summaries(result.stdout)).to.deep.equal([{ created: 2, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 }]);
    expect(oro.records('customers').map((c) => c.attributes?.['externalId']).filter((k) => String(k).startsWith('A'))).to.have.members(['A1', 'A2']);
    expect(existsSync(ws.path('dead-letters.ndjson'))).to.equal(false);
  });

  it('exits 1 when some records are rejected, with dead letters in the contract format holding the source record', async () => {
    const bad = { id: 'B2', name: '', extra: { nested: true } };
    const missingGroup = { id: 'B3', name: 'Gamma', groupId: '999999' };
    ws.writeNdjson('source.ndjson', [{ id: 'B1', name: 'Alpha' }, bad, missingGroup]);
    const config = ws.config('customers', oro);
    const result = await runCli(['run', '--once', config], { env });
    expect(result.code, result.stderr).to.equal(1);
    expect(summaries(result.stdout)).to.deep.equal([{ created: 1, updated: 0, unchanged: 0, skipped: 0, rejected: 2, failed: 0 }]);
    expect(result.stdout).to.include(`dead letters: ${ws.path('dead-letters.ndjson')}`);

    const letters = ws.deadLetters();
    expect(letters.map((l) => l['record'])).to.deep.equal([bad, missingGroup]);
    for (const letter of letters) {
      // The contract's four fields, in order (the state layer adds `where`, the input's file:line).
      expect(Object.keys(letter).slice(0, 4)).to.deep.equal(['record', 'status', 'errors', 'at']);
      expect(Object.keys(letter).slice(4)).to.satisfy((rest: string[]) => rest.every((k) => k === 'where'));
      expect(letter['status']).to.equal('rejected');
      expect(new Date(String(letter['at'])).toISOString()).to.equal(letter['at']);
      const errors = letter['errors'] as Record<string, unknown>[];
      expect(errors).to.have.length.greaterThan(0);
      for (const error of errors) expect(Object.keys(error)).to.deep.equal(['status', 'title', 'detail', 'pointer']);
    }
    const [blank, group] = letters.map((l) => (l['errors'] as Record<string, unknown>[])[0]);
    expect(blank).to.include({ status: '400', title: 'not blank constraint', pointer: '/data/attributes/name' });
    // Oro's own words for a related id it does not have (the id is in the dead letter's record).
    expect(group).to.include({ status: '400', title: 'form constraint', detail: 'The entity does not exist.', pointer: '/data/relationships/group/data' });
  });

  it('runs several configs in the order given, sharing one token (groups, then the customers in them)', async () => {
    ws.writeNdjson('groups.ndjson', [{ name: 'Group 1' }, { name: 'Group 2' }]);
    ws.writeNdjson('source.ndjson', [
      { id: 'M1', name: 'In group 1', groupId: '1' },
      { id: 'M2', name: 'In group 2', groupId: '2' },
    ]);
    const groups = ws.config('groups', oro, {
      source: { kind: 'ndjson', path: 'groups.ndjson' },
      target: { type: 'customergroups', key: { source: 'name', oro: 'name' }, attributes: { name: 'name' }, relationships: {} },
    });
    const customers = ws.config('customers', oro);
    const result = await runCli(['run', '--once', groups, customers], { env });
    expect(result.code, result.stderr).to.equal(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).to.have.length(4);
    expect(lines[0]).to.equal('[groups]');
    expect(lines[1]).to.match(/^done: created 2, updated 0, unchanged 0, skipped 0, rejected 0, failed 0 in /);
    expect(lines[2]).to.equal('[customers]');
    expect(lines[3]).to.match(/^done: created 2, updated 0, unchanged 0, skipped 0, rejected 0, failed 0 in /);
    expect(oro.tokenGrants).to.equal(1);
  });

  it('exits 2 on a config error, printing every problem as "path: expected ..."', async () => {
    const config = ws.write(
      'broken.json',
      JSON.stringify({
        oro: { baseUrl: 'ftp://shop', clientId: 5, clientSecret: 'x' },
        source: { kind: 'nope' },
        target: { type: 'customers', mode: 'fast', key: { source: 'id', oro: 'externalId' }, attributes: {} },
        pipeline: { concurrency: -1 },
      }),
    );
    const result = await runCli(['run', '--once', config], { env });
    expect(result.code).to.equal(2);
    expect(result.stdout).to.equal('');
    for (const path of ['oro.baseUrl', 'oro.clientId', 'source.kind', 'target.mode', 'pipeline.concurrency']) {
      expect(result.stderr).to.match(new RegExp(`^\\s*${path.replace('.', '\\.')}: expected .+`, 'm'));
    }
    expect(oro.requests).to.deep.equal([]);
  });

  it('exits 2 with one line naming the token URL and invalid_client on a wrong secret, and does nothing else', async () => {
    ws.writeNdjson('source.ndjson', [{ id: 'W1', name: 'Alpha' }, { id: 'W2', name: '' }]);
    const config = ws.config('customers', oro);
    const before = oro.records('customers');
    const wrong = 'definitely-the-wrong-secret';
    const result = await runCli(['run', '--once', config], { env: { [SECRET_ENV]: wrong } });
    expect(result.code).to.equal(2);
    const lines = result.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines, result.stderr).to.have.length(1);
    expect(lines[0]).to.include(oro.tokenUrl).and.include('invalid_client');
    expect(result.stderr + result.stdout).not.to.include(wrong);
    expect(result.stdout).to.equal('');
    expect(oro.requests.every((r) => r.path === '/oauth2-token'), 'only token requests').to.equal(true);
    expect(oro.records('customers')).to.deep.equal(before);
    expect(existsSync(ws.path('dead-letters.ndjson'))).to.equal(false);
    expect(rowsIn(ws.path('state.db'))).to.equal(0);
  });

  it('exits 2 when Oro is unreachable (closed port), naming the URL', async () => {
    ws.writeNdjson('source.ndjson', [{ id: 'U1', name: 'Alpha' }]);
    const port = await closedPort();
    const endpoint = { baseUrl: `http://127.0.0.1:${port}/admin/api`, tokenUrl: `http://127.0.0.1:${port}/oauth2-token`, clientId: 'x' };
    const config = ws.config('customers', endpoint, { pipeline: { retries: 1, retryBaseMs: 10, retryMaxMs: 20 } });
    const result = await runCli(['run', '--once', config], { env });
    expect(result.code, result.stderr).to.equal(2);
    expect(result.stderr).to.include(`127.0.0.1:${port}`).and.include('ECONNREFUSED');
    expect(existsSync(ws.path('dead-letters.ndjson'))).to.equal(false);
  });
});

/** Rows in every table of a SQLite file (0 when the file does not exist). */
function rowsIn(file: string): number {
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    return tables.reduce((sum, { name }) => sum + (db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM "${name}"`).get()?.n ?? 0), 0);
  } finally {
    db.close();
  }
}
