import { expect } from 'chai';
import { loadAnyConfig, type SinkRunConfig } from '../../src/config/config.js';
import { checkSinkConfig } from '../../src/run/check-sink.js';
import { createRuntime, type Runtime } from '../../src/run/runtime.js';
import { pino } from 'pino';
import type { CheckFinding } from '../../src/run/check.js';
import { SECRET_ENV, workspace, type Workspace } from '../helpers/cli.js';
import { openAdmin, RABBIT_URL, uniqueQueue } from '../helpers/rabbit.js';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';

const NO_ORO = { baseUrl: 'http://127.0.0.1:9/admin/api', tokenUrl: 'http://127.0.0.1:9/oauth2-token', clientId: 'unused' };

describe('run/checkSinkConfig', () => {
  let ws: Workspace;
  let runtime: Runtime;
  beforeEach(() => {
    ws = workspace();
    ws.writeNdjson('source.ndjson', []);
    runtime = createRuntime({ logger: pino({ level: 'silent' }), concurrency: 2, timeoutMs: 5_000 });
  });
  afterEach(async () => {
    await runtime.close();
    ws.cleanup();
  });

  async function check(sink: Record<string, unknown>): Promise<{ findings: string[]; problems: string[] }> {
    const file = ws.config('orders-out', NO_ORO, { target: undefined, sink });
    const { config } = await loadAnyConfig(file, { [SECRET_ENV]: 'unused' });
    const findings: string[] = [];
    const problems = await checkSinkConfig(config as SinkRunConfig, runtime, ({ check: name, text }: CheckFinding) => findings.push(`${name}: ${text}`));
    return { findings, problems };
  }

  it('finds an ndjson file writable in a folder still to be made, and the source readable', async () => {
    const { findings, problems } = await check({ kind: 'ndjson', path: 'out/today/orders.ndjson' });
    expect(problems).to.deep.equal([]);
    expect(findings).to.deep.equal([
      `sink: ok (appending to ${ws.path('out/today/orders.ndjson')}, each batch flushed to disk)`,
      `source: ok (${ws.path('source.ndjson')})`,
    ]);
  });

  it('says why an ndjson file cannot be written', async () => {
    const { problems } = await check({ kind: 'ndjson', path: 'source.ndjson/orders.ndjson' });
    expect(problems).to.deep.equal([`sink.path: cannot write ${ws.path('source.ndjson/orders.ndjson')} (${ws.path('source.ndjson')} is no folder)`]);
  });

  it('names an http sink\'s endpoint without sending it anything, nor its headers', async () => {
    const { findings, problems } = await check({ kind: 'http', url: 'https://erp.example.com/api/orders', headers: { Authorization: 'Bearer t0ken-value' }, batchSize: 20 });
    expect(problems).to.deep.equal([]);
    expect(findings[0]).to.equal('sink: POST https://erp.example.com/api/orders, up to 20 records per request, with an Idempotency-Key per content (nothing is sent by check)');
    expect(findings.join('\n')).not.to.contain('t0ken-value');
  });

  it('finds RabbitMQ, and a queue there or to be declared by the first run, declaring nothing', async () => {
    const queue = uniqueQueue('oro-sync-check');
    const { findings, problems } = await check({ kind: 'amqp', url: RABBIT_URL, queue });
    expect(problems).to.deep.equal([]);
    expect(findings[0]).to.equal(`sink: ok (RabbitMQ at amqp://guest:***@127.0.0.1:5672; queue "${queue}" is declared by the first run)`);
    const admin = await openAdmin();
    try {
      let declared = true;
      await admin.channel.checkQueue(queue).catch(() => (declared = false));
      expect(declared).to.equal(false);
    } finally {
      await admin.close();
    }
  });

  it('says RabbitMQ cannot be reached, without its password', async () => {
    const { problems } = await check({ kind: 'amqp', url: 'amqp://erp:pa55word@127.0.0.1:1', queue: 'orders' });
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^sink\.url: RabbitMQ at amqp:\/\/erp:\*\*\*@127\.0\.0\.1:1 unreachable/);
    expect(problems[0]).not.to.contain('pa55word');
  });

  describe('with an oro source', () => {
    let oro: FakeOro;
    beforeEach(async () => {
      oro = await startFakeOro();
      const { id } = oro.seed('orders', { poNumber: 'P1' });
      oro.seed('orderlineitems', { productSku: 'A', quantity: 1, value: 2 }, { order: { data: { type: 'orders', id } } });
    });
    afterEach(() => oro.close());

    async function checkOro(source: Record<string, unknown>): Promise<{ findings: string[]; problems: string[] }> {
      const file = ws.config('orders-out', oro, { source: { kind: 'oro', type: 'orders', path: undefined, ...source }, target: undefined, sink: { kind: 'ndjson', path: 'orders.ndjson' } });
      const { config } = await loadAnyConfig(file, { [SECRET_ENV]: oro.clientSecret });
      const findings: string[] = [];
      const problems = await checkSinkConfig(config as SinkRunConfig, runtime, ({ check: name, text }: CheckFinding) => findings.push(`${name}: ${text}`));
      return { findings, problems };
    }

    it('gets a token and reads the type as the source will: by updatedAt and id, with its includes', async () => {
      const { findings, problems } = await checkOro({ include: ['lineItems'], pageSize: 50 });
      expect(problems).to.deep.equal([]);
      expect(findings.slice(0, 2)).to.deep.equal([`token: ok (client credentials grant at ${oro.tokenUrl})`, 'read: ok (1 orders with lineItems, read by updatedAt, id)']);
      const read = oro.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/orders')).map((r) => new URLSearchParams(r.query));
      expect(read).to.have.length(1);
      expect(read[0]!.get('sort')).to.equal('updatedAt,id');
      expect(read[0]!.get('filter[updatedAt][gte]')).to.be.a('string');
      expect(read[0]!.get('filter[id][gt]')).to.be.a('string');
    });

    it('says which part of the source Oro refuses, naming the config path', async () => {
      const { problems } = await checkOro({ include: ['lineItems'], filter: { colour: 'red' } });
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/^source\.filter\.colour: Oro refused filter\[colour\]/);
    });
  });
});
