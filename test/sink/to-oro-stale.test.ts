import { expect } from 'chai';
import { defer, firstValueFrom, from, lastValueFrom, toArray } from 'rxjs';
import { toOro } from '../../src/sink/to-oro.js';
import { mapRecords, type Mapping } from '../../src/operators/map.js';
import { batchRecords } from '../../src/operators/batch.js';
import { createLimiter, type Limiter } from '../../src/oro/limiter.js';
import { throttleRequests } from '../../src/operators/throttle.js';
import { createMemoryIdCache, type IdCache } from '../../src/sink/id-cache.js';
import { createOroClient } from '../../src/oro/client.js';
import { HttpError } from '../../src/errors/index.js';
import type { Outcome, SourceRecord } from '../../src/types/index.js';
import type { OroClient } from '../../src/oro/types.js';
import type { SinkOptions, SinkTarget, WriteMode } from '../../src/sink/options.js';
import { startHarness, type OroHarness } from '../helpers/oro-harness.js';

interface Customer { id: string; name: string; group?: string }

const mapping: Mapping<Customer> = {
  type: 'customers',
  key: { source: 'id', oro: 'externalId' },
  attributes: { name: 'name', externalId: 'id' },
  relationships: { group: { type: 'customergroups', source: 'group', match: 'name' } },
};

function customers(n: number, suffix = '', group?: string): SourceRecord<Customer>[] {
  return Array.from({ length: n }, (_, i) => ({
    value: { id: `C${i + 1}`, name: `Customer ${i + 1}${suffix}`, ...(group ? { group } : {}) },
    position: { seq: i, where: `#${i}` },
  }));
}

/** What one sync run shares with the next: the id caches (the daemon's state store). */
interface Memory {
  readonly ids: IdCache;
  readonly related: Map<string, IdCache>;
}

function memory(): Memory {
  return { ids: createMemoryIdCache(), related: new Map() };
}

async function sync(
  h: OroHarness,
  records: SourceRecord<Customer>[],
  mode: WriteMode,
  remembered: Memory,
  extra: Partial<SinkOptions> & { limiter?: Limiter } = {},
): Promise<Outcome[]> {
  const { limiter = createLimiter({ concurrency: 8 }), ...options } = extra;
  const target: SinkTarget = { type: 'customers', mode, strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' };
  const relatedIds = (type: string, field: string): IdCache => {
    const slot = `${type}.${field}`;
    const cache = remembered.related.get(slot) ?? createMemoryIdCache();
    remembered.related.set(slot, cache);
    return cache;
  };
  return lastValueFrom(
    from(records).pipe(
      mapRecords(mapping),
      batchRecords({ size: mode === 'single' ? 10 : 25, ms: 5 }),
      toOro({
        client: h.client,
        target,
        concurrency: 2,
        ids: remembered.ids,
        relatedIds,
        limiter,
        retry: { retries: 5, baseMs: 1, maxMs: 5 },
        poll: { intervalMs: 2, maxIntervalMs: 10, timeoutMs: 10_000 },
        ...options,
      }),
      toArray(),
    ),
  );
}

function byStatus(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1;
  return counts;
}

function storedByKey(h: OroHarness): Map<string, { id: string; name: string; group?: string }> {
  return new Map(h.oro.records('customers').map((r) => {
    const group = r.relationships?.['group']?.data as { id: string } | null | undefined;
    return [String(r.attributes?.['externalId']), { id: r.id, name: String(r.attributes?.['name']), ...(group ? { group: group.id } : {}) }];
  }));
}

describe('sink/toOro: ids Oro no longer has (deleted behind the sync\'s back)', function () {
  this.timeout(30_000);
  let h: OroHarness;
  afterEach(async () => h?.close());

  for (const mode of ['single', 'batch', 'batch-sync'] as const) {
    it(`${mode}: records whose cached id was deleted in Oro are created again, every other record is written, none is rejected`, async () => {
      h = await startHarness({ seed: 21, asyncStepMs: 2 });
      const remembered = memory();
      expect(byStatus(await sync(h, customers(30), mode, remembered))).to.deep.equal({ created: 30 });
      const before = storedByKey(h);
      const deleted = ['C3', 'C7', 'C26'].map((key) => before.get(key)?.id ?? '');
      for (const id of deleted) await h.client.delete('customers', id);
      h.oro.resetLog();

      const outcomes = await sync(h, customers(30, ' v2'), mode, remembered);

      expect(byStatus(outcomes)).to.deep.equal({ created: 3, updated: 27 });
      const after = storedByKey(h);
      expect(after.size).to.equal(30);
      for (const [key, record] of after) expect(record.name, key).to.match(/ v2$/);
      for (const o of outcomes) {
        const key = (o.record.value as { key: string }).key;
        expect(o.status === 'created' || o.status === 'updated' ? o.id : undefined, key).to.equal(after.get(key)?.id);
      }
      for (const key of ['C3', 'C7', 'C26']) expect(deleted, key).not.to.include(after.get(key)?.id);
      // Oro did refuse the stale ids: a 404 in single and sync mode; in async mode errors of the
      // operation, after which the two batches (25 + 5) each send their re-looked records again.
      if (mode !== 'batch') expect(h.oro.requests.some((r) => r.method === 'PATCH' && r.status === 404)).to.equal(true);
      else expect(h.oro.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/customers')).length).to.equal(4);
    });

    it(`${mode}: a related id from the cache that Oro deleted is looked up again and the record written with the new one`, async () => {
      h = await startHarness({ seed: 22, asyncStepMs: 2 });
      const remembered = memory();
      const gold = h.oro.seed('customergroups', { name: 'Gold' });
      expect(byStatus(await sync(h, customers(12, '', 'Gold'), mode, remembered))).to.deep.equal({ created: 12 });
      await h.client.delete('customergroups', gold.id);
      const newGold = h.oro.seed('customergroups', { name: 'Gold' });

      const outcomes = await sync(h, customers(12, ' v2', 'Gold'), mode, remembered);

      expect(byStatus(outcomes)).to.deep.equal({ updated: 12 });
      for (const [key, record] of storedByKey(h)) expect(record, key).to.deep.include({ group: newGold.id, name: `Customer ${key.slice(1)} v2` });
    });
  }

  it('batch-sync: a record whose related record is gone from Oro altogether is rejected saying so, the others are written', async () => {
    h = await startHarness({ seed: 23 });
    const remembered = memory();
    const gold = h.oro.seed('customergroups', { name: 'Gold' });
    const records = [...customers(3), ...customers(4, '', 'Gold').slice(3)];
    expect(byStatus(await sync(h, records, 'batch-sync', remembered))).to.deep.equal({ created: 4 });
    await h.client.delete('customergroups', gold.id);

    const outcomes = await sync(h, records, 'batch-sync', remembered);

    expect(byStatus(outcomes)).to.deep.equal({ updated: 3, rejected: 1 });
    const rejected = outcomes.find((o) => o.status === 'rejected');
    expect(rejected?.status === 'rejected' && rejected.errors.map((e) => e.detail)).to.deep.equal(['customergroups name=Gold not found']);
  });
});

describe('sink/toOro batch-sync: one status for a set of errors', function () {
  this.timeout(30_000);
  let h: OroHarness;
  afterEach(async () => h?.close());

  it('any 4xx whose pointers name records (a 409 here) sets those records aside and writes the rest', async () => {
    h = await startHarness({ seed: 24 });
    let calls = 0;
    const client: OroClient = {
      ...h.client,
      batchSync: async (type, document) => {
        if (calls++ > 0) return h.client.batchSync(type, document);
        throw new HttpError('PATCH', `${h.client.baseUrl}/${type}`, 409, [
          { status: '409', title: 'conflict constraint', detail: 'The entity was changed by someone else.', pointer: '/data/2' },
        ]);
      },
    };
    const outcomes = await sync({ ...h, client }, customers(5), 'batch-sync', memory(), { client });
    expect(byStatus(outcomes)).to.deep.equal({ created: 4, rejected: 1 });
    const rejected = outcomes.find((o) => o.status === 'rejected');
    expect(rejected?.record.position.seq).to.equal(2);
    expect(rejected?.status === 'rejected' && rejected.errors[0]).to.deep.include({ status: '409', title: 'conflict constraint' });
    expect([...storedByKey(h).keys()].sort()).to.deep.equal(['C1', 'C2', 'C4', 'C5']);
  });

  it('matches the records of a 200 answer to the request by meta.dataId, not by position', async () => {
    h = await startHarness({ seed: 25 });
    const client: OroClient = {
      ...h.client,
      // The answer in another order than the request: only meta.dataId tells which is which.
      batchSync: async (type, document) => {
        const result = await h.client.batchSync(type, document);
        return { ...result, data: [...result.data].reverse() };
      },
    };
    const remembered = memory();
    const outcomes = await sync({ ...h, client }, customers(6), 'batch-sync', remembered, { client });
    expect(byStatus(outcomes)).to.deep.equal({ created: 6 });
    const stored = storedByKey(h);
    for (const o of outcomes) {
      const key = (o.record.value as { key: string }).key;
      expect(o.status === 'created' ? o.id : undefined, key).to.equal(stored.get(key)?.id);
      expect((await remembered.ids.get([key])).get(key), key).to.equal(stored.get(key)?.id);
    }
  });
});

describe('sink/toOro batch-sync: Oro turns a sync batch async (consumer down)', function () {
  this.timeout(30_000);
  let h: OroHarness;
  afterEach(async () => h?.close());

  /** A client on the harness that says when the first poll of an async operation went out. */
  function pollingClient(): { client: OroClient; polling: Promise<void> } {
    let polled!: () => void;
    const polling = new Promise<void>((resolve) => (polled = resolve));
    const client = createOroClient({
      baseUrl: h.oro.baseUrl,
      tokens: h.tokens,
      http: h.http,
      onRequest: (event) => {
        if (event.method === 'GET' && /\/asyncoperations\/[^/]+$/.test(event.url)) polled();
      },
    });
    return { client, polling };
  }

  it('polls the 202 fallback without a limiter slot and gives up at the poll budget with failed outcomes saying why', async () => {
    h = await startHarness({ seed: 26, consumerDown: true, syncWaitMs: 30 });
    const { client, polling } = pollingClient();
    const limiter = createLimiter({ concurrency: 1 });
    let sinkDone = false;
    const run = sync({ ...h, client }, customers(5), 'batch-sync', memory(), {
      client,
      limiter,
      poll: { intervalMs: 5, maxIntervalMs: 20, timeoutMs: 600 },
    }).finally(() => (sinkDone = true));
    await polling;
    // The only slot is free while the sink polls: another request is served meanwhile.
    await firstValueFrom(defer(() => h.client.list('customers')).pipe(throttleRequests(limiter)));
    expect(sinkDone, 'the sink still polling').to.equal(false);

    const outcomes = await run;
    expect(byStatus(outcomes)).to.deep.equal({ failed: 5 });
    const first = outcomes[0];
    expect(first?.status === 'failed' && first.errors[0]).to.deep.include({ title: 'async operation not finished' });
    expect(first?.status === 'failed' && first.errors[0]?.detail).to.match(/did not finish within 0.6 s.*message queue consumer/);
    expect(h.oro.records('customers')).to.have.length(0);
  });

  it('writes the records once the consumer is back while the fallback is polled, reading their ids back', async () => {
    h = await startHarness({ seed: 27, consumerDown: true, syncWaitMs: 30, asyncStepMs: 2 });
    const { client, polling } = pollingClient();
    const remembered = memory();
    const run = sync({ ...h, client }, customers(5), 'batch-sync', remembered, { client });
    await polling;
    h.oro.setConsumerDown(false);
    const outcomes = await run;
    expect(byStatus(outcomes)).to.deep.equal({ created: 5 });
    const stored = storedByKey(h);
    for (const o of outcomes) expect(o.status === 'created' ? o.id : undefined).to.equal(stored.get((o.record.value as { key: string }).key)?.id);
  });
});
