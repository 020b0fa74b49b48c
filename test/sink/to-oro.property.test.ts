import { expect } from 'chai';
import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { toOro } from '../../src/sink/to-oro.js';
import { mapRecords } from '../../src/operators/map.js';
import { batchRecords } from '../../src/operators/batch.js';
import { createLimiter } from '../../src/oro/limiter.js';
import type { SourceRecord } from '../../src/types/index.js';
import type { SinkOptions, WriteMode } from '../../src/sink/options.js';
import { createMemoryDigestStore } from '../../src/sink/digest-store.js';
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
          const toRecords = (rows: readonly Row[]): SourceRecord<Row>[] => rows.map((value, seq) => ({ value, position: { seq, where: `#${seq}` } }));
          const records = toRecords(input);
          const limiter = createLimiter({ concurrency: 6 });
          const digests = createMemoryDigestStore();
          const sync = (batch: readonly SourceRecord<Row>[], extra: Partial<SinkOptions> = {}) => lastValueFrom(
            from(batch).pipe(
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
                digests,
                ...extra,
              }),
              toArray(),
            ),
          );
          const outcomes = await sync(records);
          // Invariant 1: one outcome per record, nothing dropped, nothing doubled.
          expect(outcomes.map((o) => o.record.position.seq).sort((a, b) => a - b)).to.deep.equal(records.map((r) => r.position.seq));
          for (const outcome of outcomes) {
            const row = input[outcome.record.position.seq]!;
            // A key's same content right after Oro confirmed it (later in the same input) is unchanged.
            const previous = input.slice(0, outcome.record.position.seq).filter((r) => r.id === row.id).at(-1);
            const expected = row.name === '' ? 'rejected' : outcome.status === 'unchanged' && previous?.name === row.name ? 'unchanged' : outcome.status === 'created' ? 'created' : 'updated';
            expect(outcome.status, `${row.id} "${row.name}"`).to.equal(expected);
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

          // A second run over what the input left (each key's last version): nothing to send.
          const last = [...new Map(input.map((row) => [row.id, row])).values()];
          const requestsBefore = h.oro.requests.length;
          const second = await sync(toRecords(last));
          expect(second.map((o) => o.record.position.seq).sort((a, b) => a - b)).to.deep.equal(last.map((_, seq) => seq));
          for (const outcome of second) {
            const row = last[outcome.record.position.seq]!;
            if (row.name === '') expect(outcome).to.deep.include({ status: 'rejected' }).and.to.have.property('rejectedBefore');
            else expect(outcome).to.deep.include({ status: 'unchanged', id: idOf.get(row.id) });
          }
          expect(h.oro.requests.length - requestsBefore, 'requests of the second run').to.equal(0);
        } finally {
          await h.close();
        }
      }),
      { numRuns: 60, seed: 4242 },
    );
  });
});
