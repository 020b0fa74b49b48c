import { expect } from 'chai';
import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { toOro } from '../../src/sink/to-oro.js';
import { mapRecords } from '../../src/operators/map.js';
import { batchRecords } from '../../src/operators/batch.js';
import { createLimiter } from '../../src/oro/limiter.js';
import type { SourceRecord } from '../../src/types/index.js';
import type { WriteMode } from '../../src/sink/options.js';
import { instantScheduler } from '../helpers/instant-scheduler.js';
import { startHarness } from '../helpers/oro-harness.js';

interface Row { id: string; name: string }

const rows = fc.array(
  fc.record({ id: fc.integer({ min: 1, max: 12 }).map((n) => `P${n}`), name: fc.oneof(fc.constant(''), fc.string({ minLength: 1, maxLength: 8 }).map((s) => `n-${s}`)) }),
  { maxLength: 40 },
);
const faults = fc.record({
  rate429: fc.double({ min: 0, max: 0.1, noNaN: true }),
  rate503: fc.double({ min: 0, max: 0.1, noNaN: true }),
  rate500: fc.double({ min: 0, max: 0.05, noNaN: true }),
  resetRate: fc.double({ min: 0, max: 0.05, noNaN: true }),
  // A revocation between a refresh and its replay would fail a record on purpose; keep them apart.
  revokeEvery: fc.oneof(fc.constant(0), fc.integer({ min: 25, max: 60 })),
});

describe('sink/toOro: conservation under random input and faults (property)', function () {
  this.timeout(120_000);

  it('every record yields exactly one outcome, and Oro holds exactly the last valid version of each key', async () => {
    await fc.assert(
      fc.asyncProperty(rows, faults, fc.constantFrom<WriteMode>('single', 'batch-sync', 'batch'), fc.integer({ min: 1, max: 1000 }), async (input, fault, mode, seed) => {
        const h = await startHarness({ seed, faults: { ...fault, retryAfterSeconds: 0 }, asyncStepMs: 1 });
        try {
          const records: SourceRecord<Row>[] = input.map((value, seq) => ({ value, position: { seq, where: `#${seq}` } }));
          const limiter = createLimiter({ concurrency: 6 });
          const outcomes = await lastValueFrom(
            from(records).pipe(
              mapRecords<Row>({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name', externalId: 'id' } }),
              batchRecords({ size: 7, ms: 2 }),
              toOro({
                client: h.client,
                target: { type: 'customers', mode, strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' },
                concurrency: 3,
                limiter,
                retry: { retries: 40, baseMs: 1, maxMs: 4, maxRetryAfterMs: 4 },
                scheduler: instantScheduler(),
                poll: { intervalMs: 1, maxIntervalMs: 4 },
              }),
              toArray(),
            ),
          );
          // Invariant 1: one outcome per record, nothing dropped, nothing doubled.
          expect(outcomes.map((o) => o.record.position.seq).sort((a, b) => a - b)).to.deep.equal(records.map((r) => r.position.seq));
          for (const outcome of outcomes) {
            const row = input[outcome.record.position.seq]!;
            expect(outcome.status, `${row.id} "${row.name}"`).to.equal(row.name === '' ? 'rejected' : outcome.status === 'created' ? 'created' : 'updated');
          }
          // Oro holds one record per key that had a valid version: the last one, written in order.
          const stored = h.oro.records('customers');
          const lastValid = new Map<string, string>();
          for (const row of input) if (row.name !== '') lastValid.set(row.id, row.name);
          expect(stored.map((r) => r.attributes?.['externalId']).sort()).to.deep.equal([...lastValid.keys()].sort());
          for (const r of stored) expect(r.attributes?.['name']).to.equal(lastValid.get(String(r.attributes?.['externalId'])));
          // Each created/updated outcome names the record Oro holds for its key.
          const idOf = new Map(stored.map((r) => [String(r.attributes?.['externalId']), r.id]));
          for (const o of outcomes) if (o.status === 'created' || o.status === 'updated') expect(o.id).to.equal(idOf.get(input[o.record.position.seq]!.id));
        } finally {
          await h.close();
        }
      }),
      { numRuns: 60, seed: 4242 },
    );
  });
});
