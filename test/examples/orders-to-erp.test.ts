/**
 * `examples/orders-to-erp` as its README runs it: `oro-sync fake-oro` and the example's ERP
 * (`erp.mjs`) as child processes, then the example's configs with `oro-sync run`, in a temporary
 * copy of the folder (so that its `.oro-sync/` and `out/` do not land in the repository).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { CliProcess, ensureBuilt, ROOT, runCli, startCli } from '../helpers/cli.js';

const EXAMPLE = join(ROOT, 'examples/orders-to-erp');
const ERP_TOKEN = 'example-erp-token';

interface Booking { readonly orderNumber: string; readonly erpNumber: string }

describe('examples/orders-to-erp through the CLI', function () {
  this.timeout(120_000);
  let oro: CliProcess;
  let erp: CliProcess;
  let dir: string;
  let env: Record<string, string>;

  before(async function () {
    this.timeout(300_000);
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'oro-sync-orders-to-erp-'));
    cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !src.includes('.oro-sync') && !src.includes('/out') });
    oro = startCli(['fake-oro', '--port', '0']);
    erp = new CliProcess(spawn(process.execPath, ['erp.mjs'], { cwd: dir, env: { PATH: process.env['PATH'] ?? '', ERP_TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] }));
    const [oroLine] = await oro.waitForLines(/^\{"baseUrl"/);
    const [erpLine] = await erp.waitForLines(/^\{"url"/);
    const { baseUrl, tokenUrl } = JSON.parse(oroLine ?? '{}') as { baseUrl: string; tokenUrl: string };
    env = {
      ORO_BASE_URL: baseUrl, ORO_TOKEN_URL: tokenUrl, ORO_CLIENT_ID: 'oro-sync-demo', ORO_CLIENT_SECRET: 'oro-sync-demo-secret',
      ERP_URL: (JSON.parse(erpLine ?? '{}') as { url: string }).url, ERP_TOKEN,
    };
  });

  after(async () => {
    for (const child of [oro, erp]) {
      if (!child) continue;
      child.kill('SIGTERM');
      await child.exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => runCli(['run', ...args], { cwd: dir, env });
  const bookings = async (): Promise<Booking[]> =>
    (await (await fetch(env['ERP_URL'] ?? '', { headers: { Authorization: `Bearer ${ERP_TOKEN}` } })).json()) as Booking[];
  const shop = readFileSync(join(EXAMPLE, 'storefront-orders.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { orderNumber: string; lines: unknown[] });

  it('places the orders, sends them to a file and to the ERP, writes the ERP numbers back, sends nothing twice', async () => {
    const placed = await run('storefront.json', '--once');
    expect(placed.code, placed.stderr).to.equal(0);
    expect(placed.stdout).to.match(new RegExp(`^done: created ${shop.length}, updated 0, `, 'm'));

    const file = await run('orders-to-file.json', '--once');
    expect(file.code, file.stderr).to.equal(0);
    expect(file.stdout).to.match(new RegExp(`^done: sent ${shop.length}, unchanged 0, skipped 0, rejected 0, failed 0 in `, 'm'));
    const lines = readFileSync(join(dir, 'out/orders.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { data: { attributes: { identifier: string } }; included: unknown[] });
    expect(lines.map((l) => [l.data.attributes.identifier, l.included.length])).to.have.deep.members(shop.map((o) => [o.orderNumber, o.lines.length]));

    const sent = await run('orders-to-erp.json', '--once');
    expect(sent.code, sent.stderr).to.equal(0);
    expect(sent.stdout).to.match(new RegExp(`^done: sent ${shop.length}, unchanged 0, `, 'm'));
    expect((await bookings()).map((b) => b.orderNumber)).to.have.members(shop.map((o) => o.orderNumber));

    const back = await run('erp-numbers.json', '--once');
    expect(back.code, back.stderr).to.equal(0);
    expect(back.stdout).to.match(new RegExp(`^done: created 0, updated ${shop.length}, unchanged 0, skipped 0, rejected 0, failed 0 in `, 'm'));

    const again = await run('orders-to-erp.json', '--once');
    expect(again.stdout).to.match(new RegExp(`^done: sent 0, unchanged ${shop.length}, skipped 0, rejected 0, failed 0 in `, 'm'));
    expect(await bookings()).to.have.length(shop.length);
  });

  it('runs as a daemon: a new order reaches the ERP and gets its number; SIGTERM ends it cleanly', async () => {
    appendFileSync(join(dir, 'storefront-orders.ndjson'), `${JSON.stringify({ orderNumber: 'SO-2001', poNumber: 'LATE-1', lines: [{ sku: '8DU5', quantity: 1, unit: 'item', price: 24.5 }] })}\n`);
    expect((await run('storefront.json', '--once')).code).to.equal(0);
    const daemon = startCli(['run', 'orders-to-erp.json', 'erp-numbers.json'], { cwd: dir, env });
    await daemon.waitForLines(/^done: created 0, updated 1, /);
    expect(daemon.stdout).to.match(/^\[orders-to-erp\]\ndone: sent 1, unchanged 0, /m);
    daemon.kill('SIGTERM');
    const { code } = await daemon.exited;
    expect(code).to.equal(0);
    const late = (await bookings()).find((b) => b.orderNumber === 'SO-2001');
    expect(late?.erpNumber).to.match(/^ERP-\d{6}$/);
  });
});
