/**
 * `examples/multi-entity` through the real CLI: `oro-sync fake-oro` as a child process, then
 * `oro-sync run groups.json customers.json users.json --once` in a temporary copy of the folder
 * (so that its `.oro-sync/` state does not land in the repository).
 */
import { expect } from 'chai';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, MAIN, ROOT, runCli, startCli, summaries, type CliProcess } from '../helpers/cli.js';

const EXAMPLE = join(ROOT, 'examples/multi-entity');
const CONFIGS = ['groups.json', 'customers.json', 'users.json'];

interface Row { readonly id: string; readonly attributes: Record<string, unknown>; readonly relationships: Record<string, { data: { id: string } | null }> }

/** Newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return max;
}

const ndjson = <T>(name: string): T[] =>
  readFileSync(join(EXAMPLE, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);

describe('examples/multi-entity through the CLI', function () {
  this.timeout(60_000);
  let oro: CliProcess;
  let dir: string;
  let env: Record<string, string>;
  let token: string;

  before(async () => {
    if (!existsSync(MAIN) || statSync(MAIN).mtimeMs < newest(join(ROOT, 'src'))) await ensureBuilt();
    oro = startCli(['fake-oro', '--port', '0']);
    const [first] = await oro.waitForLines(/^\{"baseUrl"/);
    const { baseUrl, tokenUrl } = JSON.parse(first ?? '{}') as { baseUrl: string; tokenUrl: string };
    env = { ORO_BASE_URL: baseUrl, ORO_TOKEN_URL: tokenUrl, ORO_CLIENT_ID: 'oro-sync-demo', ORO_CLIENT_SECRET: 'oro-sync-demo-secret' };
    const grant = await fetch(tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: env['ORO_CLIENT_ID'] ?? '', client_secret: env['ORO_CLIENT_SECRET'] ?? '' }),
    });
    token = ((await grant.json()) as { access_token: string }).access_token;
    dir = mkdtempSync(join(tmpdir(), 'oro-sync-multi-entity-'));
    cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !src.includes('.oro-sync') });
  });

  after(async () => {
    if (oro) {
      oro.kill('SIGTERM');
      await oro.exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Every record of a type in the fake Oro, over HTTP (it runs in another process). */
  async function all(type: string): Promise<Row[]> {
    const res = await fetch(`${env['ORO_BASE_URL']}/${type}?page[size]=-1`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.api+json' },
    });
    expect(res.status, `GET ${type}`).to.equal(200);
    return ((await res.json()) as { data: Row[] }).data;
  }

  const run = (...extra: string[]) => runCli(['run', ...CONFIGS, '--once', ...extra], { cwd: dir, env });

  it('lands every record with the right relationships; the user of an unknown customer is a dead letter; a re-run creates nothing', async () => {
    const groups = ndjson<{ name: string }>('groups.ndjson');
    const customers = ndjson<{ id: string; groupName?: string; parentId?: string }>('customers.ndjson');
    const users = ndjson<{ email: string; customerId: string }>('users.ndjson');
    const orphan = users.filter((u) => !customers.some((c) => c.id === u.customerId));
    expect(orphan.map((u) => u.customerId), 'the example has one user of an unknown customer').to.deep.equal(['C-999']);
    const childFirst = customers.findIndex((c) => c.parentId !== undefined && customers.findIndex((p) => p.id === c.parentId) > customers.indexOf(c));
    expect(childFirst, 'the example lists a child before its parent').to.be.at.least(0);

    const first = await run();
    expect(first.code, first.stderr).to.equal(1);
    expect(summaries(first.stdout)).to.deep.equal([
      { created: groups.length, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 },
      { created: customers.length, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 },
      { created: users.length - 1, updated: 0, unchanged: 0, skipped: 0, rejected: 1, failed: 0 },
    ]);

    const groupId = new Map((await all('customergroups')).map((g) => [g.attributes['name'], g.id]));
    const stored = await all('customers');
    const customerId = new Map(stored.map((c) => [c.attributes['externalId'], c.id]));
    expect([...groupId.keys()].sort()).to.deep.equal(groups.map((g) => g.name).sort());
    expect([...customerId.keys()].sort()).to.deep.equal(customers.map((c) => c.id).sort());
    for (const c of customers) {
      const row = stored.find((s) => s.attributes['externalId'] === c.id);
      expect(row?.relationships['group']?.data?.id ?? null, `${c.id}.group`).to.equal(c.groupName === undefined ? null : groupId.get(c.groupName));
      expect(row?.relationships['parent']?.data?.id ?? null, `${c.id}.parent`).to.equal(c.parentId === undefined ? null : customerId.get(c.parentId));
    }
    const storedUsers = await all('customerusers');
    expect(storedUsers.map((u) => u.attributes['email']).sort()).to.deep.equal(users.filter((u) => !orphan.includes(u)).map((u) => u.email).sort());
    for (const u of storedUsers) {
      const source = users.find((s) => s.email === u.attributes['email']);
      expect(u.relationships['customer']?.data?.id, `${String(u.attributes['email'])}.customer`).to.equal(customerId.get(source?.customerId));
    }

    const letters = readFileSync(join(dir, '.oro-sync/users.dead-letters.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(letters).to.have.length(1);
    expect(letters[0]).to.deep.include({ record: orphan[0], status: 'rejected' });
    expect((letters[0]?.['errors'] as { detail: string }[])[0]?.detail).to.equal('customers externalId=C-999 not found');
    expect(existsSync(join(dir, '.oro-sync/state.db')), 'the shared state store').to.equal(true);

    const again = await run('--from-start');
    expect(again.code, again.stderr).to.equal(1);
    expect(summaries(again.stdout).map((s) => s.created)).to.deep.equal([0, 0, 0]);
    expect(await all('customergroups')).to.have.length(groups.length);
    expect(await all('customers')).to.have.length(customers.length);
    expect(await all('customerusers')).to.have.length(users.length - 1);
  });
});
