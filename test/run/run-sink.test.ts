import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { pino } from 'pino';
import { loadAnyConfig, type AnyConfig } from '../../src/config/config.js';
import { statusReport } from '../../src/cli/status-report.js';
import { createMetrics } from '../../src/run/metrics.js';
import { replayDeadLetters } from '../../src/run/replay.js';
import { runConfig } from '../../src/run/run-config.js';
import { createRuntime, type Runtime } from '../../src/run/runtime.js';
import { formatSinkSummary } from '../../src/run/sink-summary.js';
import { orderDocument } from '../helpers/orders.js';
import { SECRET_ENV, workspace, type Workspace } from '../helpers/cli.js';
import { send, startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { openAdmin, RABBIT_URL, uniqueQueue } from '../helpers/rabbit.js';

/** Never asked: a run out of Oro with a file source reads nothing from Oro. */
const NO_ORO = { baseUrl: 'http://127.0.0.1:9/admin/api', tokenUrl: 'http://127.0.0.1:9/oauth2-token', clientId: 'unused' };

describe('run: a config with a sink (records out of Oro)', () => {
  let ws: Workspace;
  let runtime: Runtime;
  beforeEach(() => {
    ws = workspace();
    runtime = createRuntime({ logger: pino({ level: 'silent' }), concurrency: 4, timeoutMs: 5_000 });
  });
  afterEach(async () => {
    await runtime.close();
    ws.cleanup();
  });

  async function sinkConfig(sink: Record<string, unknown>, overrides: Record<string, unknown> = {}): Promise<AnyConfig> {
    const file = ws.config('orders-out', NO_ORO, { target: undefined, sink, ...overrides });
    return (await loadAnyConfig(file, { [SECRET_ENV]: 'unused' })).config;
  }

  const lines = (name: string) => readFileSync(ws.path(name), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { data: { id: string } });

  it('appends every order to the file once, and sends only what changed next time (updatedAt aside)', async () => {
    ws.writeNdjson('source.ndjson', Array.from({ length: 30 }, (_, i) => orderDocument(i + 1)));
    const config = await sinkConfig({ kind: 'ndjson', path: 'orders.ndjson' });
    const first = await runConfig(config, runtime);
    expect(first.counts).to.include({ sent: 30, unchanged: 0, rejected: 0, failed: 0, created: 0 });
    expect(lines('orders.ndjson').map((l) => l.data.id)).to.deep.equal(Array.from({ length: 30 }, (_, i) => String(i + 1)));

    // The export read again: five only "touched" (a write-back bumped updatedAt), two changed, one new.
    ws.writeNdjson('source.ndjson', [
      ...Array.from({ length: 30 }, (_, i) => orderDocument(i + 1, {
        updatedAt: i < 5 ? '2026-03-02T09:00:00Z' : '2026-03-01T08:00:00Z',
        ...(i === 10 || i === 11 ? { attributes: { poNumber: 'changed' } } : {}),
      })),
      orderDocument(31),
    ]);
    const second = await runConfig(config, runtime);
    expect(second.counts).to.include({ sent: 3, unchanged: 28 });
    expect(lines('orders.ndjson').slice(30).map((l) => l.data.id)).to.deep.equal(['11', '12', '31']);
    expect(formatSinkSummary(second.counts, { dryRun: false, elapsedMs: 1200 })).to.equal('done: sent 3, unchanged 28, skipped 0, rejected 0, failed 0 in 1.2 s');
  });

  it('sends everything again with --full', async () => {
    ws.writeNdjson('source.ndjson', [orderDocument(1), orderDocument(2)]);
    const config = await sinkConfig({ kind: 'ndjson', path: 'orders.ndjson' });
    await runConfig(config, runtime);
    const full = await runConfig(config, runtime, { full: true });
    expect(full.counts).to.include({ sent: 2, unchanged: 0 });
    expect(lines('orders.ndjson')).to.have.length(4);
  });

  it('dead-letters a record that is no order document, in the contract\'s shape, and goes on', async () => {
    ws.writeNdjson('source.ndjson', [orderDocument(1), { orderNumber: 'not a document' }, orderDocument(3)]);
    const config = await sinkConfig({ kind: 'ndjson', path: 'orders.ndjson' });
    const result = await runConfig(config, runtime);
    expect(result.counts).to.include({ sent: 2, rejected: 1 });
    expect(result.deadLetterPath).to.equal(ws.path('dead-letters.ndjson'));
    const [letter] = ws.deadLetters();
    expect(letter).to.include.keys('record', 'status', 'errors', 'at', 'where');
    expect(letter).to.deep.include({ record: { orderNumber: 'not a document' }, status: 'rejected', where: `${ws.path('source.ndjson')}:2` });
    expect(JSON.stringify(letter!['errors'])).to.contain('not a JSON:API document of one resource');
  });

  it('runs the transform: delivers what it returns, skips what it maps to null', async () => {
    ws.write('to-erp.mjs', 'export default (doc) => doc.data.id === "2" ? null : { orderNumber: doc.data.attributes.identifier, lines: doc.included.length };\n');
    ws.writeNdjson('source.ndjson', [orderDocument(1), orderDocument(2), orderDocument(3, { lines: 3 })]);
    const config = await sinkConfig({ kind: 'ndjson', path: 'orders.ndjson', transform: 'to-erp.mjs' });
    const result = await runConfig(config, runtime);
    expect(result.counts).to.include({ sent: 2, skipped: 1 });
    expect(readFileSync(ws.path('orders.ndjson'), 'utf8')).to.equal('{"orderNumber":"SO-0001","lines":2}\n{"orderNumber":"SO-0003","lines":3}\n');
  });

  it('in a dry run writes nothing and prints a sample of what it would deliver', async () => {
    ws.writeNdjson('source.ndjson', [orderDocument(1), orderDocument(2), orderDocument(3)]);
    const config = await sinkConfig({ kind: 'ndjson', path: 'orders.ndjson' });
    const printed: string[] = [];
    const result = await runConfig(config, runtime, { dryRun: true, print: (line) => printed.push(line), sample: 2 });
    expect(result.counts).to.include({ sent: 3 });
    expect(formatSinkSummary(result.counts, { dryRun: true, elapsedMs: 1 })).to.equal('dry-run: send 3, unchanged 0, skip 0, reject 0');
    expect(JSON.parse(printed[0]!)).to.deep.equal({ action: 'send', where: `${ws.path('source.ndjson')}:1`, delivered: orderDocument(1) });
    expect(JSON.parse(printed[1]!)).to.have.property('where', `${ws.path('source.ndjson')}:2`);
    expect(printed.slice(2)).to.deep.equal(['(showing 2 of 3 documents)']);
    let missing = false;
    try {
      readFileSync(ws.path('orders.ndjson'));
    } catch {
      missing = true;
    }
    expect(missing).to.equal(true);
    // Nothing stored: a real run after it sends all three.
    expect((await runConfig(config, runtime)).counts).to.include({ sent: 3 });
  });

  it('counts outcomes in the metrics under the sink\'s label, and status names the sink', async () => {
    const metrics = createMetrics();
    await runtime.close();
    runtime = createRuntime({ logger: pino({ level: 'silent' }), metrics, concurrency: 4, timeoutMs: 5_000 });
    ws.writeNdjson('source.ndjson', [orderDocument(1), orderDocument(2)]);
    const config = await sinkConfig({ kind: 'ndjson', path: 'orders.ndjson' });
    await runConfig(config, runtime);
    expect(await metrics.registry.metrics()).to.contain('oro_sync_records_total{target="sink:ndjson",outcome="sent"} 2');
    const report = await statusReport(await runtime.stateStore(config.state), config);
    expect(report).to.deep.include({ sink: `ndjson ${ws.path('orders.ndjson')}`, keys: { known: 2, confirmed: 2, rejected: 0, failed: 0 } });
    expect(report).not.to.have.property('target');
  });

  describe('with an http sink', () => {
    let erp: ScriptedServer;
    beforeEach(async () => {
      erp = await startScriptedServer((_req, res) => send(res, 201, '{}', {}, 'application/json'));
    });
    afterEach(async () => {
      await erp.close();
    });

    it('replays a sink\'s dead letters through the same sink; those it takes leave the file', async () => {
      let refuse = true;
      erp.handle = (req, res) => (refuse && req.body.includes('SO-0002') ? send(res, 422, '{"error":"customer unknown"}', {}, 'application/json') : send(res, 201));
      ws.writeNdjson('source.ndjson', [orderDocument(1), orderDocument(2)]);
      const config = await sinkConfig({ kind: 'http', url: `${erp.origin}/api/orders` });
      const first = await runConfig(config, runtime);
      expect(first.counts).to.include({ sent: 1, rejected: 1 });
      const [letter] = ws.deadLetters();
      expect(letter!['errors']).to.deep.equal([{ status: '422', title: `POST ${erp.origin}/api/orders answered 422`, detail: '{"error":"customer unknown"}' }]);

      refuse = false;
      const { result, removed, kept } = await replayDeadLetters(ws.path('dead-letters.ndjson'), config, runtime);
      expect(result.counts).to.include({ sent: 1 });
      expect({ removed, kept }).to.deep.equal({ removed: 1, kept: 0 });
      expect(erp.requests.filter((r) => r.body.includes('SO-0002'))).to.have.length(2);
      // Both requests for order 2 carried the key of its content.
      expect(new Set(erp.requests.filter((r) => r.body.includes('SO-0002')).map((r) => r.headers['idempotency-key'])).size).to.equal(1);
    });
  });

  it('publishes each order as a persistent message on the amqp sink\'s queue, confirmed', async () => {
    const queue = uniqueQueue('oro-sync-sink');
    const admin = await openAdmin();
    try {
      ws.writeNdjson('source.ndjson', [orderDocument(1), orderDocument(2), orderDocument(3)]);
      const config = await sinkConfig({ kind: 'amqp', url: RABBIT_URL, queue });
      const result = await runConfig(config, runtime);
      expect(result.counts).to.include({ sent: 3, failed: 0 });
      const messages = await admin.drain(queue);
      expect(messages.map((m) => (JSON.parse(m.content.toString()) as { data: { id: string } }).data.id)).to.deep.equal(['1', '2', '3']);
      expect(messages[0]!.properties).to.deep.include({ deliveryMode: 2, contentType: 'application/json' });
      // The same orders again, touched only (updatedAt): nothing new reaches the queue.
      ws.writeNdjson('source.ndjson', [1, 2, 3].map((n) => orderDocument(n, { updatedAt: '2026-03-05T10:00:00Z' })));
      expect((await runConfig(config, runtime)).counts).to.include({ sent: 0, unchanged: 3 });
      expect(await admin.ready(queue)).to.equal(0);
    } finally {
      await admin.deleteTopology(queue);
      await admin.close();
    }
  });
});
