import { expect } from 'chai';
import { StateStoreError } from '../../src/errors/index.js';
import { openPgStateStore } from '../../src/state/pg-state-store.js';
import { PG_SCHEMA_VERSION } from '../../src/state/pg-migrations.js';
import type { StateStore } from '../../src/state/state-store.js';
import { dropSchema, ensureTestDatabase, PG_TEST_URL, uniqueSchema, withTestDatabase } from '../helpers/state-backends.js';
import { rejectionOf } from '../helpers/rejection.js';
import { closedPort } from '../helpers/cli.js';

/** The Oro the ids in these tests belong to. */
const ORO = 'https://shop.example.com/admin/api';

describe('state/pg-state-store (PostgreSQL only)', function () {
  this.timeout(30_000);
  let schema: string;
  const open: StateStore[] = [];
  before(() => ensureTestDatabase());
  beforeEach(() => {
    schema = uniqueSchema();
  });
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    await dropSchema(schema);
  });
  const openStore = async (): Promise<StateStore> => {
    const store = await openPgStateStore(PG_TEST_URL, { schema });
    open.push(store);
    return store;
  };

  it('creates its tables in its schema on start and records the schema version', async () => {
    const store = await openStore();
    expect(await store.info()).to.deep.equal({ kind: 'postgres', url: PG_TEST_URL, schema, schemaVersion: PG_SCHEMA_VERSION });
    const tables = await withTestDatabase(async (client) => (await client.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema])).rows.map((r) => r.table_name));
    expect(tables).to.deep.equal(['oro_sync_checkpoints', 'oro_sync_ids', 'oro_sync_key_states', 'oro_sync_mappings', 'oro_sync_pipeline_oros', 'oro_sync_runs', 'oro_sync_schema_version', 'oro_sync_seen_keys']);
    const versions = await withTestDatabase(async (client) => (await client.query(`SELECT version FROM "${schema}".oro_sync_schema_version`)).rows);
    expect(versions).to.deep.equal([{ version: PG_SCHEMA_VERSION }]);
  });

  it('workers starting together create the tables once (the migration takes an advisory lock)', async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => openStore()));
    await stores[0]?.putIds(ORO, 'customers', 'externalId', [['C1', '1']]);
    for (const store of stores) expect(await store.getIds(ORO, 'customers', 'externalId', ['C1'])).to.deep.equal(new Map([['C1', '1']]));
    const versions = await withTestDatabase(async (client) => (await client.query(`SELECT version FROM "${schema}".oro_sync_schema_version`)).rows);
    expect(versions).to.have.length(1);
  });

  it('takes its schema from the URL\'s schema parameter', async () => {
    const store = await openPgStateStore(`${PG_TEST_URL}?schema=${schema}`);
    open.push(store);
    expect((await store.info())).to.include({ schema });
  });

  it('keeps what it stored across a restart (reopen)', async () => {
    const first = await openStore();
    await first.putIds(ORO, 'customers', 'externalId', [['C1', '1']]);
    const run = await first.startRun('customers');
    await first.close();
    const again = await openStore();
    expect(await again.getIds(ORO, 'customers', 'externalId', ['C1'])).to.deep.equal(new Map([['C1', '1']]));
    expect((await again.lastRuns('customers', 1))[0]?.id).to.equal(run);
  });

  it('refuses a database whose schema is newer than this oro-sync, naming state.url without its password', async () => {
    await (await openStore()).close();
    await withTestDatabase((client) => client.query(`UPDATE "${schema}".oro_sync_schema_version SET version = $1`, [PG_SCHEMA_VERSION + 1]));
    const url = new URL(PG_TEST_URL);
    url.password = 'pa55-w0rd';
    const error = await rejectionOf(openPgStateStore(url.toString(), { schema }));
    expect(error).to.be.instanceOf(StateStoreError);
    expect(error.message).to.contain(`schema version ${PG_SCHEMA_VERSION + 1} is newer than this oro-sync supports`);
    expect(error.message).to.contain('state.url postgres://postgres:***@127.0.0.1');
    expect(error.message).to.not.contain('pa55-w0rd');
  });

  it('an unreachable server is a StateStoreError naming state.url, with the password replaced', async () => {
    const port = await closedPort();
    const url = `postgres://sync:s%40cret-pw@127.0.0.1:${port}/oro_sync`;
    const error = await rejectionOf(openPgStateStore(url, { connectTimeoutMs: 2_000 }));
    expect(error).to.be.instanceOf(StateStoreError);
    expect(error.message).to.match(new RegExp(`^state\\.url postgres://sync:\\*\\*\\*@127\\.0\\.0\\.1:${port}/oro_sync: cannot connect or open the store: .*ECONNREFUSED`));
    expect(error.message).to.not.match(/s%40cret|s@cret|cret-pw/);
  });

  it('an error of a query is a StateStoreError naming state.url (the run stops, records are not failed one by one)', async () => {
    const store = await openStore();
    await withTestDatabase((client) => client.query(`DROP TABLE "${schema}".oro_sync_ids`));
    const error = await rejectionOf(store.getIds(ORO, 'customers', 'externalId', ['C1']));
    expect(error).to.be.instanceOf(StateStoreError);
    expect(error.message).to.match(/^state\.url postgres:\/\/postgres@127\.0\.0\.1:5432\/oro_sync_test: reading ids: relation .*oro_sync_ids" does not exist/);
  });
});
