/**
 * The local PostgreSQL the tests use (127.0.0.1:5432, user postgres, trust auth) and its test
 * database, created on first use.
 */
import pg from 'pg';

export const PG_ADMIN_URL = process.env['ORO_SYNC_PG_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const PG_TEST_DATABASE = 'oro_sync_test';
export const PG_TEST_URL = process.env['ORO_SYNC_PG_URL'] ?? `postgres://postgres@127.0.0.1:5432/${PG_TEST_DATABASE}`;

let ready: Promise<void> | undefined;

/** Creates `oro_sync_test` when it is missing (once per test process). */
export function ensureTestDatabase(): Promise<void> {
  ready ??= (async () => {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [PG_TEST_DATABASE]);
      if (found.rowCount === 0) {
        await admin.query(`CREATE DATABASE ${PG_TEST_DATABASE}`).catch((error: unknown) => {
          // Another test process created it meanwhile.
          if (!(error instanceof Error && /already exists/.test(error.message))) throw error;
        });
      }
    } finally {
      await admin.end();
    }
  })();
  return ready;
}

/** A client of the test database (the caller ends it). */
export async function testClient(): Promise<pg.Client> {
  await ensureTestDatabase();
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  return client;
}
