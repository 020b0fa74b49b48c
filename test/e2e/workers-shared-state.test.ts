/**
 * Workers on several hosts, end to end (issue: a shared PostgreSQL state store and per-key locks):
 * three `oro-sync run --once` worker processes drain one queue into a fake Oro, `lookup`
 * strategy, with the state store and the per-key locks in PostgreSQL. One worker is split from
 * the broker while its writes are in flight (a TCP proxy the test cuts), or SIGKILLed while it
 * holds key locks; the others take its messages over.
 *
 * Without the shared locks (a SQLite file per worker) the race they close is shown in
 * test/sink/to-oro-claims.test.ts (two sinks, one key: created a second time); as processes it
 * did not show reliably enough here to assert on (see docs/scale-out.md).
 */
import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import pg from 'pg';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { openAdmin, uniqueQueue, RABBIT_URL, type RabbitAdmin } from '../helpers/rabbit.js';
import { cli, until, workDir, writeConfig, writeNdjson, type Cli, type Exited } from '../helpers/rabbit-workers.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { dropSchema, ensureTestDatabase, PG_TEST_URL, uniqueSchema } from '../helpers/state-backends.js';

const KEYS = 1000;
const VERSIONS = 5;

/** `done: created N, updated M, ...` of every worker, added up. */
function summed(results: readonly Exited[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const r of results) {
    const line = r.stdout.split('\n').find((l) => l.startsWith('done: ')) ?? '';
    for (const [, what, n] of line.matchAll(/(created|updated|unchanged|skipped|rejected|failed) (\d+)/g)) total[what!] = (total[what!] ?? 0) + Number(n);
  }
  return total;
}

describe('workers sharing a PostgreSQL state store: a worker split from the broker, or killed, duplicates nothing', function () {
  this.timeout(90_000);
  let admin: RabbitAdmin;
  let side: pg.Client;
  let oro: FakeOro;
  let proxy: TcpProxy;
  let queue: string;
  let work: ReturnType<typeof workDir>;
  let workers: Cli[] = [];
  /** The workers' shared store: a schema of this test's own in the test database. */
  let schema: string;

  before(async function () {
    this.timeout(120_000);
    execFileSync('npm', ['run', 'build'], { cwd: new URL('../..', import.meta.url), stdio: 'ignore' });
    await ensureTestDatabase();
    side = new pg.Client({ connectionString: PG_TEST_URL });
    await side.connect();
  });
  after(async () => side?.end());
  beforeEach(async () => {
    admin = await openAdmin();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 5672 });
    queue = uniqueQueue('shared-state');
    work = workDir();
    workers = [];
    schema = uniqueSchema();
  });
  afterEach(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await proxy.close();
    await admin.deleteTopology(queue);
    await admin.close();
    await oro.close();
    work.cleanup();
    await dropSchema(schema);
  });

  const keyOf = (k: number) => `C${k}`;

  /** Publishes VERSIONS passes over KEYS keys (version v of every key before version v + 1 of any). */
  async function publish(keys = KEYS, versions = VERSIONS): Promise<void> {
    const records = Array.from({ length: keys * versions }, (_, i) => ({ id: keyOf(i % keys), name: `v${Math.floor(i / keys)}` }));
    const path = writeNdjson(work.dir, 'customers.ndjson', records);
    const config = writeConfig(work.dir, { oro, queue, name: 'publisher', source: { kind: 'ndjson', path } });
    const result = await cli(['publish', config], oro).exited;
    expect(result.code, result.stderr).to.equal(0);
  }

  function startWorker(name: string, state: 'postgres' | 'sqlite', links: { rabbitUrl?: string; oroPort?: number } = {}): Cli {
    const viaPort = (url: string) => (links.oroPort === undefined ? url : url.replace(/:\d+\//, `:${links.oroPort}/`));
    const config = writeConfig(work.dir, {
      oro,
      queue,
      name,
      rabbitUrl: links.rabbitUrl ?? RABBIT_URL,
      oroUrls: { baseUrl: viaPort(oro.baseUrl), tokenUrl: viaPort(oro.tokenUrl) },
      // Three workers hold 300 messages at most, fewer than one version of every key (1,000):
      // two versions of one key are never in flight at once, except for redelivered copies.
      prefetch: 100,
      ...(state === 'postgres' ? { state: { url: `${PG_TEST_URL}?schema=${schema}` } } : {}),
    });
    const worker = cli(['run', config, '--once'], oro);
    workers.push(worker);
    return worker;
  }

  /** Per key: how many records Oro holds and their names. */
  function held(): Map<string, string[]> {
    const byKey = new Map<string, string[]>();
    for (const r of oro.records('customers')) {
      const key = String(r.attributes?.['externalId']);
      byKey.set(key, [...(byKey.get(key) ?? []), String(r.attributes?.['name'])]);
    }
    return byKey;
  }

  /**
   * Three workers; the first one reaches RabbitMQ through `proxy`, which is cut while its
   * writes are in flight, and Oro through a slow link (its answers take 1 s more), so that they
   * are: its unacked messages go to the other two (fast) workers while its lookups and writes
   * are still on their way, and they complete. All three reach Oro at one address (the state
   * belongs to one Oro, named by its base URL): the link is slow for the connections the first
   * worker opened, fast for those opened after it.
   */
  async function splitRun(state: 'postgres' | 'sqlite') {
    oro = await startFakeOro({ latency: { min: 2, max: 10 } });
    const slowOro = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(oro.baseUrl).port), delayMs: 1000 });
    try {
      await publish();
      const split = startWorker('split', state, { rabbitUrl: `amqp://guest:guest@127.0.0.1:${proxy.port}`, oroPort: slowOro.port });
      let splitErr = '';
      split.child.stderr?.on('data', (chunk: Buffer) => (splitErr += chunk.toString()));
      // Its token request goes first; its lookups follow once the (slow) answer is in: cut then,
      // with their answers on the way.
      await until('the split worker asking for its token', () => slowOro.sent > 0);
      const tokenRequest = slowOro.sent;
      await until('the split worker with lookups in flight', () => proxy.received > 5_000 && slowOro.sent > tokenRequest + 1_000);
      proxy.cut();
      // The others start now, so that the split worker's unacked messages (version 0 of the
      // keys it holds) are redelivered before any later version of those keys is read: the
      // locks keep one writer per key, not the order of versions across workers (see
      // docs/scale-out.md). Started earlier, on a loaded machine they could read version 1 of a
      // key before its redelivered version 0, and leave Oro at version 0.
      slowOro.setDelay(0);
      const others = [startWorker('other-1', state, { oroPort: slowOro.port }), startWorker('other-2', state, { oroPort: slowOro.port })];
      await until('the split worker seeing its connection lost', () => splitErr.includes('RabbitMQ connection lost'), 10_000);
      // Its in-flight writes finish while the others work through the queue; it reconnects only
      // once they are done. Healed earlier, it would take later versions of keys through its slow
      // link to Oro and could write one after the others wrote a newer version of the key.
      const done = await Promise.all(others.map((w) => w.exited));
      proxy.heal();
      const results = [await split.exited, ...done];
      for (const r of results) expect([0, 1], r.stderr).to.include(r.code);
      return { results, totals: summed(results), dead: await admin.drain(`${queue}.dead`), ready: await admin.ready(queue) };
    } finally {
      await slowOro.close();
    }
  }

  it('split test, PostgreSQL store: Oro holds each key exactly once with its last version, every message acked once', async () => {
    const run = await splitRun('postgres');
    const byKey = held();
    expect(byKey.size).to.equal(KEYS);
    const wrong = [...byKey].filter(([, names]) => names.length !== 1 || names[0] !== `v${VERSIONS - 1}`);
    expect(wrong, 'keys held twice or not at their last version').to.deep.equal([]);
    expect(run.ready, 'left in the queue').to.equal(0);
    expect(run.dead.map((m) => m.content.toString()), 'dead-lettered').to.deep.equal([]);
    // Every key created once; every message acked after its outcome (redelivered copies were
    // written again or found unchanged: the outcomes add up to at least one per message).
    expect(run.totals['created']).to.equal(KEYS);
    expect(run.totals['rejected'] ?? 0).to.equal(0);
    expect(run.totals['failed'] ?? 0).to.equal(0);
    const outcomes = Object.values(run.totals).reduce((a, b) => a + b, 0);
    expect(outcomes).to.be.at.least(KEYS * VERSIONS);
  });

  it('a worker SIGKILLed while holding key locks: the others take those keys over within seconds', async () => {
    // Answers take 3 s: the first worker holds its keys' locks for that long.
    oro = await startFakeOro({ latency: { min: 3000, max: 3000 } });
    const keys = 300;
    await publish(keys, 1);
    const doomed = startWorker('doomed', 'postgres');
    const locks = async () =>
      Number(
        (
          await side.query<{ n: string }>(
            "SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'oro-sync key locks'",
          )
        ).rows[0]?.n,
      );
    const deadline = Date.now() + 20_000;
    while ((await locks()) === 0) {
      if (Date.now() > deadline) throw new Error('the first worker never held a key lock');
      await new Promise((r) => setTimeout(r, 20));
    }
    const others = [startWorker('heir-1', 'postgres'), startWorker('heir-2', 'postgres')];
    oro.setLatency({ min: 5, max: 5 });
    doomed.child.kill('SIGKILL');
    const killedAt = Date.now();
    await until('every key in Oro', () => held().size === keys, 20_000);
    const tookOver = Date.now() - killedAt;
    const results = await Promise.all(others.map((w) => w.exited));
    for (const r of results) expect([0, 1], r.stderr).to.include(r.code);
    expect((await doomed.exited).signal).to.equal('SIGKILL');
    expect([...held()].filter(([, names]) => names.length !== 1), 'held twice').to.deep.equal([]);
    expect(await admin.ready(queue)).to.equal(0);
    // Node start-up of the two heirs included: their locks came free when the kernel closed the
    // killed worker's sockets, not after a timeout.
    expect(tookOver, 'ms from the kill until the last key was written').to.be.below(8_000);
  });
});
