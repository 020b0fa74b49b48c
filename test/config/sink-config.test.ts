import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors/config-error.js';
import { type AnyConfig, loadAnyConfig, loadConfig, redactConfig } from '../../src/config/config.js';

const ENV = { ORO_CLIENT_ID: 'client-id', ORO_CLIENT_SECRET: 'the-real-secret', ERP_TOKEN: 'erp-token-value' };

/** Orders out of Oro into an NDJSON file: the smallest sink config. */
const ordersOut = (sink: Record<string, unknown>): Record<string, unknown> => ({
  oro: { baseUrl: 'https://shop.example.com/admin/api', clientId: '${ORO_CLIENT_ID}', clientSecret: '${ORO_CLIENT_SECRET}' },
  source: { kind: 'ndjson', path: 'orders-in.ndjson' },
  sink,
});

describe('config: sink (records out of Oro)', () => {
  let dir: string;
  let n = 0;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oro-sync-sink-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function write(doc: unknown): Promise<string> {
    const file = join(dir, `orders-${++n}.json`);
    await writeFile(file, JSON.stringify(doc), { mode: 0o600 });
    return file;
  }

  async function load(doc: unknown): Promise<AnyConfig> {
    return (await loadAnyConfig(await write(doc), ENV)).config;
  }

  async function problemsOf(doc: unknown): Promise<readonly string[]> {
    try {
      await loadAnyConfig(await write(doc), ENV);
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  }

  it('decodes an ndjson sink, resolving its path and transform against the config file', async () => {
    const config = await load(ordersOut({ kind: 'ndjson', path: 'out/orders.ndjson', transform: './to-erp.mjs' }));
    expect('sink' in config && config.sink).to.deep.equal({ kind: 'ndjson', path: join(dir, 'out/orders.ndjson'), transform: join(dir, 'to-erp.mjs') });
    expect(config).not.to.have.property('target');
  });

  it('decodes an http sink with its defaults: POST, no headers, one record per request, https only', async () => {
    const config = await load(ordersOut({ kind: 'http', url: 'https://erp.example.com/api/orders' }));
    expect('sink' in config && config.sink).to.deep.equal({
      kind: 'http', url: 'https://erp.example.com/api/orders', method: 'POST', headers: {}, batchSize: 1, allowInsecureHttp: false,
    });
  });

  it('substitutes ${ENV} in sink headers, and redactConfig hides their values', async () => {
    const config = await load(ordersOut({
      kind: 'http', url: 'https://erp.example.com/api/orders', method: 'PUT', headers: { Authorization: 'Bearer ${ERP_TOKEN}' }, batchSize: 50,
    }));
    if (!('sink' in config) || config.sink.kind !== 'http') throw new Error('expected an http sink');
    expect(config.sink.headers).to.deep.equal({ Authorization: 'Bearer erp-token-value' });
    expect(config.sink.batchSize).to.equal(50);
    expect(JSON.stringify(redactConfig(config))).not.to.contain('erp-token-value');
  });

  it('decodes an amqp sink', async () => {
    const config = await load(ordersOut({ kind: 'amqp', url: 'amqp://guest:guest@127.0.0.1:5672', queue: 'orders' }));
    expect('sink' in config && config.sink).to.deep.equal({ kind: 'amqp', url: 'amqp://guest:guest@127.0.0.1:5672', queue: 'orders' });
    expect(JSON.stringify(redactConfig(config))).not.to.contain('guest:guest');
  });

  it('refuses a config with both target and sink, naming both', async () => {
    const doc = { ...ordersOut({ kind: 'ndjson', path: 'o.ndjson' }), target: { type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name' } } };
    expect(await problemsOf(doc)).to.deep.equal(['sink: expected target (records into Oro) or sink (records out of Oro), got both: give one']);
  });

  it('refuses a config with neither, naming both', async () => {
    const { sink: _sink, ...doc } = ordersOut({});
    expect(await problemsOf(doc)).to.deep.equal([
      'target: expected target settings {type, key, attributes, ...} (records into Oro) or sink settings {kind, ...} (records out of Oro), got nothing',
    ]);
  });

  it('names every problem of a sink: kind, url, method, batch size, own headers', async () => {
    expect(await problemsOf(ordersOut({ kind: 'ftp', path: 'x' }))).to.deep.equal(['sink.kind: expected one of "ndjson" | "http" | "amqp", got "ftp"']);
    expect(await problemsOf(ordersOut({ kind: 'ndjson' }))).to.deep.equal(['sink.path: expected non-empty string, got nothing']);
    expect(await problemsOf(ordersOut({
      kind: 'http', url: 'erp/orders', method: 'GET', batchSize: 0, headers: { 'Idempotency-Key': 'mine' },
    }))).to.deep.equal([
      'sink.url: expected absolute http(s) URL, got "erp/orders"',
      'sink.method: expected one of "POST" | "PUT" | "PATCH", got "GET"',
      'sink.batchSize: expected positive integer, got 0',
      'sink.headers.Idempotency-Key: set by oro-sync on every request (a digest of the content, so that a redelivery is recognised); remove it',
    ]);
  });

  it('allows plain http:// only to loopback hosts unless sink.allowInsecureHttp', async () => {
    expect(await problemsOf(ordersOut({ kind: 'http', url: 'http://erp.example.com/api/orders' }))).to.deep.equal([
      'sink.url: plain http:// is only allowed for loopback hosts; use https:// or set sink.allowInsecureHttp: true',
    ]);
    await load(ordersOut({ kind: 'http', url: 'http://127.0.0.1:8080/api/orders' }));
    await load(ordersOut({ kind: 'http', url: 'http://erp.example.com/api/orders', allowInsecureHttp: true }));
  });

  it('refuses a queue as the source of a sink', async () => {
    const doc = { ...ordersOut({ kind: 'ndjson', path: 'o.ndjson' }), source: { kind: 'amqp', url: 'amqp://127.0.0.1', queue: 'q' } };
    expect(await problemsOf(doc)).to.deep.equal([
      'source.kind: expected a source a run reads to its end (oro, ndjson, json, csv, stdin, http), got "amqp": a sink does not consume queues',
    ]);
  });

  it('loadConfig, for code that writes into Oro, refuses a sink config and says what to use', async () => {
    const file = await write(ordersOut({ kind: 'ndjson', path: 'o.ndjson' }));
    try {
      await loadConfig(file, ENV);
      expect.fail('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).problems).to.deep.equal([
        'sink: expected target settings (this code writes records into Oro), got a sink of kind "ndjson": load it with loadAnyConfig',
      ]);
    }
  });
});
