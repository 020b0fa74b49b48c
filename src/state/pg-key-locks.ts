import pg from 'pg';
import type { KeyClaim, KeyClaims } from '../types/key-claims.js';

/** Options of {@link createPgKeyLocks}. */
export interface PgKeyLocksOptions {
  /** `postgres://user:pass@host:5432/db`, the state store's own (`state.url`). */
  readonly url: string;
  /**
   * The pipeline's name: the first half of every lock id, so that one key of two pipelines
   * (customers and customer users, say) never shares a lock.
   */
  readonly namespace: string;
  /**
   * Connections at most (default 8). Each claim holds one from the moment it is granted until it
   * is released (session-level advisory locks live on their connection); claims beyond wait.
   */
  readonly connections?: number;
  /**
   * How long a claim waits for a key another worker holds before it fails (default 120 s, more
   * than a write's whole retry budget): the records then fail and go back to the queue.
   */
  readonly waitMs?: number;
  /** Errors that cost nothing but are worth a log line (a connection lost while idle or on release). */
  readonly onError?: (error: Error) => void;
}

/** {@link KeyClaims} on PostgreSQL; `close()` ends its connections (and so releases every lock). */
export interface PgKeyLocks extends KeyClaims {
  close(): Promise<void>;
}

/**
 * Per-key locks shared by every worker of one PostgreSQL state store: session-level advisory
 * locks, `pg_advisory_lock(hashtext(namespace), hashtext(key))`, each claim on a connection of
 * its own that holds them until the write and the id and digest stores are done.
 *
 * - A worker that dies (SIGKILL, a lost host) loses its connections, and PostgreSQL ends their
 *   sessions and their locks with them: its keys are free for the others at once. The sessions
 *   ask for TCP keepalives every few seconds, so a host that vanishes without closing its
 *   sockets loses them within about 25 s rather than the kernel's two hours.
 * - No deadlock: a claim takes the free keys of its batch with `pg_try_advisory_lock` (which
 *   never waits), and waits (`pg_advisory_lock`, with `lock_timeout`) only when it got none,
 *   holding nothing while it does. A session that holds locks never waits for one, so no cycle
 *   of waits can form.
 * - Keys are taken in sorted order; two keys with one 32-bit hash share a lock (they are only
 *   written one after the other, never wrongly at once).
 * - `hashtext` runs on the server, so every worker computes the same lock id for a key.
 *
 * @example
 * ```ts
 * const locks = createPgKeyLocks({ url: 'postgres://oro-sync@db/oro_sync', namespace: 'customers' });
 * const claim = await locks.claim(['c1', 'c2']);
 * // write claim.granted, store ids and digests, then:
 * await claim.release();
 * ```
 */
export function createPgKeyLocks(options: PgKeyLocksOptions): PgKeyLocks {
  const onError = options.onError ?? (() => undefined);
  const waitMs = options.waitMs ?? 120_000;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.connections ?? 8,
    application_name: 'oro-sync key locks',
    // Server-side: the session (and its locks) ends soon after its worker's host goes silent.
    options: `-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3 -c lock_timeout=${Math.max(1, Math.round(waitMs))}`,
    keepAlive: true,
  });
  pool.on('error', onError);
  const namespace = options.namespace;
  // Claims not released yet: `close()` lets them go (the pool would wait for them forever).
  const open = new Set<KeyClaim>();

  async function tryLock(client: pg.PoolClient, keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const result = await client.query<{ key: string }>(
      'SELECT key FROM unnest($2::text[]) WITH ORDINALITY AS t(key, n) WHERE pg_try_advisory_lock(hashtext($1), hashtext(key)) ORDER BY n',
      [namespace, keys],
    );
    return result.rows.map((row) => row.key);
  }

  return {
    async claim(keys) {
      const wanted = [...new Set(keys)].sort();
      if (wanted.length === 0) return { granted: new Set<string>(), release: () => Promise.resolve() };
      const client = await pool.connect();
      // A checked-out client's lost connection is an 'error' event nobody else listens to; the
      // claim's next query (or release) fails with it too.
      const lost = (error: Error) => onError(error);
      client.on('error', lost);
      try {
        let granted = await tryLock(client, wanted);
        if (granted.length === 0) {
          const [first, ...rest] = wanted as [string, ...string[]];
          // This session holds nothing now: waiting here can never close a cycle.
          await client.query('SELECT pg_advisory_lock(hashtext($1), hashtext($2))', [namespace, first]);
          granted = [first, ...(await tryLock(client, rest))];
        }
        const claim = held(client, new Set(granted), onError, () => {
          client.off('error', lost);
          open.delete(claim);
        });
        open.add(claim);
        return claim;
      } catch (error) {
        client.off('error', lost);
        // Dropping the connection drops whatever it held.
        client.release(error instanceof Error ? error : new Error(String(error)));
        throw error;
      }
    },
    async close() {
      await Promise.all([...open].map((claim) => claim.release()));
      await pool.end();
    },
  };
}

function held(client: pg.PoolClient, granted: ReadonlySet<string>, onError: (error: Error) => void, done: () => void): KeyClaim {
  let released: Promise<void> | undefined;
  return {
    granted,
    release() {
      released ??= client.query('SELECT pg_advisory_unlock_all()').then(
        () => {
          done();
          client.release();
        },
        (error: unknown) => {
          done();
          const failure = error instanceof Error ? error : new Error(String(error));
          // The session is gone or going: closing it is what releases its locks.
          client.release(failure);
          onError(failure);
        },
      );
      return released;
    },
  };
}
