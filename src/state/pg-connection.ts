import pg from 'pg';
import { StateStoreError } from '../errors/state-store-error.js';
import { redactUrl, scrubSecrets } from '../util/redact.js';

/** How the PostgreSQL state store connects. */
export interface PgPoolOptions {
  /** Connections at most (default 4: the sink asks once per round of a batch, not per record). */
  readonly maxConnections?: number;
  /** How long to wait for a connection, in ms (default 10,000). */
  readonly connectTimeoutMs?: number;
}

/** Runs `work` between BEGIN and COMMIT on one connection; `what` names the step in its error. */
export type Transaction = (what: string, work: (client: pg.PoolClient) => Promise<void>) => Promise<void>;

/** A pool on the store's database whose every error names the store, never its password. */
export interface PgConnection {
  /** `state.url` with its password replaced: how every error names the store. */
  readonly where: string;
  /** One statement on a pooled connection; `what` names the step in its error. */
  readonly query: <R extends pg.QueryResultRow>(what: string, text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>;
  readonly transaction: Transaction;
  /** `error` as a StateStoreError saying where and while doing `what`. */
  readonly fail: (what: string, error: unknown) => StateStoreError;
  /** Ends the pool's connections. */
  readonly end: () => Promise<void>;
}

/**
 * A pool on the database at `url`; it connects on the first query.
 *
 * @throws StateStoreError when pg refuses the URL.
 */
export function connectPg(url: string, options: PgPoolOptions): PgConnection {
  const where = `state.url ${redactUrl(url)}`;
  const secret = passwordOf(url);
  // Nothing pg reports may carry the password, however it was spelled in the URL.
  const clean = (text: string): string => {
    let out = scrubSecrets(text);
    for (const form of secret) out = out.split(form).join('***');
    return out;
  };
  const fail = (what: string, error: unknown): StateStoreError =>
    new StateStoreError(`${where}: ${what}: ${clean(error instanceof Error ? error.message || String((error as { code?: string }).code ?? error.name) : String(error))}`);

  let pool: pg.Pool;
  try {
    pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      application_name: 'oro-sync',
    });
  } catch (error) {
    throw fail('cannot use this URL', error);
  }
  // An idle connection the server closed: the next query reconnects, or fails and says so.
  pool.on('error', () => undefined);

  const query = async <R extends pg.QueryResultRow>(what: string, text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> => {
    try {
      return await pool.query<R>(text, values);
    } catch (error) {
      throw fail(what, error);
    }
  };
  const transaction: Transaction = async (what, work) => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw fail(what, error);
    }
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error instanceof StateStoreError ? error : fail(what, error);
    } finally {
      client.release();
    }
  };
  return { where, query, transaction, fail, end: () => pool.end() };
}

/** The URL's password as written and decoded (what an error might quote); none when it has none. */
function passwordOf(url: string): string[] {
  try {
    const { password } = new URL(url);
    if (password === '') return [];
    const decoded = decodeURIComponent(password);
    return [...new Set([password, decoded])].filter((form) => form.length > 0);
  } catch {
    return [];
  }
}
