import { expect } from 'chai';
import * as t from 'io-ts';
import { from, lastValueFrom, toArray } from 'rxjs';
import { decodeWith } from '../../src/operators/decode.js';
import { mapRecords } from '../../src/operators/map.js';
import { rawOf, type SourceRecord, type Step, type MappedRecord } from '../../src/types/index.js';

/**
 * Regression: decode and map replaced `value` without keeping `raw`, so dead letters held the
 * mapped `{resource, key}` instead of the source record, and `replay` rejected every letter again
 * (the mapped form has no source key).
 */
describe('regression: dead letters held the mapped record instead of the source record', () => {
  it('keeps the record as the source gave it through decode and map', async () => {
    const source = { id: 'C1', name: 'Acme', extra: { deep: true } };
    const record: SourceRecord = { value: source, position: { seq: 0, where: 'in.ndjson:1' } };
    const out = await lastValueFrom(
      from([record] as Step<unknown>[]).pipe(
        decodeWith(t.type({ id: t.string, name: t.string })),
        mapRecords({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name' } }),
        toArray(),
      ),
    );
    const mapped = out[0] as SourceRecord<MappedRecord>;
    expect(mapped.value.key).to.equal('C1');
    expect(rawOf(mapped)).to.deep.equal(source);
  });
});
