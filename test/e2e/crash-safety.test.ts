/**
 * Crash safety (invariant 4): a run stopped mid-way, gracefully (SIGTERM: drain, save the
 * checkpoint, exit 0) or not at all (SIGKILL), then run again, leaves every valid record in Oro
 * exactly once. The kill moment is picked by watching the fake's store grow, never by a sleep.
 */
import { expect } from 'chai';
import { startFakeOro, generateCustomers, type FakeOro, type GeneratedCustomer } from '../../src/testing/index.js';
import { openStateStore } from '../../src/state/sqlite-state-store.js';
import { ensureBuilt, runCli, SECRET_ENV, startCli, summaries, waitFor, workspace, type Workspace } from '../helpers/cli.js';

const TOTAL = 5_000;
const INVALID_EVERY = 50;

describe('e2e: crash safety', function () {
  this.timeout(60_000);
  let oro: FakeOro;
  let ws: Workspace;
  let env: Record<string, string>;
  let customers: GeneratedCustomer[];
  let valid: string[];

  before(function () {
    // The first e2e file compiles src: on a loaded machine that outlasts a test's timeout.
    this.timeout(300_000);
    return ensureBuilt();
  });
  beforeEach(async () => {
    oro = await startFakeOro({ latency: { min: 2, max: 5 }, asyncStepMs: 5 });
    for (let g = 1; g <= 5; g++) oro.seed('customergroups', { name: `Group ${g}` });
    env = { [SECRET_ENV]: oro.clientSecret };
    ws = workspace();
    customers = generateCustomers(TOTAL, { invalidEvery: INVALID_EVERY });
    valid = customers.filter((c) => c.name !== '').map((c) => c.id);
    ws.writeNdjson('source.ndjson', customers);
  });
  afterEach(async () => {
    await oro.close();
    ws.cleanup();
  });

  /** How many times each externalId is in Oro. */
  function keysInOro(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const c of oro.records('customers')) {
      const key = String(c.attributes?.['externalId']);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  function expectExactlyOnce(): void {
    const counts = keysInOro();
    const duplicates = [...counts].filter(([, n]) => n > 1).map(([k]) => k);
    expect(duplicates, 'duplicated externalIds').to.deep.equal([]);
    expect([...counts.keys()].sort()).to.deep.equal([...valid].sort());
  }

  /**
   * Records Oro has accepted so far, from the request log (cheap, unlike rendering the store):
   * a created record per `POST` 201, a batch per `PATCH` 202 of the collection.
   */
  function accepted(batchSize: number): number {
    let n = 0;
    for (const r of oro.requests) {
      if (r.path !== '/admin/api/customers') continue;
      if (r.method === 'POST' && r.status === 201) n += 1;
      else if (r.method === 'PATCH' && r.status === 202) n += batchSize;
    }
    return n;
  }

  /** Starts a run and resolves once Oro has accepted `fraction` of the records, with the run still going. */
  async function startAndWaitFor(args: string[], batchSize: number, fraction: number) {
    const child = startCli(args, { env });
    await waitFor(() => accepted(batchSize) >= TOTAL * fraction || child.child.exitCode !== null, `${fraction * 100}% of the records in Oro`, 30_000, 10);
    expect(child.child.exitCode, 'the run finished before it could be stopped').to.equal(null);
    return child;
  }

  it('SIGTERM mid-run (daemon, batch mode): drains, saves the checkpoint, exits 0; the next run syncs the rest exactly once', async () => {
    const config = ws.config('customers', oro, { target: { mode: 'batch' }, pipeline: { batchSize: 50, concurrency: 8 } });
    const child = await startAndWaitFor(['run', config], 50, 0.3);
    child.kill('SIGTERM');
    const stopped = await child.exited;
    expect(stopped.code, stopped.stderr.slice(-2000)).to.equal(0);
    const [first] = summaries(stopped.stdout);
    const inOro = oro.records('customers').length;
    expect(inOro).to.be.below(valid.length);
    expect(first?.created).to.equal(inOro);

    const store = openStateStore(ws.path('state.db'));
    const checkpoint = await store.getCheckpoint('customers');
    await store.close();
    expect(checkpoint?.resume).to.have.property('line').that.is.within(inOro, TOTAL - 1);

    const rest = await runCli(['run', '--once', config], { env });
    expect(rest.code, rest.stderr.slice(-2000)).to.equal(1); // the invalid records are rejected again
    const [second] = summaries(rest.stdout);
    // A graceful stop finished everything it pulled: nothing is replayed, nothing updated.
    expect(second?.updated).to.equal(0);
    expect((first?.created ?? 0) + (second?.created ?? 0)).to.equal(valid.length);
    expectExactlyOnce();
  });

  it('a second signal during the drain exits at once, without waiting for in-flight work', async () => {
    const config = ws.config('customers', oro, { target: { mode: 'batch' }, pipeline: { batchSize: 50, concurrency: 8 } });
    const child = await startAndWaitFor(['run', config], 50, 0.1);
    // From now on every request takes 10 s, so the drain cannot finish before the second signal.
    oro.setLatency(10_000);
    child.kill('SIGTERM');
    await waitFor(() => child.stderr.includes('stopping: finishing the records in flight'), 'the first signal to be handled');
    child.kill('SIGTERM');
    const result = await child.exited;
    expect(result.code).to.equal(130);
    expect(result.stderr).to.include('second signal: exiting now');
    expect(summaries(result.stdout)).to.deep.equal([]);
  });

  for (const mode of ['single', 'batch'] as const) {
    it(`SIGKILL mid-run (${mode} mode), then run again: every valid record in Oro exactly once`, async () => {
      const batchSize = mode === 'single' ? 200 : 50;
      const config = ws.config('customers', oro, { target: { mode }, pipeline: { batchSize, concurrency: mode === 'single' ? 32 : 8 } });
      const child = await startAndWaitFor(['run', '--once', config], batchSize, 0.3);
      child.kill('SIGKILL');
      const killed = await child.exited;
      expect(killed.signal).to.equal('SIGKILL');
      expect(oro.records('customers').length).to.be.below(valid.length);

      const rest = await runCli(['run', '--once', config], { env });
      expect(rest.code, rest.stderr.slice(-2000)).to.equal(1);
      const [second] = summaries(rest.stdout);
      expect(second?.created).to.be.greaterThan(0);
      expectExactlyOnce();
    });
  }
});
