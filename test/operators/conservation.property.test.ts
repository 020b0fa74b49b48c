import { expect } from 'chai';
import fc from 'fast-check';
import * as t from 'io-ts';
import { concatMap, from, map, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { batchRecords } from '../../src/operators/batch.js';
import { NonEmptyString } from '../../src/operators/codecs.js';
import { decodeWith } from '../../src/operators/decode.js';
import { mapRecords } from '../../src/operators/map.js';
import { rejected, type MappedRecord, type Step } from '../../src/types/outcome.js';
import { rec } from './helpers.js';

const Customer = t.type({ id: t.number, name: NonEmptyString });

type Input =
  | { kind: 'valid'; value: { id: number; name: string } }
  | { kind: 'invalid'; value: unknown }
  | { kind: 'decided' };

const input: fc.Arbitrary<Input> = fc.oneof(
  fc.record({ id: fc.integer(), name: fc.string({ minLength: 1 }).filter((s) => s.trim() !== '') }).map((value) => ({ kind: 'valid' as const, value })),
  fc
    .oneof(fc.constant(null), fc.string(), fc.record({ id: fc.string(), name: fc.integer() }), fc.record({ id: fc.integer(), name: fc.constant('  ') }))
    .map((value) => ({ kind: 'invalid' as const, value })),
  fc.constant({ kind: 'decided' as const }),
);

describe('operators: decode + map + batch conservation (property)', () => {
  it('yields exactly one output per input record, in order, across batches', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(input, fc.nat({ max: 20 })), { maxLength: 60 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 30 }),
        (items, size, ms) => {
          const ts = new TestScheduler((a, e) => {
            expect(a).to.deep.equal(e);
          });
          const steps: Step<unknown>[] = items.map(([item], seq) =>
            item.kind === 'decided' ? rejected(rec('unparseable', seq), [{ title: 'invalid JSON' }]) : rec(item.value, seq),
          );
          const batches: Step<MappedRecord>[][] = [];
          let completed = false;
          from(steps)
            .pipe(
              concatMap((step, i) => timer(items[i]![1], ts).pipe(map(() => step))),
              decodeWith(Customer),
              mapRecords({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name' } }),
              batchRecords({ size, ms, scheduler: ts }),
            )
            .subscribe({ next: (b) => batches.push(b), complete: () => (completed = true) });
          ts.flush();

          expect(completed).to.equal(true);
          for (const batch of batches) expect(batch.length).to.be.within(1, size);
          const out = batches.flat();
          expect(out).to.have.length(items.length);
          out.forEach((step, seq) => {
            const [item] = items[seq]!;
            if (item.kind === 'decided') {
              expect(step).to.equal(steps[seq]);
            } else if (item.kind === 'valid') {
              expect(step).to.deep.equal({
                ...rec(item.value, seq),
                value: { key: String(item.value.id), resource: { type: 'customers', attributes: { name: item.value.name } } },
                raw: item.value,
              });
            } else {
              expect(step).to.have.property('status', 'rejected');
              expect('record' in step && step.record.position.seq).to.equal(seq);
            }
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
