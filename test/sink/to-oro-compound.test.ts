import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { toOro } from '../../src/sink/to-oro.js';
import { mapRecords, type Mapping } from '../../src/operators/map.js';
import { batchRecords } from '../../src/operators/batch.js';
import { createLimiter } from '../../src/oro/limiter.js';
import type { Outcome, SourceRecord } from '../../src/types/index.js';
import type { SinkTarget, WriteMode } from '../../src/sink/options.js';
import { instantScheduler } from '../helpers/instant-scheduler.js';
import { startHarness, type OroHarness } from '../helpers/oro-harness.js';

interface Address { street: string; city: string; zip: string; country: string }
interface Customer { id: string; name: string; addresses: Address[] }

/**
 * Customers with their addresses created in the same request: the transform lists each address
 * under `addresses` with a temporary id (`addr-1`, `addr-2`, … — the same ids in every record)
 * and puts the address itself in `included`.
 */
const mapping: Mapping<Customer> = {
  type: 'customers',
  key: { source: 'id', oro: 'externalId' },
  transform: (c) => {
    const ids = c.addresses.map((_, i) => `addr-${i + 1}`);
    return {
      resource: {
        type: 'customers',
        attributes: { name: c.name, externalId: c.id },
        relationships: { addresses: { data: ids.map((id) => ({ type: 'customeraddresses', id })) } },
      },
      included: c.addresses.map((a, i) => ({
        type: 'customeraddresses',
        id: ids[i],
        attributes: { street: a.street, city: a.city, postalCode: a.zip },
        relationships: { country: { data: { type: 'countries', id: a.country } } },
      })),
    };
  },
};

/** n customers with one or two addresses; customer `badAt`'s second address has an empty street. */
function customers(n: number, badAt: number): SourceRecord<Customer>[] {
  return Array.from({ length: n }, (_, i) => {
    const addresses: Address[] = [{ street: `${i + 1} Main St`, city: 'Berlin', zip: '10115', country: 'DE' }];
    if (i % 2 === 1 || i === badAt) addresses.push({ street: i === badAt ? '' : `${i + 1} Side St`, city: 'Paris', zip: '75001', country: 'FR' });
    return { value: { id: `C${i + 1}`, name: `Customer ${i + 1}`, addresses }, position: { seq: i, where: `#${i}` } };
  });
}

async function sync(h: OroHarness, records: SourceRecord<Customer>[], mode: WriteMode): Promise<Outcome[]> {
  const limiter = createLimiter({ concurrency: 4 });
  const target: SinkTarget = { type: 'customers', mode, strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' };
  return lastValueFrom(
    from(records).pipe(
      mapRecords(mapping),
      batchRecords({ size: 10, ms: 5 }),
      toOro({
        client: h.client,
        target,
        concurrency: 2,
        limiter,
        retry: { retries: 5, baseMs: 1, maxMs: 5 },
        scheduler: instantScheduler(),
        poll: { intervalMs: 2, maxIntervalMs: 10, timeoutMs: 10_000 },
      }),
      toArray(),
    ),
  );
}

describe('sink/toOro: compound create with included addresses (docs/oro-api.md §2, §6)', function () {
  this.timeout(20_000);
  let h: OroHarness;
  afterEach(async () => h?.close());

  const N = 12;
  const BAD = 4; // C5: its second address has an empty street
  for (const mode of ['batch', 'batch-sync', 'single'] as const) {
    it(`${mode}: the record with an invalid address is rejected with its /included error; the others land with their addresses`, async () => {
      h = await startHarness({ seed: 11, asyncStepMs: 2 });
      const records = customers(N, BAD);
      const outcomes = await sync(h, records, mode);

      expect(outcomes.map((o) => o.record.position.seq).sort((a, b) => a - b)).to.deep.equal(records.map((r) => r.position.seq));
      const rejected = outcomes.filter((o) => o.status === 'rejected');
      expect(rejected.map((o) => o.record.position.seq)).to.deep.equal([BAD]);
      const errors = rejected[0]?.status === 'rejected' ? rejected[0].errors : [];
      expect(errors).to.have.length(1);
      expect(errors[0]).to.include({ title: 'not blank constraint' });
      // The pointer is into the request that was sent. Alone (single), C5's bad address is its
      // included item 1; in the batch of C1..C10 the included items before it are C1's 1, C2's 2,
      // C3's 1, C4's 2 and C5's first, so it is item 7 and the sink traces it back to C5.
      expect(errors[0]?.pointer).to.equal(mode === 'single' ? '/included/1/attributes/street' : '/included/7/attributes/street');

      const created = outcomes.filter((o) => o.status === 'created');
      expect(created).to.have.length(N - 1);
      const oroIdOf = new Map(created.map((o) => [records[o.record.position.seq]?.value.id, o.status === 'created' ? o.id : undefined]));
      const stored = h.oro.records('customers');
      expect(stored.map((c) => c.attributes?.['externalId']).sort()).to.deep.equal([...oroIdOf.keys()].sort());
      for (const c of stored) expect(oroIdOf.get(String(c.attributes?.['externalId']))).to.equal(c.id);

      // Every address of a landed customer is in Oro and linked to that customer; none of C5's.
      const expected = records
        .filter((r) => r.position.seq !== BAD)
        .flatMap((r) => r.value.addresses.map((a) => [a.street, a.country, oroIdOf.get(r.value.id)]));
      const addresses = h.oro.records('customeraddresses').map((a) => [
        a.attributes?.['street'],
        (a.relationships?.['country']?.data as { id: string }).id,
        (a.relationships?.['customer']?.data as { id: string }).id,
      ]);
      expect(addresses).to.have.deep.members(expected);
      expect(addresses).to.have.length(expected.length);
    });
  }
});
