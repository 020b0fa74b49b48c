import { expect } from 'chai';
import { firstValueFrom, from, lastValueFrom, toArray } from 'rxjs';
import { toOro } from '../../src/sink/to-oro.js';
import { mapRecords, type Mapping } from '../../src/operators/map.js';
import { batchRecords } from '../../src/operators/batch.js';
import type { SinkOptions, SinkTarget } from '../../src/sink/options.js';
import type { Outcome, SourceRecord } from '../../src/types/index.js';
import { instantScheduler } from '../helpers/instant-scheduler.js';
import { startHarness, type OroHarness } from '../helpers/oro-harness.js';

function records<T>(values: T[]): SourceRecord<T>[] {
  return values.map((value, i) => ({ value, position: { seq: i, where: `#${i}` } }));
}

async function sync<T>(h: OroHarness, values: T[], mapping: Mapping<T>, extra: Partial<SinkOptions> = {}, batchSize = 2): Promise<Outcome[]> {
  const target: SinkTarget = { type: mapping.type, mode: 'single', strategy: 'lookup', key: { oro: mapping.key.oro }, conflict: 'source-wins' };
  return lastValueFrom(
    from(records(values)).pipe(
      mapRecords(mapping),
      batchRecords({ size: batchSize, ms: 5 }),
      toOro({ client: h.client, target, concurrency: 2, scheduler: instantScheduler(), ...extra }),
      toArray(),
    ),
  );
}

const customerMapping: Mapping<{ id: string; name: string; parentId?: string; group?: string }> = {
  type: 'customers',
  key: { source: 'id', oro: 'externalId' },
  attributes: { name: 'name', externalId: 'id' },
  relationships: {
    parent: { type: 'customers', source: 'parentId', match: 'externalId' },
    group: { type: 'customergroups', source: 'group', match: 'name' },
  },
};

const userMapping: Mapping<{ email: string; first: string; last: string; customerId: string }> = {
  type: 'customerusers',
  key: { source: 'email', oro: 'email' },
  attributes: { email: 'email', firstName: 'first', lastName: 'last' },
  relationships: { customer: { type: 'customers', source: 'customerId', match: 'externalId' } },
};

function byExternalId(h: OroHarness): Map<string, { id: string; parent?: string; group?: string }> {
  const out = new Map<string, { id: string; parent?: string; group?: string }>();
  for (const r of h.oro.records('customers')) {
    const parent = r.relationships?.['parent']?.data as { id: string } | null | undefined;
    const group = r.relationships?.['group']?.data as { id: string } | null | undefined;
    out.set(String(r.attributes?.['externalId']), { id: r.id, ...(parent ? { parent: parent.id } : {}), ...(group ? { group: group.id } : {}) });
  }
  return out;
}

describe('sink/toOro: relationships named by source key', function () {
  this.timeout(20_000);
  let h: OroHarness;
  afterEach(async () => h?.close());

  it('resolves keys to Oro ids, waiting for parents that come later in the same source', async () => {
    h = await startHarness({ seed: 11 });
    const gold = h.oro.seed('customergroups', { name: 'Gold' });
    // Children first, their parents later (and in other batches), a grandchild before both.
    const outcomes = await sync(h, [
      { id: 'K3', name: 'Grandchild', parentId: 'K2' },
      { id: 'K2', name: 'Child', parentId: 'K1', group: 'Gold' },
      { id: 'X1', name: 'Unrelated' },
      { id: 'K1', name: 'Root', group: 'Gold' },
    ], customerMapping);
    expect(outcomes.map((o) => o.status)).to.have.members(['created', 'created', 'created', 'created']);
    const stored = byExternalId(h);
    expect(stored.get('K1')).to.deep.include({ group: gold.id });
    expect(stored.get('K2')?.parent).to.equal(stored.get('K1')?.id);
    expect(stored.get('K2')?.group).to.equal(gold.id);
    expect(stored.get('K3')?.parent).to.equal(stored.get('K2')?.id);
  });

  it('rejects a record whose related key never appears, with the reason, once nothing else can help', async () => {
    h = await startHarness({ seed: 12 });
    // The 60 s bound is held, never fired: only going quiet can end this wait.
    const scheduler = instantScheduler();
    const outcomes = await sync(h, [
      { id: 'A1', name: 'Orphan', parentId: 'NOPE' },
      { id: 'A2', name: 'Fine' },
    ], customerMapping, { relatedWaitMs: 60_000, scheduler });
    const orphan = outcomes.find((o) => o.record.position.seq === 0);
    expect(orphan?.status).to.equal('rejected');
    expect(orphan?.status === 'rejected' && orphan.errors[0]).to.deep.include({
      title: 'related record not found',
      detail: 'customers externalId=NOPE not found',
      pointer: '/data/relationships/parent/data',
    });
    expect(outcomes.find((o) => o.record.position.seq === 1)?.status).to.equal('created');
    // Released when the sink went quiet, not after the 60 s wait bound, whose timer is cancelled.
    expect(scheduler.delays).to.include(60_000);
    expect(scheduler.held).to.equal(0);
    expect(h.oro.records('customers').map((r) => r.attributes?.['externalId'])).to.deep.equal(['A2']);
  });

  it('gives up after the wait bound when the input never ends', async () => {
    h = await startHarness({ seed: 13 });
    const { Subject } = await import('rxjs');
    const input = new Subject<SourceRecord<{ id: string; name: string; parentId?: string }>>();
    const target: SinkTarget = { type: 'customers', mode: 'single', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' };
    // The input stays open: only the wait bound can end the wait (asked of the sink's scheduler,
    // which ends it at once; the bound itself is tested in test/sink/related-waits.test.ts).
    const scheduler = instantScheduler();
    const first = firstValueFrom(input.pipe(mapRecords(customerMapping), batchRecords({ size: 1, ms: 1 }), toOro({ client: h.client, target, relatedWaitMs: 50, scheduler })));
    input.next({ value: { id: 'W1', name: 'Waits', parentId: 'LATER' }, position: { seq: 0, where: '#0' } });
    const outcome = await first;
    expect(outcome.status).to.equal('rejected');
    expect(outcome.status === 'rejected' && outcome.errors[0]?.detail).to.equal('customers externalId=LATER not found');
    expect(scheduler.delays).to.include(50);
  });

  it('resolves from records written by an earlier pipeline (customers, then their users) and uses the cache next time', async () => {
    h = await startHarness({ seed: 14 });
    await sync(h, [{ id: 'C1', name: 'One' }, { id: 'C2', name: 'Two' }], customerMapping);
    const users = [
      { email: 'a@example.com', first: 'A', last: 'A', customerId: 'C1' },
      { email: 'b@example.com', first: 'B', last: 'B', customerId: 'C2' },
      { email: 'c@example.com', first: 'C', last: 'C', customerId: 'C404' },
    ];
    const outcomes = await sync(h, users, userMapping);
    expect(outcomes.filter((o) => o.status === 'created')).to.have.length(2);
    const c = outcomes.find((o) => o.status === 'rejected');
    expect(c?.status === 'rejected' && c.errors[0]?.detail).to.equal('customers externalId=C404 not found');
    const stored = byExternalId(h);
    const links = h.oro.records('customerusers').map((u) => [u.attributes?.['email'], (u.relationships?.['customer']?.data as { id: string }).id]);
    expect(links).to.deep.equal([['a@example.com', stored.get('C1')?.id], ['b@example.com', stored.get('C2')?.id]]);
    // Re-running creates nothing new.
    const again = await sync(h, users.slice(0, 2), userMapping);
    expect(again.map((o) => o.status)).to.deep.equal(['updated', 'updated']);
    expect(h.oro.records('customerusers')).to.have.length(2);
  });

  it('works in batch mode too: blocked records leave their batch and are written when their parent exists', async () => {
    h = await startHarness({ seed: 15, asyncStepMs: 2 });
    const target: Partial<SinkOptions> = { poll: { intervalMs: 2, maxIntervalMs: 5 } };
    const values = [
      { id: 'B3', name: 'Child of B2', parentId: 'B2' },
      { id: 'B1', name: 'Root' },
      { id: 'B2', name: 'Child of B1', parentId: 'B1' },
    ];
    const outcomes = await lastValueFrom(
      from(records(values)).pipe(
        mapRecords(customerMapping),
        batchRecords({ size: 3, ms: 5 }),
        toOro({ client: h.client, target: { type: 'customers', mode: 'batch', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' }, ...target }),
        toArray(),
      ),
    );
    expect(outcomes.map((o) => o.status)).to.deep.equal(['created', 'created', 'created']);
    const stored = byExternalId(h);
    expect(stored.get('B2')?.parent).to.equal(stored.get('B1')?.id);
    expect(stored.get('B3')?.parent).to.equal(stored.get('B2')?.id);
  });
});
