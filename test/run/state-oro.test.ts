/**
 * The state belongs to one Oro: a run against another Oro with the same state stops before it
 * reads or writes anything; `--forget-state` starts the pipeline over.
 */
import { expect } from 'chai';
import { pino } from 'pino';
import type { Config } from '../../src/config/config-types.js';
import { ForeignStateError } from '../../src/errors/foreign-state-error.js';
import { ensureStateOro, stateOroOf } from '../../src/run/state-oro.js';
import type { StateStore } from '../../src/state/state-store.js';
import { sqliteBackend, type StoreUnderTest } from '../helpers/state-backends.js';

const SHOP = 'https://shop.example.com/admin/api';
const STAGING = 'https://staging.example.com/admin/api';
const configFor = (baseUrl: string, state: Config['state'] = { path: '/srv/sync/.oro-sync/state.db' }) =>
  ({ name: 'customers', oro: { baseUrl }, state }) as unknown as Config;

describe('run/ensureStateOro', () => {
  let where: StoreUnderTest;
  let store: StateStore;
  const logger = pino({ level: 'silent' });
  beforeEach(async () => {
    where = await sqliteBackend.fresh();
    store = await where.open();
  });
  afterEach(() => where.dispose());

  it('records the Oro on the first run, and lets runs against it go on', async () => {
    expect(await ensureStateOro({ config: configFor(SHOP), store, logger, forget: false, dryRun: false })).to.deep.equal({ forgotten: false });
    expect(await store.oroOf('customers')).to.equal(SHOP);
    expect(await ensureStateOro({ config: configFor(SHOP), store, logger, forget: false, dryRun: false })).to.deep.equal({ forgotten: false });
  });

  it('another Oro: ForeignStateError with the contract\'s line, and nothing changed', async () => {
    await store.claimOro('customers', SHOP);
    await store.putKeyStates('customers', [{ key: 'C1', digest: 'd', oroId: '4', lastOutcome: 'confirmed' }]);
    const error = await ensureStateOro({ config: configFor(STAGING), store, logger, forget: false, dryRun: false }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(ForeignStateError);
    expect((error as Error).message).to.equal(
      `state /srv/sync/.oro-sync/state.db holds ids from ${SHOP}; this config points at ${STAGING}: use another state.path, or run with --forget-state to start over`);
    expect(await store.oroOf('customers')).to.equal(SHOP);
    expect(await store.keyState('customers', 'C1')).to.deep.include({ oroId: '4' });
  });

  it('a pipeline that stored nothing from its Oro (a first run refused) moves to the config\'s', async () => {
    await store.claimOro('customers', SHOP);
    expect(await ensureStateOro({ config: configFor(STAGING), store, logger, forget: false, dryRun: false })).to.deep.equal({ forgotten: false });
    expect(await store.oroOf('customers')).to.equal(STAGING);
    await store.saveCheckpoint('customers', { resume: { line: 1 }, watermark: null, seq: 0 });
    const error = await ensureStateOro({ config: configFor(SHOP), store, logger, forget: false, dryRun: false }).then(() => undefined, (e: unknown) => e);
    expect(error, 'a checkpoint is state of that Oro').to.be.instanceOf(ForeignStateError);
  });

  it('names a PostgreSQL store by its URL without the password, and an Oro without its user', async () => {
    await store.claimOro('customers', SHOP);
    await store.putKeyStates('customers', [{ key: 'C1', lastOutcome: 'failed' }]);
    const config = configFor('https://sync:hunter2@staging.example.com/admin/api', { url: 'postgres://sync:s3cret@db.example.com/oro_sync' });
    const error = await ensureStateOro({ config, store, logger, forget: false, dryRun: false }).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.equal(`state postgres://sync:***@db.example.com/oro_sync holds ids from ${SHOP}; this config points at ${STAGING}: use another state.path, or run with --forget-state to start over`);
    expect(error?.message).to.not.include('s3cret').and.not.include('hunter2');
    expect(stateOroOf({ baseUrl: 'https://sync:hunter2@staging.example.com/admin/api' })).to.equal(STAGING);
  });

  it('--forget-state drops the pipeline\'s state and records the new Oro; a dry run only behaves as if', async () => {
    await store.claimOro('customers', SHOP);
    await store.putKeyStates('customers', [{ key: 'C1', digest: 'd', oroId: '4', lastOutcome: 'confirmed' }]);
    expect(await ensureStateOro({ config: configFor(STAGING), store, logger, forget: true, dryRun: true })).to.deep.equal({ forgotten: true });
    expect(await store.oroOf('customers')).to.equal(SHOP);
    expect(await store.keyState('customers', 'C1')).to.not.equal(undefined);
    expect(await ensureStateOro({ config: configFor(STAGING), store, logger, forget: true, dryRun: false })).to.deep.equal({ forgotten: true });
    expect(await store.oroOf('customers')).to.equal(STAGING);
    expect(await store.keyState('customers', 'C1')).to.equal(undefined);
  });

  it('a dry run against a pipeline with no Oro yet records none', async () => {
    await ensureStateOro({ config: configFor(SHOP), store, logger, forget: false, dryRun: true });
    expect(await store.oroOf('customers')).to.equal(undefined);
  });
});
