/**
 * `oro-sync run --once` out of Oro into an ERP's HTTP API, as a user runs it: a child process
 * reading orders from the fake Oro (or, where the source does not matter, from a file of their
 * documents), an ERP on 127.0.0.1 that fails some requests with 500 (one after booking the order),
 * refuses one order with 400 and books each order once by its Idempotency-Key.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { runCli, useFakeOroWorkspace } from '../helpers/cli.js';
import { startErp, type Erp } from '../helpers/erp-server.js';
import { orderDocument } from '../helpers/orders.js';

const ERP_TOKEN = 'erp-t0ken-never-logged';
const SUMMARY = /^done: sent (\d+), unchanged (\d+), skipped (\d+), rejected (\d+), failed (\d+) in \d+\.\d s$/m;

describe('e2e: orders out to an ERP\'s HTTP API (sink http)', function () {
  this.timeout(60_000);
  const t = useFakeOroWorkspace();
  let erp: Erp;
  afterEach(() => erp.close());

  const config = (sink: Record<string, unknown> = {}, source: Record<string, unknown> = {}) => t.ws.config('orders-to-erp', t.oro, {
    target: undefined,
    source,
    sink: { kind: 'http', url: erp.url, headers: { Authorization: 'Bearer ${ERP_TOKEN}' }, transform: 'to-erp.mjs', ...sink },
    pipeline: { batchSize: 10, batchMs: 20, concurrency: 4, retries: 3, retryBaseMs: 10, retryMaxMs: 50, requestTimeoutMs: 5000 },
  });
  const fromOro = { kind: 'oro', type: 'orders', include: ['lineItems'], pageSize: 15, path: undefined };
  const counts = (stdout: string) => (SUMMARY.exec(stdout) ?? []).slice(1).map(Number);

  it('books every order once through 500s, dead-letters the one refused with 400, exits 1', async () => {
    erp = await startErp(ERP_TOKEN, {
      failBeforeBooking: ['SO-0003', 'SO-0017', 'SO-0031'],
      failAfterBooking: ['SO-0008'],
      refuse: { 'SO-0020': '{"error":"customer C-20 is blocked in the ERP","code":"E_BLOCKED"}' },
    });
    t.ws.write('to-erp.mjs', 'export default ({ data, included }) => ({ orderNumber: data.attributes.identifier, lines: included.map((i) => i.attributes.productSku) });\n');
    for (let n = 1; n <= 40; n += 1) {
      const { id } = t.oro.seed('orders', { identifier: `SO-${String(n).padStart(4, '0')}` });
      t.oro.seed('orderlineitems', { productSku: `SKU-${n}`, quantity: 1, value: 5 }, { order: { data: { type: 'orders', id } } });
    }
    const run = await runCli(['--log-level', 'debug', 'run', '--once', config({}, fromOro)], { env: { ...t.env, ERP_TOKEN } });

    expect(run.code, run.stderr.slice(-2000)).to.equal(1);
    expect(counts(run.stdout)).to.deep.equal([39, 0, 0, 1, 0]);
    expect(run.stdout).to.contain(`dead letters: ${t.ws.path('dead-letters.ndjson')}`);
    // Every order but the refused one booked exactly once: the retry after the lost answer was recognised.
    const booked = erp.bookings.map((b) => b.orderNumber);
    expect(new Set(booked).size).to.equal(booked.length);
    expect(booked).to.have.length(39);
    expect(booked).not.to.include('SO-0020');
    const lost = erp.requests.filter((r) => r.orderNumber === 'SO-0008');
    expect(lost.map((r) => r.status)).to.deep.equal([500, 201]);
    expect(lost[0]!.key).to.be.a('string').and.equal(lost[1]!.key);
    expect(erp.requests.filter((r) => r.orderNumber === 'SO-0003').map((r) => r.status)).to.deep.equal([500, 201]);
    // Refused for good: asked once, not retried.
    expect(erp.requests.filter((r) => r.orderNumber === 'SO-0020')).to.have.length(1);

    const letters = t.ws.deadLetters();
    expect(letters).to.have.length(1);
    const refused = t.oro.records('orders').find((o) => o.attributes?.['identifier'] === 'SO-0020');
    expect(letters[0]).to.deep.include({ status: 'rejected' });
    expect(letters[0]!['record']).to.have.nested.property('data.id', refused?.id);
    expect(letters[0]!['record']).to.have.nested.property('included[0].attributes.productSku', 'SKU-20');
    expect(letters[0]!['where']).to.match(new RegExp(`^orders ${refused?.id ?? '?'} \\(updatedAt `));
    expect(letters[0]!['errors']).to.deep.equal([{
      status: '400',
      title: `POST ${erp.url} answered 400`,
      detail: '{"error":"customer C-20 is blocked in the ERP","code":"E_BLOCKED"}',
    }]);

    // The token went to the ERP, and nowhere else: not the logs (debug), the output, the letters, the state.
    expect(erp.requests.every((r) => r.headers.authorization === `Bearer ${ERP_TOKEN}`)).to.equal(true);
    for (const text of [run.stdout, run.stderr, readFileSync(t.ws.path('dead-letters.ndjson'), 'utf8'), readFileSync(t.ws.path('state.db')).toString('latin1')]) {
      expect(text).not.to.contain(ERP_TOKEN);
    }
  });

  it('sends nothing again for orders only touched since (a write-back), nor the one refused as it was', async () => {
    erp = await startErp(ERP_TOKEN, { refuse: { 'SO-0002': '{"error":"no"}' } });
    t.ws.write('to-erp.mjs', 'export default ({ data }) => ({ orderNumber: data.attributes.identifier, po: data.attributes.poNumber });\n');
    t.ws.writeNdjson('source.ndjson', [1, 2, 3].map((n) => orderDocument(n)));
    const env = { ...t.env, ERP_TOKEN };
    const first = await runCli(['run', '--once', config()], { env });
    expect(counts(first.stdout)).to.deep.equal([2, 0, 0, 1, 0]);

    // Read again: all three touched (their ERP number written back), order 3 changed too.
    t.ws.writeNdjson('source.ndjson', [1, 2, 3].map((n) => orderDocument(n, {
      updatedAt: '2026-03-02T12:00:00Z',
      attributes: { externalId: `ERP-${n}`, ...(n === 3 ? { poNumber: 'PO-3b' } : {}) },
    })));
    const second = await runCli(['run', '--once', config()], { env });
    expect(second.code, second.stderr.slice(-2000)).to.equal(1);
    expect(counts(second.stdout)).to.deep.equal([1, 1, 0, 1, 0]);
    expect(erp.bookings.map((b) => b.orderNumber)).to.deep.equal(['SO-0001', 'SO-0003', 'SO-0003']);
    expect(t.ws.deadLetters()).to.have.length(1);
  });

  it('exits 2, before sending anything, on a config with both target and sink', async () => {
    erp = await startErp(ERP_TOKEN);
    t.ws.writeNdjson('source.ndjson', [orderDocument(1)]);
    const file = t.ws.config('both', t.oro, { sink: { kind: 'http', url: erp.url } });
    const run = await runCli(['run', '--once', file], { env: { ...t.env, ERP_TOKEN } });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('sink: expected target (records into Oro) or sink (records out of Oro), got both: give one');
    expect(erp.requests).to.have.length(0);
  });

  it('replays the refused order once the ERP takes it: the letter leaves the file', async () => {
    erp = await startErp(ERP_TOKEN, { refuse: { 'SO-0002': '{"error":"customer unknown"}' } });
    t.ws.write('to-erp.mjs', 'export default ({ data }) => ({ orderNumber: data.attributes.identifier });\n');
    t.ws.writeNdjson('source.ndjson', [1, 2].map((n) => orderDocument(n)));
    const env = { ...t.env, ERP_TOKEN };
    expect((await runCli(['run', '--once', config()], { env })).code).to.equal(1);
    await erp.close();
    erp = await startErp(ERP_TOKEN);
    const replay = await runCli(['replay', t.ws.path('dead-letters.ndjson'), config()], { env });
    expect(replay.code, replay.stderr.slice(-2000)).to.equal(0);
    expect(replay.stdout).to.match(/^done: sent 1, unchanged 0, skipped 0, rejected 0, failed 0 in \d+\.\d s$/m);
    expect(replay.stdout).to.contain(`replay: 1 dead letter(s) now synced and removed, 0 left in ${t.ws.path('dead-letters.ndjson')}`);
    expect(erp.bookings.map((b) => b.orderNumber)).to.deep.equal(['SO-0002']);
  });
});
