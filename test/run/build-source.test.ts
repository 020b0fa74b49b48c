import { expect } from 'chai';
import { loadConfig } from '../../src/config/config.js';
import { HttpError } from '../../src/errors/http-error.js';
import { buildSource } from '../../src/run/build-source.js';
import type { Step } from '../../src/types/outcome.js';
import { serve, type TestServer } from '../sources/serve.js';
import { tmpDir } from '../sources/tmp-files.js';
import { VirtualClock } from '../helpers/virtual-time.js';
import { startHarness } from '../helpers/oro-harness.js';

describe('run/buildSource: the http source retries with the pipeline\'s retry budget', () => {
  let server: TestServer;
  let dir: ReturnType<typeof tmpDir>;
  let answers: number[];

  beforeEach(async () => {
    answers = [];
    server = await serve(() => {
      const status = answers.shift() ?? 200;
      return status === 200 ? { json: [{ id: 1 }] } : { status };
    });
    dir = tmpDir();
  });

  afterEach(async () => {
    await server.close();
    dir.cleanup();
  });

  async function sourceOf(pipeline: object, clock: VirtualClock, onRetry: () => void): Promise<AsyncIterable<Step<unknown>>> {
    const file = dir.file('sync.json', JSON.stringify({
      oro: { baseUrl: 'http://127.0.0.1:1/admin/api', clientId: 'c', clientSecret: 's' },
      source: { kind: 'http', url: `${server.origin}/export` },
      target: { type: 'customers', mode: 'single', strategy: 'lookup', key: { source: 'id', oro: 'externalId' }, attributes: { externalId: 'id' } },
      pipeline,
    }));
    const { config } = await loadConfig(file, {});
    return buildSource(config, { scheduler: clock, onRetry });
  }

  async function drain(source: AsyncIterable<Step<unknown>>): Promise<{ steps: Step<unknown>[]; error: unknown }> {
    const steps: Step<unknown>[] = [];
    try {
      for await (const step of source) steps.push(step);
    } catch (error) {
      return { steps, error };
    }
    return { steps, error: undefined };
  }

  it('retries pipeline.retries times, each wait within the backoff of retryBaseMs capped at retryMaxMs', async () => {
    answers = [503, 503];
    const clock = new VirtualClock();
    let retries = 0;
    const source = await sourceOf({ retries: 2, retryBaseMs: 1_000, retryMaxMs: 1_500 }, clock, () => (retries += 1));
    const { steps, error } = await clock.run(drain(source), 10_000);
    expect(error).to.equal(undefined);
    expect(steps).to.have.length(1);
    expect(retries).to.equal(2);
    const waits = clock.delays.filter((ms) => ms < 10_000);
    expect(waits).to.have.length(2);
    expect(waits[0]).to.be.within(0, 1_000);
    expect(waits[1]).to.be.within(0, 1_500);
  });

  it('stops with the last transient error once the budget is spent', async () => {
    answers = [503, 503, 502];
    const clock = new VirtualClock();
    const source = await sourceOf({ retries: 2 }, clock, () => undefined);
    const { error } = await clock.run(drain(source), 10_000);
    expect(error).to.be.instanceOf(HttpError).and.include({ status: 502 });
    expect(server.requests).to.have.length(3);
  });
});

describe('run/buildSource: the oro source', () => {
  it('reads the config\'s type through the Oro client it is given, from the checkpoint\'s keyset', async () => {
    const h = await startHarness();
    const dir = tmpDir();
    try {
      for (let i = 1; i <= 5; i += 1) h.oro.seed('customers', { name: `C${i}`, updatedAt: `2020-01-0${i}T00:00:00Z` });
      const file = dir.file('orders.json', JSON.stringify({
        oro: { baseUrl: h.oro.baseUrl, clientId: 'c', clientSecret: 's' },
        source: { kind: 'oro', type: 'customers', pageSize: 2 },
        target: { type: 'customers', key: { source: 'data.id', oro: 'id' }, attributes: { name: 'data.attributes.name' } },
      }));
      const { config } = await loadConfig(file, {});
      expect(() => buildSource(config)).to.throw(/context\.oro/);
      const steps: Step<unknown>[] = [];
      h.oro.resetLog();
      for await (const step of buildSource(config, { oro: { client: h.client }, resume: { updatedAt: '2020-01-02T00:00:00Z', id: '2' } })) steps.push(step);
      expect(steps.map((s) => ('value' in s ? (s.value as { data: { id: string } }).data.id : ''))).to.deep.equal(['3', '4', '5']);
      expect(h.oro.requests.filter((r) => r.method === 'GET').every((r) => new URLSearchParams(r.query).get('page[size]') === '2')).to.equal(true);
    } finally {
      dir.cleanup();
      await h.close();
    }
  });
});
