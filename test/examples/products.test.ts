/**
 * `examples/products` through the real CLI, as its README runs it: `oro-sync fake-oro` as a child
 * process, then `oro-sync check` and `oro-sync run products.json --once` in a temporary copy of the
 * folder (so that its `.oro-sync/` state does not land in the repository), then the README's edit.
 */
import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, ROOT, runCli, startCli, summaries, type CliProcess } from '../helpers/cli.js';

const EXAMPLE = join(ROOT, 'examples/products');

interface Row { readonly id: string; readonly attributes: Record<string, unknown>; readonly relationships: Record<string, { data: { id: string } | null }> }

describe('examples/products through the CLI', function () {
  this.timeout(120_000);
  let oro: CliProcess;
  let dir: string;
  let env: Record<string, string>;
  let token: string;

  before(async function () {
    this.timeout(300_000);
    await ensureBuilt();
    oro = startCli(['fake-oro', '--port', '0']);
    const [first] = await oro.waitForLines(/^\{"baseUrl"/);
    const { baseUrl, tokenUrl } = JSON.parse(first ?? '{}') as { baseUrl: string; tokenUrl: string };
    env = { ORO_BASE_URL: baseUrl, ORO_TOKEN_URL: tokenUrl, ORO_CLIENT_ID: 'oro-sync-demo', ORO_CLIENT_SECRET: 'oro-sync-demo-secret' };
    const grant = await fetch(tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'oro-sync-demo', client_secret: 'oro-sync-demo-secret' }),
    });
    token = ((await grant.json()) as { access_token: string }).access_token;
    dir = mkdtempSync(join(tmpdir(), 'oro-sync-products-'));
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
    const res = await fetch(`${env['ORO_BASE_URL']}/${type}?page[size]=-1`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.api+json' } });
    expect(res.status, `GET ${type}`).to.equal(200);
    return ((await res.json()) as { data: Row[] }).data;
  }

  /** Per SKU: the default name and the `unit:precision:rate`s Oro holds. */
  async function catalog(): Promise<Map<string, { names: unknown[]; units: string[]; featured: unknown }>> {
    const products = await all('products');
    const skuOf = new Map(products.map((p) => [p.id, String(p.attributes['sku'])]));
    const out = new Map(products.map((p) => [String(p.attributes['sku']), { names: [] as unknown[], units: [] as string[], featured: p.attributes['featured'] }]));
    const of = (r: Row) => out.get(skuOf.get(r.relationships['product']?.data?.id ?? '') ?? '');
    for (const name of await all('productnames')) if (name.relationships['localization']?.data === null) of(name)?.names.push(name.attributes['string']);
    for (const p of await all('productunitprecisions')) of(p)?.units.push(`${p.relationships['unit']?.data?.id}:${p.attributes['precision']}:${p.attributes['conversionRate']}`);
    return out;
  }

  it('checks, creates the 12 articles with their names and units, and on the README\'s edit updates exactly 2 in place', async () => {
    const check = await runCli(['check', 'products.json'], { cwd: dir, env });
    expect(check.code, check.stdout + check.stderr).to.equal(0);

    const first = await runCli(['run', 'products.json', '--once'], { cwd: dir, env });
    expect(first.code, first.stderr).to.equal(0);
    expect(summaries(first.stdout)).to.deep.equal([{ created: 12, updated: 0, unchanged: 0, skipped: 0, rejected: 0, failed: 0 }]);
    const created = await catalog();
    expect(created.get('BOLT-M6')).to.deep.equal({ names: ['Hex bolt M6 x 30'], units: ['item:0:1', 'set:0:100'], featured: false });
    expect(created.get('WASHER-8')).to.deep.equal({ names: ['Flat washer 8 mm'], units: ['item:0:1'], featured: false });
    expect(created.get('GREASE-1')).to.deep.equal({ names: ['Grease, lithium, 1 kg tin'], units: ['kg:3:1'], featured: true });

    const csv = join(dir, 'products.csv');
    writeFileSync(csv, readFileSync(csv, 'utf8').replace('NUT-M6,Hex nut M6,', 'NUT-M6,Hex nut M6 zinc plated,').replace('WASHER-8,Flat washer 8 mm,item,0,', 'WASHER-8,Flat washer 8 mm,item,1,'));
    const second = await runCli(['run', 'products.json', '--once'], { cwd: dir, env });
    expect(second.code, second.stderr).to.equal(0);
    expect(summaries(second.stdout)).to.deep.equal([{ created: 0, updated: 2, unchanged: 10, skipped: 0, rejected: 0, failed: 0 }]);
    const changed = await catalog();
    expect(changed.get('NUT-M6')?.names).to.deep.equal(['Hex nut M6 zinc plated']);
    expect(changed.get('WASHER-8')?.units).to.deep.equal(['item:1:1']);
    for (const [sku, product] of changed) expect(product.names, sku).to.have.length(1);
    expect((await all('productunitprecisions')).length).to.equal(18);
  });
});
