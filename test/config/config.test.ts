import { expect } from 'chai';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors/config-error.js';
import { type Config, loadConfig, redactConfig } from '../../src/config/config.js';

/** The example of docs/architecture.md, "Config file". */
const EXAMPLE = {
  oro: {
    baseUrl: 'https://shop.example.com/admin/api',
    tokenUrl: 'https://shop.example.com/oauth2-token',
    clientId: '${ORO_CLIENT_ID}',
    clientSecret: '${ORO_CLIENT_SECRET}',
    allowInsecureHttp: false,
  },
  source: { kind: 'ndjson', path: 'customers.ndjson' },
  target: {
    type: 'customers',
    mode: 'single',
    strategy: 'lookup',
    key: { source: 'id', oro: 'externalId' },
    conflict: 'source-wins',
    attributes: { name: 'name', externalId: 'id' },
    relationships: { group: { type: 'customergroups', source: 'groupId' } },
    transform: './transform.mjs',
  },
  pipeline: {
    batchSize: 100, batchMs: 500, concurrency: 8, ratePerSecond: 0,
    retries: 6, retryBaseMs: 200, retryMaxMs: 30000, requestTimeoutMs: 30000, maxPauseSeconds: 300,
  },
  schedule: { intervalSeconds: 60, watermark: 'updatedAt' },
  state: { path: '.oro-sync/state.db' },
  deadLetter: { path: 'dead-letters.ndjson' },
  metrics: { port: 9464 },
};

const ENV = { ORO_CLIENT_ID: 'client-id', ORO_CLIENT_SECRET: 'the-real-secret' };

/** Smallest valid config: everything else has a default. */
const minimal = (): Record<string, unknown> => ({
  oro: { baseUrl: 'https://shop.example.com/admin/api', clientId: '${ORO_CLIENT_ID}', clientSecret: '${ORO_CLIENT_SECRET}' },
  source: { kind: 'stdin' },
  target: { type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name' } },
});

describe('config/config loadConfig', () => {
  let dir: string;
  let n = 0;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oro-sync-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function write(doc: unknown, name = `config-${++n}.json`, mode = 0o600): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
    await chmod(file, mode);
    return file;
  }

  async function load(doc: unknown, env: NodeJS.ProcessEnv = ENV): Promise<Config> {
    return (await loadConfig(await write(doc), env)).config;
  }

  async function problemsOf(doc: unknown, env: NodeJS.ProcessEnv = ENV): Promise<readonly string[]> {
    const file = await write(doc);
    try {
      await loadConfig(file, env);
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      expect((e as ConfigError).message).to.contain(file);
      return (e as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  }

  function withPatch(patch: (doc: Record<string, Record<string, unknown>>) => void): Record<string, unknown> {
    const doc = structuredClone(minimal()) as Record<string, Record<string, unknown>>;
    patch(doc);
    return doc;
  }

  it('decodes the docs/architecture.md example, substituting env and resolving paths', async () => {
    const file = await write(EXAMPLE, 'customers-sync.json');
    const { config, warnings } = await loadConfig(file, ENV);
    expect(warnings).to.deep.equal([]);
    expect(config).to.deep.equal({
      name: 'customers-sync',
      oro: {
        baseUrl: 'https://shop.example.com/admin/api',
        tokenUrl: 'https://shop.example.com/oauth2-token',
        clientId: 'client-id',
        clientSecret: 'the-real-secret',
        allowInsecureHttp: false,
      },
      source: { kind: 'ndjson', path: join(dir, 'customers.ndjson'), changes: 'auto' },
      target: {
        type: 'customers',
        mode: 'single',
        strategy: 'lookup',
        key: { source: 'id', oro: 'externalId' },
        conflict: 'source-wins',
        attributes: { name: 'name', externalId: 'id' },
        relationships: { group: { type: 'customergroups', source: 'groupId' } },
        transform: join(dir, 'transform.mjs'),
      },
      pipeline: {
        batchSize: 100, batchMs: 500, concurrency: 8, maxConcurrency: 64, ratePerSecond: 0,
        retries: 6, retryBaseMs: 200, retryMaxMs: 30000, requestTimeoutMs: 30000, maxPauseSeconds: 300,
      },
      schedule: { intervalSeconds: 60, watermark: 'updatedAt' },
      state: { path: join(dir, '.oro-sync/state.db') },
      deadLetter: { path: join(dir, 'dead-letters.ndjson') },
      metrics: { port: 9464, host: '127.0.0.1' },
    });
  });

  it('fills in every default', async () => {
    const file = await write(minimal(), 'my-pipeline.config.json');
    const { config } = await loadConfig(file, ENV);
    expect(config).to.deep.equal({
      name: 'my-pipeline.config',
      oro: {
        baseUrl: 'https://shop.example.com/admin/api',
        tokenUrl: 'https://shop.example.com/oauth2-token',
        clientId: 'client-id',
        clientSecret: 'the-real-secret',
        allowInsecureHttp: false,
      },
      source: { kind: 'stdin' },
      target: {
        type: 'customers',
        mode: 'single',
        strategy: 'lookup',
        key: { source: 'id', oro: 'externalId' },
        conflict: 'source-wins',
        attributes: { name: 'name' },
        relationships: {},
      },
      pipeline: {
        batchSize: 100, batchMs: 500, concurrency: 8, maxConcurrency: 64, ratePerSecond: 0,
        retries: 6, retryBaseMs: 200, retryMaxMs: 30000, requestTimeoutMs: 30000, maxPauseSeconds: 300,
      },
      schedule: { intervalSeconds: 60 },
      state: { path: join(dir, '.oro-sync', 'state.db') },
      deadLetter: { path: join(dir, 'dead-letters.ndjson') },
    });
  });

  it('keeps an explicit name, and defaults a missing metrics host to loopback', async () => {
    const config = await load({ ...minimal(), name: 'customers', metrics: { port: 0 } });
    expect(config.name).to.equal('customers');
    expect(config.metrics).to.deep.equal({ port: 0, host: '127.0.0.1' });
  });

  describe('oro', () => {
    it('defaults tokenUrl to the origin of baseUrl + /oauth2-token and drops trailing slashes', async () => {
      const config = await load(withPatch((d) => {
        d.oro!.baseUrl = 'https://shop.example.com:8443/index.php/admin/api/';
      }));
      expect(config.oro.baseUrl).to.equal('https://shop.example.com:8443/index.php/admin/api');
      expect(config.oro.tokenUrl).to.equal('https://shop.example.com:8443/oauth2-token');
    });

    it('refuses plain http:// to a non-loopback host, for baseUrl and tokenUrl', async () => {
      const problems = await problemsOf(withPatch((d) => {
        d.oro!.baseUrl = 'http://shop.example.com/admin/api';
      }));
      const message = 'plain http:// is only allowed for loopback hosts; use https:// or set oro.allowInsecureHttp: true';
      expect(problems).to.deep.equal([`oro.baseUrl: ${message}`, `oro.tokenUrl: ${message}`]);
    });

    it('reports insecure URLs along with the other problems of the section', async () => {
      const problems = await problemsOf(withPatch((d) => {
        d.oro!.baseUrl = 'http://shop.example.com/admin/api';
        d.oro!.tokenUrl = 'https://shop.example.com/oauth2-token';
        delete d.oro!.clientId;
        delete d.target!.attributes;
        d.target!.mode = 'bulk';
      }));
      expect(problems).to.have.members([
        'oro.clientId: expected non-empty string, got nothing',
        'oro.baseUrl: plain http:// is only allowed for loopback hosts; use https:// or set oro.allowInsecureHttp: true',
        'target.mode: expected one of "single" | "batch" | "batch-sync", got "bulk"',
        'target.attributes: expected object of Oro attribute -> source field path (or target.transform), got nothing',
      ]);
      expect(problems).to.have.length(4);
    });

    it('allows plain http:// to loopback hosts', async () => {
      for (const host of ['127.0.0.1:8080', 'localhost', '[::1]:9000']) {
        const config = await load(withPatch((d) => {
          d.oro!.baseUrl = `http://${host}/admin/api`;
        }));
        expect(config.oro.tokenUrl).to.equal(`http://${host}/oauth2-token`);
      }
    });

    it('allows plain http:// anywhere with allowInsecureHttp: true', async () => {
      const config = await load(withPatch((d) => {
        d.oro!.baseUrl = 'http://shop.internal/admin/api';
        d.oro!.allowInsecureHttp = true;
      }));
      expect(config.oro.allowInsecureHttp).to.equal(true);
    });
  });

  describe('source kinds', () => {
    const withSource = (source: unknown): Record<string, unknown> => ({ ...minimal(), source });

    it('ndjson, json and csv with defaults, paths resolved against the config dir', async () => {
      expect((await load(withSource({ kind: 'ndjson', path: 'in/a.ndjson' }))).source)
        .to.deep.equal({ kind: 'ndjson', path: join(dir, 'in', 'a.ndjson'), changes: 'auto' });
      expect((await load(withSource({ kind: 'json', path: 'a.json', itemsPath: 'data.items' }))).source)
        .to.deep.equal({ kind: 'json', path: join(dir, 'a.json'), changes: 'auto', itemsPath: 'data.items' });
      expect((await load(withSource({ kind: 'json', path: '/abs/a.json', changes: 'snapshot' }))).source)
        .to.deep.equal({ kind: 'json', path: '/abs/a.json', changes: 'snapshot' });
      expect((await load(withSource({ kind: 'csv', path: 'a.csv' }))).source)
        .to.deep.equal({ kind: 'csv', path: join(dir, 'a.csv'), changes: 'auto', delimiter: ',', quote: '"' });
      expect((await load(withSource({ kind: 'csv', path: 'a.csv', changes: 'append', delimiter: ';', quote: "'" }))).source)
        .to.deep.equal({ kind: 'csv', path: join(dir, 'a.csv'), changes: 'append', delimiter: ';', quote: "'" });
    });

    it('stdin', async () => {
      expect((await load(withSource({ kind: 'stdin' }))).source).to.deep.equal({ kind: 'stdin' });
    });

    it('http without pagination, with itemsPath and ${ENV} headers', async () => {
      const config = await load(withSource({
        kind: 'http',
        url: 'https://erp.example.com/api/customers',
        itemsPath: 'data',
        headers: { Authorization: 'Bearer ${ERP_TOKEN}' },
      }), { ...ENV, ERP_TOKEN: 'erp-token' });
      expect(config.source).to.deep.equal({
        kind: 'http',
        url: 'https://erp.example.com/api/customers',
        changes: 'auto',
        itemsPath: 'data',
        headers: { Authorization: 'Bearer erp-token' },
      });
    });

    it('amqp with defaults', async () => {
      expect((await load(withSource({ kind: 'amqp', url: 'amqp://localhost', queue: 'customers' }))).source)
        .to.deep.equal({ kind: 'amqp', url: 'amqp://localhost', queue: 'customers', prefetch: 32, idleExitSeconds: 5 });
    });

    it('each pagination kind with its default parameter names', async () => {
      const paginationOf = async (pagination: unknown): Promise<unknown> => {
        const config = await load(withSource({ kind: 'http', url: 'https://erp.example.com/x', pagination }));
        return config.source.kind === 'http' ? config.source.pagination : undefined;
      };
      expect(await paginationOf({ kind: 'page' }))
        .to.deep.equal({ kind: 'page', pageParam: 'page', sizeParam: 'per_page', size: 100, firstPage: 1 });
      expect(await paginationOf({ kind: 'offset' }))
        .to.deep.equal({ kind: 'offset', offsetParam: 'offset', limitParam: 'limit', limit: 100 });
      expect(await paginationOf({ kind: 'cursor' }))
        .to.deep.equal({ kind: 'cursor', cursorParam: 'cursor', cursorPath: 'meta.next_cursor', sizeParam: 'limit', size: 100 });
      expect(await paginationOf({ kind: 'next-link' })).to.deep.equal({ kind: 'next-link', nextPath: 'links.next' });
      expect(await paginationOf({ kind: 'next-link', nextHeader: 'Link' })).to.deep.equal({ kind: 'next-link', nextHeader: 'Link' });
      expect(await paginationOf({ kind: 'page', pageParam: 'p', sizeParam: 's', size: 5, firstPage: 0 }))
        .to.deep.equal({ kind: 'page', pageParam: 'p', sizeParam: 's', size: 5, firstPage: 0 });
    });

    it('names the path of a bad pagination', async () => {
      const problems = await problemsOf(withSource({
        kind: 'http', url: 'https://erp.example.com/x', pagination: { kind: 'pages', size: 0 },
      }));
      expect(problems).to.deep.equal([
        'source.pagination.kind: expected one of "page" | "offset" | "cursor" | "next-link", got "pages"',
      ]);
      expect(await problemsOf(withSource({
        kind: 'http', url: 'https://erp.example.com/x', pagination: { kind: 'next-link', nextPath: 'a', nextHeader: 'Link' },
      }))).to.deep.equal(['source.pagination.nextHeader: expected either nextPath or nextHeader, got both']);
    });

    it('refuses an unknown kind, listing the kinds', async () => {
      expect(await problemsOf(withSource({ kind: 'xml', path: 'a.xml' }))).to.deep.equal([
        'source.kind: expected one of "ndjson" | "json" | "csv" | "stdin" | "http" | "amqp" | "oro", got "xml"',
      ]);
    });

    it('oro: type, pageSize 100 by default; include, filter and since when given', async () => {
      expect((await load(withSource({ kind: 'oro', type: 'orders' }))).source).to.deep.equal({ kind: 'oro', type: 'orders', pageSize: 100 });
      const full = { kind: 'oro', type: 'orders', include: ['lineItems'], filter: { customer: '12' }, pageSize: 50, since: '2026-01-01T00:00:00Z' };
      expect((await load(withSource(full))).source).to.deep.equal(full);
    });

    it('oro: names bad fields, and refuses filters on updatedAt and id, which the source owns', async () => {
      expect(await problemsOf(withSource({ kind: 'oro', type: '', include: 'lineItems', pageSize: 0, since: 'yesterday', filter: { customer: 12 } }))).to.deep.equal([
        'source.type: expected non-empty string, got ""',
        'source.include: expected array of relationship names, got "lineItems"',
        'source.filter.customer: expected non-empty string, got 12',
        'source.pageSize: expected positive integer, got 0',
        'source.since: expected ISO 8601 date and time (e.g. 2026-01-01T00:00:00Z), got "yesterday"',
      ]);
      const problems = await problemsOf(withSource({ kind: 'oro', type: 'orders', filter: { updatedAt: '2026-01-01', id: '5' } }));
      expect(problems).to.have.length(2);
      expect(problems[0]).to.match(/^source\.filter\.updatedAt: expected a field other than updatedAt: the oro source filters by updatedAt itself/);
      expect(problems[1]).to.match(/^source\.filter\.id: /);
    });

    it('oro: schedule.watermark is refused beside it (it keeps its own place)', async () => {
      const problems = await problemsOf({ ...minimal(), source: { kind: 'oro', type: 'orders' }, schedule: { watermark: 'updatedAt' } });
      expect(problems).to.deep.equal(['schedule.watermark: expected nothing with source.kind "oro": it reads what changed by updatedAt itself, and a complete run keeps its place in its checkpoint']);
    });

    it('checks fields of the chosen kind only', async () => {
      expect(await problemsOf(withSource({ kind: 'csv', path: 'a.csv', delimiter: ';;' }))).to.deep.equal([
        'source.delimiter: expected single character, got ";;"',
      ]);
      expect(await problemsOf(withSource({ kind: 'amqp', url: 'http://x', queue: '' }))).to.deep.equal([
        'source.url: expected amqp:// or amqps:// URL, got "http://x"',
        'source.queue: expected non-empty string, got ""',
      ]);
    });
  });

  describe('state', () => {
    it('state.url names a PostgreSQL store (from ${ENV}), kept as given (not a path)', async () => {
      const config = await load({ ...minimal(), state: { url: '${STATE_URL}' } }, { ...ENV, STATE_URL: 'postgres://sync:pw@db.internal:5432/oro_sync' });
      expect(config.state).to.deep.equal({ url: 'postgres://sync:pw@db.internal:5432/oro_sync' });
      expect(redactConfig(config).state).to.deep.equal({ url: 'postgres://sync:***@db.internal:5432/oro_sync' });
    });

    it('state.path and state.url together are one problem naming both', async () => {
      const problems = await problemsOf({ ...minimal(), state: { path: 'state.db', url: 'postgres://db/oro_sync' } });
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/state\.path and state\.url: give one, not both/);
    });

    it('a state.url that is not postgres:// is a problem that does not show its password', async () => {
      const problems = await problemsOf({ ...minimal(), state: { url: 'mysql://sync:hunter2@db/oro_sync' } });
      expect(problems).to.deep.equal(['state.url: expected postgres:// or postgresql:// URL, got "mysql://sync:***@db/oro_sync"']);
    });
  });

  describe('${ENV} substitution', () => {
    it('replaces references anywhere in strings, and $${X} stays literal', async () => {
      const config = await load(withPatch((d) => {
        d.oro!.baseUrl = 'https://${HOST}/admin/api';
        d.target!.attributes = { name: '$${NOT_A_VAR}', email: '${FIELD}' };
      }), { ...ENV, HOST: 'shop.example.com', FIELD: 'mail' });
      expect(config.oro.baseUrl).to.equal('https://shop.example.com/admin/api');
      expect(config.target.attributes).to.deep.equal({ name: '${NOT_A_VAR}', email: 'mail' });
    });

    it('a missing variable is a problem naming the variable and its config path (once)', async () => {
      const problems = await problemsOf(withPatch((d) => {
        d.oro!.baseUrl = '${ORO_BASE_URL}';
      }), { ORO_CLIENT_ID: 'id' });
      expect(problems).to.deep.equal([
        'oro.baseUrl: environment variable ORO_BASE_URL is not set',
        'oro.clientSecret: environment variable ORO_CLIENT_SECRET is not set',
      ]);
    });
  });

  describe('problems', () => {
    it('reports every problem at once, each with its path', async () => {
      const problems = await problemsOf(withPatch((d) => {
        d.oro!.baseUrl = 'shop';
        d.source = { kind: 'xml' };
        d.pipeline = { concurrency: -1, batchMs: 1.5, ratePerSecond: 'fast' };
        d.target!.mode = 'bulk';
        delete d.target!.key;
        d.metrics = { port: 70000 };
      }));
      expect(problems).to.have.members([
        'oro.baseUrl: expected absolute http(s) URL, got "shop"',
        'source.kind: expected one of "ndjson" | "json" | "csv" | "stdin" | "http" | "amqp" | "oro", got "xml"',
        'target.mode: expected one of "single" | "batch" | "batch-sync", got "bulk"',
        'target.key: expected key {source, oro}, got nothing',
        'pipeline.batchMs: expected non-negative integer, got 1.5',
        'pipeline.concurrency: expected positive integer or "auto", got -1',
        'pipeline.ratePerSecond: expected non-negative number, got "fast"',
        'metrics.port: expected port number (0-65535), got 70000',
      ]);
      expect(problems).to.have.length(8);
    });

    it('names missing sections and non-object documents', async () => {
      expect(await problemsOf({})).to.deep.equal([
        'oro: expected oro settings {baseUrl, clientId, clientSecret, ...}, got nothing',
        'source: expected source {kind, ...}, got nothing',
        'target: expected target settings {type, key, attributes, ...} (records into Oro) or sink settings {kind, ...} (records out of Oro), got nothing',
      ]);
      expect(await problemsOf([])).to.deep.equal(['(top level): expected config object, got an array']);
    });

    it('reports unknown keys, with a suggestion when one is close', async () => {
      const problems = await problemsOf(withPatch((d) => {
        d.pipeline = { batchsize: 10 };
        d.sourse = {};
        d.target!.atributes = {};
        d.oro!.whatever = 1;
      }));
      expect(problems).to.have.members([
        'pipeline.batchsize: unknown key (did you mean "batchSize"?)',
        'sourse: unknown key (did you mean "source"?)',
        'target.atributes: unknown key (did you mean "attributes"?)',
        'oro.whatever: unknown key',
      ]);
    });

    it('reports keys of another source kind as unknown', async () => {
      expect(await problemsOf({ ...minimal(), source: { kind: 'ndjson', path: 'a', itemsPath: 'x' } }))
        .to.deep.equal(['source.itemsPath: unknown key']);
    });

    it('requires target.attributes or target.transform', async () => {
      expect(await problemsOf(withPatch((d) => {
        delete d.target!.attributes;
      }))).to.deep.equal([
        'target.attributes: expected object of Oro attribute -> source field path (or target.transform), got nothing',
      ]);
      const config = await load(withPatch((d) => {
        delete d.target!.attributes;
        d.target!.transform = 'map.mjs';
      }));
      expect(config.target.attributes).to.deep.equal({});
      expect(config.target.transform).to.equal(join(dir, 'map.mjs'));
    });

    it('names the path inside attributes and relationships', async () => {
      expect(await problemsOf(withPatch((d) => {
        d.target!.attributes = { name: 5 };
        d.target!.relationships = { group: { type: 'customergroups' } };
      }))).to.deep.equal([
        'target.attributes.name: expected non-empty string, got 5',
        'target.relationships.group.source: expected non-empty string, got nothing',
      ]);
    });

    it('skip-if-target-newer requires schedule.watermark', async () => {
      const problems = await problemsOf(withPatch((d) => {
        d.target!.conflict = 'skip-if-target-newer';
      }));
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/^schedule\.watermark: expected .*skip-if-target-newer.*, got nothing$/);
      // also when the target section has problems of its own
      expect(await problemsOf(withPatch((d) => {
        d.target!.conflict = 'skip-if-target-newer';
        d.target!.key = {};
      }))).to.have.length(3).and.to.satisfy((ps: string[]) => ps.some((p) => p.startsWith('schedule.watermark: ')));
      const config = await load(withPatch((d) => {
        d.target!.conflict = 'skip-if-target-newer';
        d.schedule = { watermark: 'updatedAt' };
      }));
      expect(config.schedule.watermark).to.equal('updatedAt');
    });

    it('source.changes: auto, append or snapshot; anything else names the path', async () => {
      expect(await problemsOf(withPatch((d) => {
        d.source = { kind: 'csv', path: 'a.csv', changes: 'sometimes' };
      }))).to.deep.equal(['source.changes: expected one of "auto" | "append" | "snapshot", got "sometimes"']);
    });

    it('target.onMissing: delete or update, maxFraction 0.1 by default, from 0 to 1', async () => {
      const deleting = await load(withPatch((d) => {
        d.target!.onMissing = { action: 'delete' };
        d.schedule = {};
        d.source = { kind: 'ndjson', path: 'a.ndjson' };
      }));
      expect(deleting.target.onMissing).to.deep.equal({ action: 'delete', maxFraction: 0.1 });
      const updating = await load(withPatch((d) => {
        d.target!.onMissing = { action: 'update', attributes: { status: 'inactive' }, maxFraction: 0.5 };
        d.schedule = {};
        d.source = { kind: 'ndjson', path: 'a.ndjson' };
      }));
      expect(updating.target.onMissing).to.deep.equal({ action: 'update', attributes: { status: 'inactive' }, maxFraction: 0.5 });
      const problems = await problemsOf(withPatch((d) => {
        d.target!.onMissing = { action: 'delete', maxFraction: 2 };
        d.schedule = {};
        d.source = { kind: 'ndjson', path: 'a.ndjson' };
      }));
      expect(problems).to.deep.equal(['target.onMissing.maxFraction: expected number from 0 to 1, got 2']);
    });

    it('target.onMissing is refused for sources whose runs do not see every record', async () => {
      const cases: Array<[string, (d: Record<string, Record<string, unknown>>) => void]> = [
        ['a stdin source', (d) => void (d.source = { kind: 'stdin' })],
        ['source.changes "append"', (d) => void (d.source = { kind: 'ndjson', path: 'a.ndjson', changes: 'append' })],
        ['schedule.watermark', (d) => void (d.schedule = { watermark: 'updatedAt' })],
        ['an oro source', (d) => void (d.source = { kind: 'oro', type: 'orders' })],
      ];
      for (const [why, patch] of cases) {
        const problems = await problemsOf(withPatch((d) => {
          d.target!.onMissing = { action: 'delete' };
          d.schedule = {};
          d.source = { kind: 'ndjson', path: 'a.ndjson' };
          patch(d);
        }));
        expect(problems.filter((p) => p.startsWith('target.onMissing: ')), why).to.have.length(1);
        expect(problems.find((p) => p.startsWith('target.onMissing: '))).to.contain(why);
      }
    });

    it('caps batchSize at 100 for batch-sync, also alongside other problems', async () => {
      expect(await problemsOf(withPatch((d) => {
        d.target!.mode = 'batch-sync';
        d.pipeline = { batchSize: 500 };
        d.oro!.clientId = 5;
      }))).to.have.members([
        'oro.clientId: expected non-empty string, got 5',
        'pipeline.batchSize: expected at most 100 (the limit of target.mode "batch-sync"), got 500',
      ]);
      const config = await load(withPatch((d) => {
        d.target!.mode = 'batch';
        d.pipeline = { batchSize: 500 };
      }));
      expect(config.pipeline.batchSize).to.equal(500);
    });

    it('requires retryMaxMs >= retryBaseMs', async () => {
      expect(await problemsOf(withPatch((d) => {
        d.pipeline = { retryBaseMs: 1000, retryMaxMs: 10 };
      }))).to.deep.equal(['pipeline.retryMaxMs: expected at least pipeline.retryBaseMs (1000), got 10']);
    });

    it('takes pipeline.concurrency as a positive integer or "auto", with pipeline.maxConcurrency a positive integer', async () => {
      const { config } = await loadConfig(await write(withPatch((d) => {
        d.pipeline = { concurrency: 'auto', maxConcurrency: 32 };
      })), ENV);
      expect(config.pipeline).to.deep.include({ concurrency: 'auto', maxConcurrency: 32 });
      expect(await problemsOf(withPatch((d) => {
        d.pipeline = { concurrency: 'fast', maxConcurrency: 0 };
      }))).to.deep.equal([
        'pipeline.concurrency: expected positive integer or "auto", got "fast"',
        'pipeline.maxConcurrency: expected positive integer, got 0',
      ]);
    });

    it('takes pipeline.maxPauseSeconds as a non-negative number of seconds', async () => {
      expect(await problemsOf(withPatch((d) => {
        d.pipeline = { maxPauseSeconds: -1 };
      }))).to.deep.equal(['pipeline.maxPauseSeconds: expected non-negative number, got -1']);
    });

    it('never shows a secret value in a problem', async () => {
      const problems = await problemsOf(withPatch((d) => {
        d.oro!.clientSecret = 12345;
        d.source = { kind: 'http', url: 'https://erp.example.com', headers: { Authorization: 7 } };
        d.publish = { url: 'http://user:hunter2@mq.example.com', queue: 'q' };
      }));
      expect(problems).to.deep.equal([
        'oro.clientSecret: expected non-empty string, got a number',
        'source.headers.Authorization: expected non-empty string, got a number',
        'publish.url: expected amqp:// or amqps:// URL, got "http://user:***@mq.example.com/"',
      ]);
      expect(problems.join('\n')).not.to.match(/12345|hunter2/);
    });
  });

  describe('file errors', () => {
    it('a JSON syntax error names the file and line:column, without quoting the text', async () => {
      const file = await write('{\n  "oro": {\n    "clientSecret": "s3cr3t-value"\n    "clientId": "x"\n  }\n}\n');
      const error = await loadConfig(file, ENV).then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(ConfigError);
      const { message, problems } = error as ConfigError;
      expect(problems).to.deep.equal([`${file}:4:5: invalid JSON: expected "," or "}", got "\\""`]);
      expect(message).not.to.contain('s3cr3t-value');
    });

    it('a missing file is a ConfigError naming it', async () => {
      const file = join(dir, 'nope.json');
      const error = await loadConfig(file, ENV).then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as ConfigError).message).to.contain(file).and.to.contain('ENOENT');
    });
  });

  describe('warnings', () => {
    const literal = (): Record<string, unknown> => withPatch((d) => {
      d.oro!.clientSecret = 'literal-s3cret';
    });

    it('warns about a literal clientSecret, without its value', async () => {
      const { config, warnings } = await loadConfig(await write(literal(), 'a.json', 0o600), ENV);
      expect(config.oro.clientSecret).to.equal('literal-s3cret');
      expect(warnings).to.deep.equal(['oro.clientSecret is written in the config file; prefer ${ORO_CLIENT_SECRET}']);
    });

    it('also warns when such a file is readable by others, with a chmod 600 hint', async () => {
      const file = await write(literal(), 'b.json', 0o644);
      const { warnings } = await loadConfig(file, ENV);
      expect(warnings).to.have.length(2);
      expect(warnings[1]).to.contain(file).and.to.contain(`chmod 600 ${file}`).and.to.contain('644');
      expect(warnings.join('\n')).not.to.contain('literal-s3cret');
    });

    it('does not warn about a readable file whose secret comes from the environment', async () => {
      const { warnings } = await loadConfig(await write(minimal(), 'c.json', 0o644), ENV);
      expect(warnings).to.deep.equal([]);
    });
  });
});

describe('config/config redactConfig', () => {
  it('replaces the client secret, header values and URL passwords with ***', () => {
    const config: Config = {
      name: 'x',
      oro: {
        baseUrl: 'https://shop/admin/api', tokenUrl: 'https://shop/oauth2-token',
        clientId: 'id', clientSecret: 'top-secret', allowInsecureHttp: false,
      },
      source: { kind: 'http', url: 'https://u:pw1@erp/x', changes: 'auto', headers: { Authorization: 'Bearer tok' } },
      target: {
        type: 'customers', mode: 'single', strategy: 'lookup', key: { source: 'id', oro: 'externalId' },
        conflict: 'source-wins', attributes: {}, relationships: {},
      },
      pipeline: {
        batchSize: 1, batchMs: 1, concurrency: 1, maxConcurrency: 64, ratePerSecond: 0, retries: 0, retryBaseMs: 0, retryMaxMs: 0,
        requestTimeoutMs: 1, maxPauseSeconds: 0,
      },
      schedule: { intervalSeconds: 1 },
      state: { path: '/s' },
      deadLetter: { path: '/d' },
      publish: { url: 'amqp://guest:pw2@mq', queue: 'q' },
    };
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.to.match(/top-secret|Bearer tok|pw1|pw2/);
    expect(redactConfig(config).oro.clientSecret).to.equal('***');
    expect(config.oro.clientSecret).to.equal('top-secret');
  });
});
