import { expect } from 'chai';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import type { Config } from '../../src/config/config-types.js';
import { runDaemon, runsOnce, type DaemonOptions } from '../../src/run/daemon.js';
import type { RunResult } from '../../src/run/run-config.js';
import { createRuntime, type Runtime } from '../../src/run/runtime.js';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { SECRET_ENV, workspace, type Workspace } from '../helpers/cli.js';
import { instantScheduler } from '../helpers/instant-scheduler.js';

describe('run/runDaemon (fake Oro, the wait between rounds on a test clock)', () => {
  let oro: FakeOro;
  let ws: Workspace;
  let runtime: Runtime;
  let configs: Config[];
  let results: Array<{ name: string; result: RunResult }>;
  let stop: AbortController;

  beforeEach(async () => {
    oro = await startFakeOro();
    ws = workspace();
    runtime = createRuntime({ logger: pino({ level: 'silent' }), concurrency: 8, timeoutMs: 5_000 });
    ws.writeNdjson('groups.ndjson', [{ id: 'G1' }, { id: 'G2' }]);
    ws.writeNdjson('customers.ndjson', [{ id: 'C1', name: 'A' }, { id: 'C2', name: 'B' }, { id: 'C3', name: 'C' }]);
    const env = { [SECRET_ENV]: oro.clientSecret };
    const groups = ws.config('groups', oro, {
      source: { kind: 'ndjson', path: 'groups.ndjson' },
      target: { type: 'customergroups', key: { source: 'id', oro: 'name' }, attributes: { name: 'id' }, relationships: {} },
      state: { path: 'groups.db' },
    });
    const customers = ws.config('customers', oro, { source: { kind: 'ndjson', path: 'customers.ndjson' }, target: { relationships: {} } });
    configs = [(await loadConfig(groups, env)).config, (await loadConfig(customers, env)).config];
    results = [];
    stop = new AbortController();
  });
  afterEach(async () => {
    await runtime.close();
    await oro.close();
    ws.cleanup();
  });

  const options = (more: Partial<DaemonOptions> = {}): DaemonOptions => ({
    once: false, dryRun: false, fromStart: false, full: false, signal: stop.signal,
    onResult: (config, result) => void results.push({ name: config.name, result }), ...more,
  });
  const sent = ({ result }: { result: RunResult }) => result.counts.created + result.counts.updated + result.counts.unchanged;

  it('runs the configs in the order given, then again after schedule.intervalSeconds; --full applies to the first round only', async () => {
    const scheduler = instantScheduler({ holdFromMs: Infinity });
    await runDaemon(configs, runtime, options({
      full: true,
      scheduler,
      onResult: (config, result) => {
        results.push({ name: config.name, result });
        if (results.length === 4) stop.abort();
      },
    }));
    expect(results.map((r) => r.name)).to.deep.equal(['groups', 'customers', 'groups', 'customers']);
    expect(results.map(sent)).to.deep.equal([2, 3, 0, 0]); // the files did not change: a second --full would send them again
    expect(scheduler.delays).to.deep.equal([60_000]);
  });

  it('once: one round, no wait', async () => {
    const scheduler = instantScheduler({ holdFromMs: Infinity });
    const started: string[] = [];
    await runDaemon(configs, runtime, options({ once: true, scheduler, onStart: (config) => started.push(config.name) }));
    expect(started).to.deep.equal(['groups', 'customers']);
    expect(results.map(sent)).to.deep.equal([2, 3]);
    expect(scheduler.delays).to.deep.equal([]);
  });

  it('a stop during the wait ends it at once, the wait cancelled', async () => {
    const scheduler = instantScheduler(); // holds the 60 s wait: only the stop can end it
    await runDaemon(configs, runtime, options({
      scheduler,
      onResult: (config, result) => {
        results.push({ name: config.name, result });
        if (results.length === 2) setImmediate(() => stop.abort());
      },
    }));
    expect(results).to.have.length(2);
    expect(scheduler.delays).to.deep.equal([60_000]);
    expect(scheduler.held).to.equal(0);
  });

  it('runsOnce: --once, a dry run, or a config reading standard input (it can be read once only)', () => {
    const stdin = { ...configs[1]!, source: { kind: 'stdin' } } as Config;
    expect(runsOnce(configs, {})).to.equal(false);
    expect(runsOnce(configs, { once: true })).to.equal(true);
    expect(runsOnce(configs, { dryRun: true })).to.equal(true);
    expect(runsOnce([configs[0]!, stdin], {})).to.equal(true);
  });
});
