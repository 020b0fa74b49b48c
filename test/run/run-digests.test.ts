import { expect } from 'chai';
import { pino } from 'pino';
import type { Config } from '../../src/config/config-types.js';
import { digestsFor } from '../../src/run/run-digests.js';
import type { StateStore } from '../../src/state/state-store.js';
import { sqliteBackend, type StoreUnderTest } from '../helpers/state-backends.js';

const configOf = (attributes: Record<string, string>) =>
  ({ name: 'customers', target: { type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes, relationships: {} } }) as unknown as Config;
const config = configOf({ name: 'name' });
const REAL = { dryRun: false, sendAll: false };

describe('run/digestsFor', () => {
  let where: StoreUnderTest;
  let store: StateStore;
  let logged: string[];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push((JSON.parse(line) as { msg: string }).msg) });

  beforeEach(async () => {
    where = await sqliteBackend.fresh();
    store = await where.open();
    logged = [];
  });
  afterEach(() => where.dispose());

  it('stores confirmed digests at once; a rejection only at release (once its dead letter is on disk)', async () => {
    const digests = await digestsFor(config, store, REAL, logger);
    await digests?.put([
      { key: 'C1', digest: 'aa', lastOutcome: 'confirmed', oroId: '1' },
      { key: 'C2', digest: 'bb', lastOutcome: 'rejected', errors: [{ title: 'not blank constraint' }] },
    ]);
    await digests?.flush();
    expect(await store.keyState('customers', 'C1')).to.deep.include({ digest: 'aa' });
    expect(await store.keyState('customers', 'C2')).to.equal(undefined);
    await digests?.release();
    expect(await store.keyState('customers', 'C2')).to.deep.include({ digest: 'bb', lastOutcome: 'rejected' });
  });

  it('a changed mapping drops the stored digests and says so; the first run of a pipeline says nothing', async () => {
    const first = await digestsFor(config, store, REAL, logger);
    await first?.put([{ key: 'C1', digest: 'aa', lastOutcome: 'confirmed' }]);
    await first?.flush();
    expect(logged).to.deep.equal([]);
    const same = await digestsFor(config, store, REAL, logger);
    expect((await same?.get(['C1']))?.get('C1')?.digest).to.equal('aa');
    const changed = await digestsFor(configOf({ name: 'name', email: 'email' }), store, REAL, logger);
    expect((await changed?.get(['C1']))?.get('C1')?.digest).to.equal(undefined);
    expect(logged).to.deep.equal(['the mapping changed (target or transform): every record is sent once again']);
  });

  it('sendAll (--full, replay, queue workers) reads no digest but stores what Oro confirms', async () => {
    const before = await digestsFor(config, store, REAL, logger);
    await before?.put([{ key: 'C1', digest: 'aa', lastOutcome: 'confirmed' }]);
    const all = await digestsFor(config, store, { dryRun: false, sendAll: true }, logger);
    expect((await all?.get(['C1']))?.size).to.equal(0);
    await all?.put([{ key: 'C1', digest: 'cc', lastOutcome: 'confirmed' }]);
    expect(await store.keyState('customers', 'C1')).to.deep.include({ digest: 'cc' });
  });

  it('a dry run reads the stored digests and stores nothing; after a mapping change it has none to read', async () => {
    const before = await digestsFor(config, store, REAL, logger);
    await before?.put([{ key: 'C1', digest: 'aa', lastOutcome: 'confirmed' }]);
    const dry = await digestsFor(config, store, { dryRun: true, sendAll: false }, logger);
    expect((await dry?.get(['C1']))?.get('C1')).to.deep.include({ digest: 'aa' });
    await dry?.put([{ key: 'C2', digest: 'bb', lastOutcome: 'confirmed' }]);
    await dry?.release();
    expect(await store.keyState('customers', 'C2')).to.equal(undefined);
    const fingerprint = await store.mappingFingerprint('customers');
    const changed = configOf({ name: 'name', email: 'email' });
    expect(await digestsFor(changed, store, { dryRun: true, sendAll: false }, logger)).to.equal(undefined);
    // Nor is the new mapping stored: the next real run still finds its digests dropped.
    expect(await store.mappingFingerprint('customers')).to.equal(fingerprint);
    expect((await store.keyState('customers', 'C1'))?.digest).to.equal('aa');
  });
});
