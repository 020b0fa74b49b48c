import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { toOro } from '../../src/sink/to-oro.js';
import { mapRecords } from '../../src/operators/map.js';
import { batchRecords } from '../../src/operators/batch.js';
import { createLimiter } from '../../src/oro/limiter.js';
import type { Outcome, SourceRecord } from '../../src/types/index.js';
import type { WriteMode } from '../../src/sink/options.js';
import { instantScheduler } from '../helpers/instant-scheduler.js';
import { startHarness, type OroHarness } from '../helpers/oro-harness.js';

interface Row { id: string; name: string }

function rows(ids: readonly string[]): SourceRecord<Row>[] {
  return ids.map((id, i) => ({ value: { id, name: `Renamed ${id}` }, position: { seq: i, where: `rows.ndjson:${i + 1}` } }));
}

async function updateOnly(h: OroHarness, records: SourceRecord<Row>[], mode: WriteMode, dryRun = false): Promise<Outcome[]> {
  return lastValueFrom(
    from(records).pipe(
      mapRecords({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name' } }),
      batchRecords({ size: 10, ms: 5 }),
      toOro({
        client: h.client,
        target: { type: 'customers', mode, strategy: 'update-only', key: { oro: 'externalId' }, conflict: 'source-wins' },
        limiter: createLimiter({ concurrency: 4 }),
        retry: { retries: 3, baseMs: 1, maxMs: 5 },
        scheduler: instantScheduler(),
        poll: { intervalMs: 2, maxIntervalMs: 10, timeoutMs: 10_000 },
        dryRun,
      }),
      toArray(),
    ),
  );
}

describe('sink/toOro strategy "update-only"', function () {
  this.timeout(20_000);
  let h: OroHarness;
  afterEach(async () => h?.close());

  for (const mode of ['single', 'batch', 'batch-sync'] as const) {
    it(`${mode}: updates the keys Oro has, rejects the others naming the key, creates nothing`, async () => {
      h = await startHarness({ seed: 3, asyncStepMs: 2 });
      h.oro.seed('customers', { name: 'Old A', externalId: 'A' });
      h.oro.seed('customers', { name: 'Old B', externalId: 'B' });
      h.oro.resetLog();
      const outcomes = await updateOnly(h, rows(['A', 'NOPE', 'B']), mode);
      const byKey = new Map(outcomes.map((o) => [(o.record.value as { key: string }).key, o]));
      expect(byKey.get('A')?.status).to.equal('updated');
      expect(byKey.get('B')?.status).to.equal('updated');
      const missing = byKey.get('NOPE');
      expect(missing?.status).to.equal('rejected');
      expect(missing?.status === 'rejected' && missing.errors).to.deep.equal([{
        title: 'not found in Oro',
        detail: 'customers externalId=NOPE not found in Oro; target.strategy "update-only" never creates: ' +
          'check that the record exists in Oro with that externalId and that the API user may see it',
      }]);
      expect(h.oro.records('customers').map((c) => c.attributes?.['name']).sort()).to.deep.equal(['Renamed A', 'Renamed B']);
      expect(h.oro.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/customers')), 'no create').to.deep.equal([]);
    });
  }

  it('a dry run says which keys it would reject, and writes nothing', async () => {
    h = await startHarness({ seed: 3 });
    h.oro.seed('customers', { name: 'Old A', externalId: 'A' });
    const outcomes = await updateOnly(h, rows(['A', 'NOPE']), 'batch', true);
    expect(outcomes.map((o) => o.status).sort()).to.deep.equal(['rejected', 'updated']);
    expect(h.oro.records('customers')[0]?.attributes?.['name']).to.equal('Old A');
  });

  it('an id Oro no longer has (deleted since it was cached) is looked up again and rejected, not created', async () => {
    h = await startHarness({ seed: 3 });
    const seeded = h.oro.seed('customers', { name: 'Old A', externalId: 'A' });
    const first = await updateOnly(h, rows(['A']), 'single');
    expect(first[0]?.status).to.equal('updated');
    // The same sink's cache is per subscription: delete through the API and run with a cache that knows the id.
    await h.client.delete('customers', seeded.id);
    const outcomes = await lastValueFrom(
      from(rows(['A'])).pipe(
        mapRecords({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name' } }),
        batchRecords({ size: 10, ms: 5 }),
        toOro({
          client: h.client,
          target: { type: 'customers', mode: 'single', strategy: 'update-only', key: { oro: 'externalId' }, conflict: 'source-wins' },
          ids: { get: async (keys) => new Map(keys.map((k) => [k, seeded.id])), put: async () => undefined, forget: async () => undefined },
          retry: 0,
          scheduler: instantScheduler(),
        }),
        toArray(),
      ),
    );
    expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected']);
    expect(h.oro.records('customers')).to.deep.equal([]);
  });
});
