/**
 * Orders out of Oro into an NDJSON file, through the CLI as a user runs it: `oro-sync run --once`
 * with `source.kind: "oro"` against the fake Oro in process, where the test creates and changes
 * orders at any moment, also between two page requests of a run.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { runCli, useFakeOroWorkspace } from '../helpers/cli.js';

interface Line {
  readonly data: { readonly id: string; readonly attributes: Record<string, unknown>; readonly relationships: { lineItems: { data: { type: string; id: string }[] } } };
  readonly included: readonly { readonly type: string; readonly id: string; readonly attributes: Record<string, unknown> }[];
}

const SUMMARY = /^done: sent (\d+), unchanged (\d+), skipped (\d+), rejected (\d+), failed (\d+) in \d+\.\d s$/m;
const iso = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

describe('e2e: orders out of Oro into an NDJSON file', function () {
  this.timeout(120_000);
  const t = useFakeOroWorkspace();

  const config = () => t.ws.config('orders-out', t.oro, {
    source: { kind: 'oro', type: 'orders', include: ['lineItems'], pageSize: 50, path: undefined },
    target: undefined,
    sink: { kind: 'ndjson', path: 'orders.ndjson' },
  });
  const lines = (): Line[] => readFileSync(t.ws.path('orders.ndjson'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line);
  const counts = (stdout: string) => (SUMMARY.exec(stdout) ?? []).slice(1).map(Number);

  /** An order with three line items, changed last at `at`. */
  function seedOrder(poNumber: string, at?: number): string {
    const { id } = t.oro.seed('orders', { poNumber });
    for (let k = 1; k <= 3; k += 1) t.oro.seed('orderlineitems', { productSku: `SKU-${k}`, quantity: k, value: 2.5 }, { order: { data: { type: 'orders', id } } });
    if (at !== undefined) t.oro.touch('orders', id, { attributes: { updatedAt: iso(at) } });
    return id;
  }

  it('sends 250 orders (120 sharing one second) in pages of 50, each once with its line items; then what changes, during a run and after, once', async () => {
    const now = Date.now();
    for (let i = 1; i <= 250; i += 1) seedOrder('v1', i > 60 && i <= 180 ? now - 3_600_000 : now - 7_200_000 + i * 1000 + (i > 180 ? 5_000_000 : 0));

    const first = await runCli(['run', '--once', config()], { env: t.env });
    expect(first.code, first.stderr.slice(-2000)).to.equal(0);
    expect(counts(first.stdout)).to.deep.equal([250, 0, 0, 0, 0]);
    const sent = lines();
    expect(sent.map((l) => Number(l.data.id)).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 250 }, (_, i) => i + 1));
    for (const line of sent) {
      expect(line.included.map((r) => `${r.type}:${r.id}`), `order ${line.data.id}`).to.deep.equal(line.data.relationships.lineItems.data.map((r) => `${r.type}:${r.id}`));
      expect(line.included).to.have.length(3);
    }
    const pages = t.oro.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/orders'));
    expect(pages.every((r) => !new URLSearchParams(r.query).has('page[number]'))).to.equal(true);

    // The next run: while it pages, orders change (a new poNumber), are only touched (a write-back's
    // bump of updatedAt, no change) and are created; after it, more of the same.
    const changedDuring = ['5', '70', '150', '240'];
    const touchedDuring = ['6', '71', '151'];
    const createdDuring: string[] = [];
    let page = 0;
    t.oro.setBeforeRequest(({ method, path }) => {
      if (method !== 'GET' || !path.endsWith('/orders') || ++page !== 2) return;
      for (const id of changedDuring) t.oro.touch('orders', id, { attributes: { poNumber: 'v2' } });
      for (const id of touchedDuring) t.oro.touch('orders', id, {});
      createdDuring.push(seedOrder('new-during'), seedOrder('new-during'));
    });
    t.oro.resetLog();
    const second = await runCli(['run', '--once', config()], { env: t.env });
    expect(second.code, second.stderr.slice(-2000)).to.equal(0);
    t.oro.setBeforeRequest(undefined);

    const changedAfter = ['1', '100', '250'];
    const touchedAfter = ['2', '101'];
    for (const id of changedAfter) t.oro.touch('orders', id, { attributes: { poNumber: 'v3' } });
    for (const id of touchedAfter) t.oro.touch('orders', id, {});
    const createdAfter = [seedOrder('new-after')];
    const third = await runCli(['run', '--once', config()], { env: t.env });
    expect(third.code, third.stderr.slice(-2000)).to.equal(0);

    // Across the two runs: every change and every new order arrived once; nothing else was sent.
    const later = lines().slice(250);
    const versions = later.map((l) => `${l.data.id}@${String(l.data.attributes['poNumber'])}`).sort();
    expect(versions).to.deep.equal([
      ...changedDuring.map((id) => `${id}@v2`), ...changedAfter.map((id) => `${id}@v3`),
      ...createdDuring.map((id) => `${id}@new-during`), ...createdAfter.map((id) => `${id}@new-after`),
    ].sort());
    const [sentSecond, unchangedSecond] = counts(second.stdout);
    const [sentThird, unchangedThird] = counts(third.stdout);
    expect((sentSecond ?? 0) + (sentThird ?? 0)).to.equal(later.length);
    // The touched ones were read again, and found unchanged (not sent).
    expect((unchangedSecond ?? 0) + (unchangedThird ?? 0)).to.be.at.least(touchedDuring.length + touchedAfter.length);
    for (const id of [...touchedDuring, ...touchedAfter]) expect(later.some((l) => l.data.id === id), `touched order ${id}`).to.equal(false);
    // Keyset reads, never page numbers.
    expect(t.oro.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/orders')).every((r) => !new URLSearchParams(r.query).has('page[number]'))).to.equal(true);
  });

  it('prints the dry-run line and a sample, writes nothing; status tells the sink and the keyset', async () => {
    for (let i = 1; i <= 3; i += 1) seedOrder(`p${i}`, Date.now() - 60_000 + i * 1000);
    const dry = await runCli(['run', '--dry-run', config()], { env: t.env });
    expect(dry.code, dry.stderr.slice(-2000)).to.equal(0);
    expect(dry.stdout).to.match(/^dry-run: send 3, unchanged 0, skip 0, reject 0$/m);
    expect(dry.stdout.split('\n').filter((l) => l.startsWith('{"action":"send"'))).to.have.length(3);
    expect(() => readFileSync(t.ws.path('orders.ndjson'))).to.throw();

    const run = await runCli(['run', '--once', config()], { env: t.env });
    expect(run.code).to.equal(0);
    const status = await runCli(['status', config()], { env: t.env });
    expect(status.code, status.stderr).to.equal(0);
    expect(status.stdout).to.contain(`pipeline   orders-out (sink ndjson ${t.ws.path('orders.ndjson')}, state ${t.ws.path('state.db')})`);
    expect(status.stdout).to.match(/keys\s+3 known: 3 confirmed, 0 rejected, 0 failed/);
    expect(status.stdout).to.match(/ok\s+exit 0\s+sent 3, unchanged 0, skipped 0, rejected 0, failed 0/);
    const key = await runCli(['status', config(), '--key', 'orders/2', '--json'], { env: t.env });
    expect(JSON.parse(key.stdout)).to.deep.include({ key: 'orders/2', known: true, lastOutcome: 'confirmed' });
  });
});
