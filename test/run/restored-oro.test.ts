/**
 * An Oro restored from a backup: at the start of a run a sample of the stored ids is read back
 * in one request; when any no longer holds its key, every stored id and digest is dropped.
 */
import { expect } from 'chai';
import { pino } from 'pino';
import type { Config } from '../../src/config/config-types.js';
import { createOro, type Oro } from '../../src/oro/create-oro.js';
import { checkStoredIds, idSpacesOf } from '../../src/run/restored-oro.js';
import { openStateStore } from '../../src/state/sqlite-state-store.js';
import type { StateStore } from '../../src/state/state-store.js';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';

describe('run/checkStoredIds', () => {
  let oro: FakeOro;
  let api: Oro;
  let store: StateStore;
  let logged: string[];
  let config: Config;
  const logger = () => pino({ level: 'info' }, { write: (line: string) => void logged.push((JSON.parse(line) as { msg: string }).msg) });

  beforeEach(async () => {
    oro = await startFakeOro();
    api = createOro({ baseUrl: oro.baseUrl, tokenUrl: oro.tokenUrl, clientId: oro.clientId, clientSecret: oro.clientSecret });
    store = openStateStore(':memory:');
    logged = [];
    config = {
      name: 'customers',
      oro: { baseUrl: oro.baseUrl },
      target: { type: 'customers', key: { source: 'id', oro: 'externalId' }, relationships: { group: { type: 'customergroups', source: 'g', match: 'externalId' } } },
    } as unknown as Config;
    const ids: [string, string][] = [];
    for (const key of ['C1', 'C2', 'C3']) ids.push([key, oro.seed('customers', { name: key, externalId: key }).id]);
    await store.putKeyStates('customers', ids.map(([key, oroId]) => ({ key, oroId, digest: `d-${key}`, lastOutcome: 'confirmed' as const })));
    await store.putIds(oro.baseUrl, 'customers', 'externalId', ids);
    await store.putIds(oro.baseUrl, 'customergroups', 'externalId', [['G1', '1']]);
    oro.resetLog();
  });
  afterEach(async () => {
    api.close();
    await store.close();
    await oro.close();
  });

  const check = (dryRun = false) => checkStoredIds({ config, store, client: api.client, logger: logger(), retry: { retries: 0 }, dryRun });
  const reads = () => oro.requests.filter((r) => r.path.startsWith('/admin/api'));

  it('ids that still hold their keys: one request, nothing dropped, nothing logged', async () => {
    expect(await check()).to.deep.equal({ sampled: 3, mismatched: 0 });
    expect(reads()).to.have.length(1);
    expect(decodeURIComponent(reads()[0]!.query)).to.include('filter[id]=').and.include('fields[customers]=externalId');
    expect(await store.keyState('customers', 'C1')).to.deep.include({ digest: 'd-C1' });
    expect(logged).to.deep.equal([]);
  });

  it('an id that holds another key now (a restore reused it): every stored id and digest of the pipeline is dropped, with one log line', async () => {
    const c2 = (await store.keyState('customers', 'C2'))!.oroId!;
    const token = await api.tokens.current();
    await fetch(`${oro.baseUrl}/customers/${c2}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.api+json', 'Content-Type': 'application/vnd.api+json' },
      body: JSON.stringify({ data: { type: 'customers', id: c2, attributes: { externalId: 'SOMEONE-ELSE' } } }),
    });
    expect(await check()).to.deep.equal({ sampled: 3, mismatched: 1 });
    expect(logged).to.deep.equal([`Oro at ${oro.baseUrl} no longer holds 1 of 3 stored customers ids with their externalId (restored from a backup?): ` +
      'stored ids and digests are dropped; every key is looked up again and the source is read whole']);
    expect(await store.keyState('customers', 'C1')).to.deep.include({ lastOutcome: 'confirmed' }).and.not.have.property('digest');
    expect(await store.countKnown('customers')).to.equal(0);
    expect((await store.getIds(oro.baseUrl, 'customers', 'externalId', ['C1', 'C2', 'C3'])).size).to.equal(0);
    expect((await store.getIds(oro.baseUrl, 'customergroups', 'externalId', ['G1'])).size, 'the related type matched by key too').to.equal(0);
  });

  it('a dry run reports and drops nothing', async () => {
    const c3 = (await store.keyState('customers', 'C3'))!.oroId!;
    const token = await api.tokens.current();
    await fetch(`${oro.baseUrl}/customers/${c3}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.api+json' } });
    expect(await check(true)).to.deep.equal({ sampled: 3, mismatched: 1 });
    expect(logged[0]).to.include('this dry run trusts no stored id or digest');
    expect(await store.countKnown('customers')).to.equal(3);
  });

  it('checks nothing when the key is Oro\'s id, or nothing is stored', async () => {
    config = { ...config, target: { ...config.target, key: { source: 'id', oro: 'id' } } };
    expect(await check()).to.deep.equal({ sampled: 0, mismatched: 0 });
    config = { ...config, name: 'groups', target: { ...config.target, key: { source: 'id', oro: 'externalId' } } };
    expect(await check()).to.deep.equal({ sampled: 0, mismatched: 0 });
    expect(reads()).to.have.length(0);
  });

  it('idSpacesOf: the target and the related types it matches by key', () => {
    expect(idSpacesOf(config)).to.deep.equal([{ type: 'customers', keyField: 'externalId' }, { type: 'customergroups', keyField: 'externalId' }]);
  });
});
