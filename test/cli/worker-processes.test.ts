/**
 * Scale-out end to end: `oro-sync publish` fills a queue, several `oro-sync run --once` worker
 * processes drain it into a fake Oro. Nothing may be lost or duplicated, whatever happens to a
 * worker or to the broker.
 */
import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { startFakeOro, generateCustomers, type FakeOro } from '../../src/testing/index.js';
import { ERRORS_HEADER } from '../../src/sources/amqp-headers.js';
import { ensureBrokerRunning, openAdmin, rabbitmqctl, waitForBroker, uniqueQueue, type RabbitAdmin } from '../helpers/rabbit.js';
import { cli, until, workDir, writeConfig, writeNdjson, type Exited } from '../helpers/rabbit-workers.js';

const RECORDS = 10_000;
const INVALID_EVERY = 50;

describe('queue workers as processes (oro-sync publish + 3 × oro-sync run --once)', function () {
  this.timeout(60_000);
  let admin: RabbitAdmin;
  let oro: FakeOro;
  let queue: string;
  let work: ReturnType<typeof workDir>;

  before(function () {
    this.timeout(120_000);
    execFileSync('npm', ['run', 'build'], { cwd: new URL('../..', import.meta.url), stdio: 'ignore' });
  });
  beforeEach(async () => {
    admin = await openAdmin();
    oro = await startFakeOro({ latency: { min: 0, max: 2 } });
    queue = uniqueQueue('workers');
    work = workDir();
  });
  afterEach(async () => {
    await ensureBrokerRunning();
    await admin.close();
    const cleanup = await openAdmin();
    await cleanup.deleteTopology(queue);
    await cleanup.close();
    await oro.close();
    work.cleanup();
  });

  /** Publishes the generated customers with the real CLI. */
  async function publish(n: number): Promise<void> {
    const path = writeNdjson(work.dir, 'customers.ndjson', generateCustomers(n, { invalidEvery: INVALID_EVERY }));
    const config = writeConfig(work.dir, { oro, queue, name: 'publisher', source: { kind: 'ndjson', path } });
    const result = await cli(['publish', config], oro).exited;
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain(`confirmed ${n}`);
  }

  function startWorkers(count: number) {
    return Array.from({ length: count }, (_, i) => cli(['run', writeConfig(work.dir, { oro, queue, name: `worker-${i + 1}` }), '--once'], oro));
  }

  /** Every valid customer exactly once in Oro; every invalid one in Q.dead with Oro's reason. */
  async function expectExactlyOnce(n: number, options: { exactDeadCount: boolean }): Promise<void> {
    const expected = generateCustomers(n, { invalidEvery: INVALID_EVERY });
    const valid = expected.filter((c) => c.name !== '').map((c) => c.id);
    const invalid = expected.filter((c) => c.name === '').map((c) => c.id);
    const stored = oro.records('customers').map((r) => String(r.attributes?.['externalId']));
    const counts = new Map<string, number>();
    for (const id of stored) counts.set(id, (counts.get(id) ?? 0) + 1);
    const duplicated = [...counts].filter(([, c]) => c > 1).map(([id]) => id);
    expect(duplicated, 'duplicated in Oro').to.deep.equal([]);
    expect(new Set(stored)).to.deep.equal(new Set(valid));
    expect(await admin.ready(queue), 'left in the queue').to.equal(0);

    const dead = await admin.drain(`${queue}.dead`);
    const deadIds = dead.map((m) => (JSON.parse(m.content.toString()) as { id: string }).id);
    expect(new Set(deadIds)).to.deep.equal(new Set(invalid));
    // A worker killed between the dead-letter copy and its ack leaves a second copy: harmless.
    if (options.exactDeadCount) expect(deadIds).to.have.length(invalid.length);
    for (const message of dead) {
      const errors = JSON.parse(String(message.properties.headers?.[ERRORS_HEADER])) as Array<{ title: string }>;
      expect(errors.map((e) => e.title)).to.include('not blank constraint');
    }
  }

  function expectFinished(results: readonly Exited[]): void {
    for (const r of results) {
      // 1: some records were rejected (the invalid ones) — the contract's exit code for that.
      expect([0, 1], r.stderr).to.include(r.code);
    }
  }

  it('3 workers drain 10,000 messages: each valid record in Oro once, each invalid one in Q.dead with its reason', async () => {
    await publish(RECORDS);
    const workers = startWorkers(3);
    const results = await Promise.all(workers.map((w) => w.exited));
    expectFinished(results);
    await expectExactlyOnce(RECORDS, { exactDeadCount: true });
    const summaries = results.map((r) => r.stdout).join('\n');
    expect(summaries.match(/done: /g)).to.have.length(3);
  });

  it('a worker killed with SIGKILL mid-run: its unacked messages go to the others, nothing lost or duplicated', async () => {
    await publish(RECORDS);
    const workers = startWorkers(3);
    await until('a third of the records in Oro', () => oro.records('customers').length >= RECORDS / 3);
    workers[0]!.child.kill('SIGKILL');
    const results = await Promise.all(workers.map((w) => w.exited));
    expect(results[0]!.signal).to.equal('SIGKILL');
    expectFinished(results.slice(1));
    await expectExactlyOnce(RECORDS, { exactDeadCount: false });
  });

  it('the broker restarted mid-run: workers reconnect, finish, and nothing is lost or duplicated', async () => {
    await publish(RECORDS);
    const workers = startWorkers(3);
    await until('a fifth of the records in Oro', () => oro.records('customers').length >= RECORDS / 5);
    await rabbitmqctl('stop_app');
    await rabbitmqctl('start_app');
    await waitForBroker();
    await admin.close();
    admin = await openAdmin(); // its connection went with the broker
    const results = await Promise.all(workers.map((w) => w.exited));
    expectFinished(results);
    for (const r of results) expect(r.stderr).to.contain('RabbitMQ connection lost');
    await expectExactlyOnce(RECORDS, { exactDeadCount: false });
  });

  it('without --once, SIGTERM: stops consuming, finishes and acks what it holds, exits 0', async () => {
    const n = 3000;
    await publish(n);
    const worker = cli(['run', writeConfig(work.dir, { oro, queue, name: 'daemon' })], oro);
    await until('some records in Oro', () => oro.records('customers').length >= 300);
    worker.child.kill('SIGTERM');
    const result = await worker.exited;
    expect(result.code, result.stderr).to.equal(0);
    const synced = oro.records('customers').length;
    const dead = (await admin.drain(`${queue}.dead`)).length;
    const ready = await admin.ready(queue);
    expect(ready, 'stopped mid-run').to.be.above(0);
    // Each message is in exactly one place: written (and acked), dead-lettered, or still queued.
    // A record written but not acked would be counted twice.
    expect(synced + dead + ready).to.equal(n);
  });
});
