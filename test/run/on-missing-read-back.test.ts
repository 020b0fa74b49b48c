/**
 * target.onMissing reads every stored id back before it deletes or updates it, and acts only on
 * the ids that still hold their key: after a restore from a backup, Oro gives ids to other
 * records, which must be neither deleted nor overwritten.
 */
import { expect } from 'chai';
import { createOro, type Oro } from '../../src/oro/create-oro.js';
import { sweepMissing, type SweepOptions } from '../../src/run/on-missing.js';
import { openStateStore } from '../../src/state/sqlite-state-store.js';
import type { StateStore } from '../../src/state/state-store.js';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import type { Outcome } from '../../src/types/outcome.js';

describe('run/on-missing: read back before acting', () => {
  let oro: FakeOro;
  let client: Oro;
  let store: StateStore;
  let outcomes: Outcome[];
  let printed: string[];
  let ours: string;
  let reused: string;
  let kept: string;

  beforeEach(async () => {
    oro = await startFakeOro();
    client = createOro({ baseUrl: oro.baseUrl, tokenUrl: oro.tokenUrl, clientId: oro.clientId, clientSecret: oro.clientSecret, concurrency: 2 });
    store = openStateStore(':memory:');
    outcomes = [];
    printed = [];
    ours = oro.seed('customers', { name: 'Ours', externalId: 'A' }).id;
    // The id stored for C now holds another customer, as after a restore that reused it.
    reused = oro.seed('customers', { name: 'Someone else', externalId: 'X' }).id;
    kept = oro.seed('customers', { name: 'Still in the source', externalId: 'K' }).id;
    await store.putKeyStates('customers', [
      { key: 'A', digest: 'a', oroId: ours, lastOutcome: 'confirmed' },
      { key: 'C', digest: 'c', oroId: reused, lastOutcome: 'confirmed' },
      { key: 'K', digest: 'k', oroId: kept, lastOutcome: 'confirmed' },
    ]);
    // K is in the source; A and C are missing from it.
    await store.markSeen('customers', 1, ['K']);
    oro.resetLog();
  });
  afterEach(async () => {
    client.close();
    await store.close();
    await oro.close();
  });

  const sweep = (overrides: Partial<SweepOptions> = {}) => sweepMissing({
    store, pipeline: 'customers', runId: 1, type: 'customers', keyField: 'externalId', oro: oro.baseUrl,
    onMissing: { action: 'delete', maxFraction: 1 }, client: client.client, limiter: client.limiter, retry: { retries: 0 },
    concurrency: 2, dryRun: false, onOutcome: (o) => outcomes.push(o), print: (line) => printed.push(line), ...overrides,
  });
  const sent = (method: string) => oro.requests.filter((r) => r.method === method).map((r) => r.path);

  it('deletes only the ids that still hold their key, with one read per page; the others are forgotten and counted', async () => {
    const result = await sweep();
    expect(result).to.deep.equal({ stopped: false, forgotten: 1 });
    const reads = oro.requests.filter((r) => r.method === 'GET');
    expect(reads).to.have.length(1);
    expect(decodeURIComponent(reads[0]!.query)).to.include(`filter[id]=`).and.include('fields[customers]=externalId');
    expect(sent('DELETE')).to.deep.equal([`/admin/api/customers/${ours}`]);
    expect(outcomes.map((o) => [o.status, o.record.position.where])).to.deep.equal([['deleted', 'onMissing customers A']]);
    expect(oro.records('customers').map((r) => r.id)).to.deep.equal([reused, kept]);
    expect(await store.keyState('customers', 'C')).to.equal(undefined);
    expect(await store.keyState('customers', 'A')).to.equal(undefined);
  });

  it('update: only the ids that still hold their key are updated', async () => {
    const result = await sweep({ onMissing: { action: 'update', attributes: { name: 'inactive' }, maxFraction: 1 } });
    expect(result.forgotten).to.equal(1);
    expect(sent('PATCH')).to.deep.equal([`/admin/api/customers/${ours}`]);
    expect(oro.records('customers').find((r) => r.id === reused)?.attributes).to.deep.include({ name: 'Someone else', externalId: 'X' });
  });

  it('a dry run reads back too, lists only what it would do, and forgets nothing', async () => {
    const result = await sweep({ dryRun: true });
    expect(result.forgotten).to.equal(1);
    expect(sent('DELETE')).to.deep.equal([]);
    expect(printed).to.deep.equal([JSON.stringify({ action: 'delete', where: 'onMissing customers A', id: ours })]);
    expect(await store.keyState('customers', 'C')).to.deep.include({ oroId: reused });
  });

  it('a read-back that fails: nothing is deleted; the page\'s keys fail and stay for the next run', async () => {
    oro.setFaults({ rate500: 1 });
    const result = await sweep();
    expect(result.forgotten).to.equal(0);
    expect(sent('DELETE')).to.deep.equal([]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['failed', 'failed']);
    expect(await store.keyState('customers', 'A')).to.deep.include({ oroId: ours });
  });
});
