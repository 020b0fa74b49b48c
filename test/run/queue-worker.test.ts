import { readFileSync, existsSync } from 'node:fs';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/config.js';
import * as root from '../../src/index.js';
import { runQueueWorker } from '../../src/run/queue-worker.js';
import { createLogger } from '../../src/cli/logger.js';
import { createRuntime, type Runtime } from '../../src/run/runtime.js';
import { ERRORS_HEADER } from '../../src/sources/amqp-headers.js';
import { assertQueueTopology } from '../../src/sources/amqp-topology.js';
import { generateCustomers, startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { openAdmin, uniqueQueue, type RabbitAdmin } from '../helpers/rabbit.js';
import { workDir, writeConfig } from '../helpers/rabbit-workers.js';

describe('runQueueWorker (in process, RabbitMQ + fake Oro)', function () {
  this.timeout(20_000);
  let admin: RabbitAdmin;
  let oro: FakeOro;
  let queue: string;
  let work: ReturnType<typeof workDir>;
  let runtime: Runtime;

  beforeEach(async () => {
    admin = await openAdmin();
    oro = await startFakeOro();
    queue = uniqueQueue('worker');
    work = workDir();
    await assertQueueTopology(admin.channel, queue);
    process.env['ORO_CLIENT_SECRET'] = oro.clientSecret;
    runtime = createRuntime({ logger: createLogger({ level: 'silent' }), concurrency: 8, timeoutMs: 5_000 });
  });
  afterEach(async () => {
    await runtime.close();
    await admin.deleteTopology(queue);
    await admin.close();
    await oro.close();
    work.cleanup();
    delete process.env['ORO_CLIENT_SECRET'];
  });

  const config = async (pipeline: Record<string, unknown> = {}) =>
    (await loadConfig(writeConfig(work.dir, { oro, queue, name: 'worker', pipeline, idleExitSeconds: 0.2 }))).config;

  it('--once: syncs, acks, dead-letters rejected records to Q.dead (header) and the file, ends when idle', async () => {
    const customers = generateCustomers(20, { invalidEvery: 10 });
    await admin.publish(queue, [...customers.map((c) => JSON.stringify(c)), 'not json']);
    const cfg = await config();
    const result = await runQueueWorker(cfg, runtime, { once: true });

    expect(result.counts).to.include({ created: 18, rejected: 3, failed: 0 });
    expect(result.stopped).to.equal(false);
    expect(oro.records('customers').map((r) => r.attributes?.['externalId'])).to.have.members(customers.filter((c) => c.name).map((c) => c.id));
    expect(await admin.ready(queue)).to.equal(0);
    const dead = await admin.drain(`${queue}.dead`);
    expect(dead.map((m) => m.content.toString())).to.have.members([JSON.stringify(customers[9]), JSON.stringify(customers[19]), 'not json']);
    const reasons = dead.map((m) => (JSON.parse(String(m.properties.headers?.[ERRORS_HEADER])) as Array<{ title: string }>)[0]!.title);
    expect(reasons).to.have.members(['not blank constraint', 'not blank constraint', 'malformed JSON message']);
    expect(result.deadLetterPath).to.equal(cfg.deadLetter.path);
    const letters = readFileSync(cfg.deadLetter.path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { status: string; where: string });
    expect(letters.map((l) => l.status)).to.deep.equal(['rejected', 'rejected', 'rejected']);
    expect(letters.every((l) => l.where.startsWith(`amqp:${queue}#`))).to.equal(true);
  });

  it('failed (retry budget spent): the message goes back to the queue, not to Q.dead or the file', async () => {
    oro.setFaults({ rate500: 1 });
    await admin.publish(queue, [JSON.stringify(generateCustomers(1)[0])]);
    const cfg = await config({ retries: 0 });
    const stop = new AbortController();
    const statuses: string[] = [];
    const result = await runQueueWorker(cfg, runtime, {
      once: false,
      signal: stop.signal,
      onOutcome: (o) => {
        statuses.push(o.status);
        stop.abort(); // like SIGTERM after the first outcome
      },
    });
    expect(statuses).to.deep.equal(['failed']);
    expect(result.stopped).to.equal(true);
    expect(await admin.until(queue, (n) => n === 1)).to.equal(1);
    expect(await admin.drain(`${queue}.dead`)).to.have.length(0);
    expect(existsSync(cfg.deadLetter.path)).to.equal(false);
  });

  it('a dry run settles nothing: every message is back in the queue afterwards', async () => {
    await admin.publish(queue, generateCustomers(5).map((c) => JSON.stringify(c)));
    const result = await runQueueWorker(await config(), runtime, { once: true, dryRun: true });
    expect(result.counts.created).to.equal(5);
    expect(oro.records('customers')).to.have.length(0);
    expect(await admin.until(queue, (n) => n === 5)).to.equal(5);
  });
});

describe('runQueueWorker from the package root', () => {
  it('is exported for code use, the same function the CLI runs', () => {
    expect(root.runQueueWorker).to.equal(runQueueWorker);
  });
});
