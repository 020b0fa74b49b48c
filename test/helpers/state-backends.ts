import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStateStore } from '../../src/state/sqlite-state-store.js';
import type { StateStore, StateStoreOptions } from '../../src/state/state-store.js';
import { openPgStateStore } from '../../src/state/pg-state-store.js';

/**
 * The PostgreSQL database the tests use: the local server (`.ci/run` starts it and creates the
 * database), trust auth. `ORO_SYNC_TEST_PG_URL` points elsewhere.
 */
export const PG_TEST_URL = process.env['ORO_SYNC_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/oro_sync_test';

let ensured: Promise<void> | undefined;

/** Creates the test database when it is missing (through the server's `postgres` database). */
export function ensureTestDatabase(): Promise<void> {
  ensured ??= (async () => {
    const url = new URL(PG_TEST_URL);
    const name = decodeURIComponent(url.pathname.slice(1));
    url.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created by a parallel run meanwhile
      });
    } finally {
      await admin.end();
    }
  })();
  return ensured;
}

let serial = 0;

/** A schema name no other test or parallel test run uses. */
export function uniqueSchema(): string {
  serial += 1;
  return `oro_sync_t_${process.pid}_${Date.now().toString(36)}_${serial}`;
}

/** Runs `sql` in the test database (a test's own look at the tables). */
export async function withTestDatabase<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await withTestDatabase((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

/** One test's store location: a fresh SQLite file, or a fresh PostgreSQL schema. */
export interface StoreUnderTest {
  /** Opens the store (again: the same data within one test). */
  open(options?: StateStoreOptions): Promise<StateStore>;
  /** How the store's errors name it (`…/state.db`, `state.url postgres://…`). */
  readonly where: string;
  /** Closes every store `open` opened and removes the location. */
  dispose(): Promise<void>;
}

export interface StoreBackend {
  readonly name: 'sqlite' | 'postgres';
  fresh(): Promise<StoreUnderTest>;
}

function tracking(open: (options?: StateStoreOptions) => Promise<StateStore>, where: string, remove: () => Promise<void>): StoreUnderTest {
  const opened: StateStore[] = [];
  return {
    where,
    async open(options) {
      const store = await open(options);
      opened.push(store);
      return store;
    },
    async dispose() {
      for (const store of opened.splice(0)) await store.close();
      await remove();
    },
  };
}

export const sqliteBackend: StoreBackend = {
  name: 'sqlite',
  async fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'oro-sync-state-'));
    const file = join(dir, 'nested', 'deeper', 'state.db');
    return tracking(async (options) => openStateStore(file, options), file, async () => rmSync(dir, { recursive: true, force: true }));
  },
};

export const postgresBackend: StoreBackend = {
  name: 'postgres',
  async fresh() {
    await ensureTestDatabase();
    const schema = uniqueSchema();
    return tracking((options) => openPgStateStore(PG_TEST_URL, { ...options, schema }), `state.url ${PG_TEST_URL}`, () => dropSchema(schema));
  },
};

/** The state store's suite runs against each of these. */
export const STORE_BACKENDS: readonly StoreBackend[] = [sqliteBackend, postgresBackend];
