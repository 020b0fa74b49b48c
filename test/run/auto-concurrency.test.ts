/**
 * pipeline.concurrency "auto" through runConfig against a fake Oro with a capacity: the run
 * conserves every record, keeps Oro's queue bounded, and the limit in force is a metric.
 */
import { expect } from 'chai';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/config/config.js';
import { createMetrics } from '../../src/run/metrics.js';
import { runConfig } from '../../src/run/run-config.js';
import { createRuntime, type Runtime } from '../../src/run/runtime.js';
import { generateCustomers, startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { SECRET_ENV, workspace, type Workspace } from '../helpers/cli.js';

describe('run: pipeline.concurrency "auto" against an Oro of 2 workers', function () {
  this.timeout(60_000);
  let oro: FakeOro;
  let ws: Workspace;
  let runtime: Runtime;
  let registry: Registry;

  beforeEach(async () => {
    oro = await startFakeOro({ capacity: { workers: 2, perRequestMs: 10, perRecordMs: 1, queueLimit: 30 } });
    for (let g = 1; g <= 5; g++) oro.seed('customergroups', { name: `Group ${g}` });
    ws = workspace();
    registry = new Registry();
    runtime = createRuntime({ logger: pino({ level: 'silent' }), metrics: createMetrics(registry), concurrency: 64, timeoutMs: 10_000 });
  });
  afterEach(async () => {
    await runtime.close();
    await oro.close();
    ws.cleanup();
  });

  it('writes every record, never lets Oro queue past its limit, and sets oro_sync_concurrency_limit', async () => {
    ws.writeNdjson('customers.ndjson', generateCustomers(2_000));
    const file = ws.config('customers', oro, {
      source: { kind: 'ndjson', path: 'customers.ndjson' },
      target: { mode: 'batch-sync' },
      pipeline: { batchSize: 20, batchMs: 20, concurrency: 'auto', maxConcurrency: 32, retries: 2, retryBaseMs: 10, retryMaxMs: 100, requestTimeoutMs: 10_000 },
    });
    const { config } = await loadConfig(file, { [SECRET_ENV]: oro.clientSecret });
    const result = await runConfig(config, runtime);
    expect(result.counts).to.deep.include({ created: 2_000, failed: 0, rejected: 0 });
    expect(oro.capacityStats().refused, '503s').to.equal(0);
    const limit = (await registry.getSingleMetric('oro_sync_concurrency_limit')?.get())?.values[0]?.value;
    expect(limit).to.be.within(1, 32);
  });
});
