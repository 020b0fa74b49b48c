import { expect } from 'chai';
import pg from 'pg';
import { createPgKeyLocks, type PgKeyLocks } from '../../src/state/pg-key-locks.js';
import type { KeyClaim } from '../../src/types/key-claims.js';
import { ensureTestDatabase, PG_TEST_URL } from '../helpers/state-backends.js';

let namespaces = 0;
/** A lock namespace no other test (or test process) uses. */
const uniqueNamespace = () => `pg-key-locks-${process.pid}-${Date.now().toString(36)}-${++namespaces}`;

describe('state/pg-key-locks (PostgreSQL advisory locks shared by workers)', function () {
  this.timeout(20_000);
  let side: pg.Client;
  let namespace: string;
  const lockers: PgKeyLocks[] = [];
  /** A locker as one worker has it (its own connections). */
  const worker = () => {
    const locks = createPgKeyLocks({ url: PG_TEST_URL, namespace, connections: 4, waitMs: 10_000 });
    lockers.push(locks);
    return locks;
  };

  before(async () => {
    await ensureTestDatabase();
    side = new pg.Client({ connectionString: PG_TEST_URL });
    await side.connect();
  });
  after(async () => {
    await side.end();
  });
  beforeEach(() => {
    namespace = uniqueNamespace();
  });
  afterEach(async () => {
    await Promise.all(lockers.splice(0).map((l) => l.close()));
  });

  /** Sessions of this test's namespace waiting for an advisory lock (polled until `n` are). */
  async function waiting(n: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await side.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 2
           AND classid::bigint = (hashtext($1)::bigint & 4294967295)`,
        [namespace],
      );
      if (Number(rows[0]?.n) >= n) return;
      if (Date.now() > deadline) throw new Error(`no ${n} waiting claims within 10 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Resolves to true when `promise` settles before the side connection's next round trip. */
  async function settledNow(promise: Promise<unknown>): Promise<boolean> {
    let settled = false;
    void promise.then(() => (settled = true), () => (settled = true));
    await side.query('SELECT 1');
    return settled;
  }

  it('two workers claiming one key: the second waits until the first releases, then gets it', async () => {
    const a = worker();
    const b = worker();
    const first = await a.claim(['k1']);
    expect([...first.granted]).to.deep.equal(['k1']);
    const second = b.claim(['k1']);
    await waiting(1);
    expect(await settledNow(second), 'granted while the first holds it').to.equal(false);
    await first.release();
    const got = await second;
    expect([...got.granted]).to.deep.equal(['k1']);
    await got.release();
  });

  it('a batch gets the keys that are free at once; the busy one is claimed apart, not holding up the rest', async () => {
    const a = worker();
    const b = worker();
    const busy = await a.claim(['b']);
    const batch = await b.claim(['c', 'b', 'a', 'a']);
    expect([...batch.granted]).to.deep.equal(['a', 'c']);
    const rest = b.claim(['b']);
    await waiting(1);
    expect(await settledNow(rest)).to.equal(false);
    await busy.release();
    expect([...(await rest).granted]).to.deep.equal(['b']);
    await Promise.all([batch.release(), (await rest).release()]);
  });

  it('overlapping batches in opposite orders on two workers all finish, and no key is ever held twice', async () => {
    const workers = [worker(), worker()];
    const holders = new Map<string, number>();
    let claims = 0;
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    /** Like the sink: write what was granted, claim the rest side by side, release after the write. */
    async function batch(id: number, wanted: readonly string[], locks: PgKeyLocks): Promise<void> {
      if (wanted.length === 0) return;
      const claim: KeyClaim = await locks.claim(wanted);
      claims++;
      for (const key of claim.granted) {
        expect(holders.get(key), `${key} granted to ${id} while held`).to.equal(undefined);
        holders.set(key, id);
      }
      const rest = batch(id, wanted.filter((k) => !claim.granted.has(k)), locks);
      await new Promise((r) => setImmediate(r)); // the "write": a turn of the event loop while holding
      for (const key of claim.granted) holders.delete(key);
      await claim.release();
      await rest;
    }
    const batches = Array.from({ length: 24 }, (_, i) => {
      const wanted = keys.filter((_, k) => (k + i) % 3 !== 0);
      return batch(i, i % 2 === 0 ? wanted : [...wanted].reverse(), workers[i % 2]!);
    });
    await Promise.all(batches);
    expect(holders.size).to.equal(0);
    expect(claims).to.be.at.least(24);
  });

  it('a worker whose connection dies (pg_terminate_backend) loses its locks: the waiting worker gets the key', async () => {
    const dying = worker();
    const other = worker();
    await dying.claim(['k1', 'k2']);
    const waiter = other.claim(['k2']);
    await waiting(1);
    const { rows } = await side.query<{ pid: number }>(
      `SELECT DISTINCT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
         AND classid::bigint = (hashtext($1)::bigint & 4294967295)`,
      [namespace],
    );
    expect(rows).to.have.length(1);
    await side.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    const got = await waiter;
    expect([...got.granted]).to.deep.equal(['k2']);
    await got.release();
  });

  it('release is idempotent and does not reject when the session is already gone', async () => {
    const locks = worker();
    const claim = await locks.claim(['k']);
    await side.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
         AND classid::bigint = (hashtext($1)::bigint & 4294967295)`,
      [namespace],
    );
    await claim.release();
    await claim.release();
    const again = await locks.claim(['k']);
    expect([...again.granted]).to.deep.equal(['k']);
    await again.release();
  });

  it('rejects a claim when PostgreSQL cannot be reached (the sink fails those records)', async () => {
    const locks = createPgKeyLocks({ url: 'postgres://postgres@127.0.0.1:1/none', namespace });
    lockers.push(locks);
    let error: unknown;
    await locks.claim(['k']).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(Error);
  });
});
