import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { mapRecords, type Mapping } from '../../src/operators/map.js';
import { rejected, type MappedRecord, type Rejected, type Step } from '../../src/types/outcome.js';
import type { SourceRecord } from '../../src/types/record.js';
import { rec } from './helpers.js';

type Row = Record<string, unknown>;

const mapping: Mapping<Row> = {
  type: 'customers',
  key: { source: 'id', oro: 'externalId' },
  attributes: { name: 'name', externalId: 'id', city: 'address.city', vip: 'flags.vip', tags: 'tags' },
  relationships: {
    group: { type: 'customergroups', source: 'groupId' },
    parent: { type: 'customers', source: 'parent.id', match: 'externalId' },
  },
  watermark: 'updatedAt',
};

async function mapAll<A>(m: Mapping<A>, steps: Step<A>[]): Promise<Step<MappedRecord>[]> {
  return lastValueFrom(from(steps).pipe(mapRecords(m), toArray()));
}

async function mapOne<A>(m: Mapping<A>, value: A): Promise<Step<MappedRecord>> {
  const [out] = await mapAll(m, [rec(value, 4)]);
  return out!;
}

function valueOf(step: Step<MappedRecord>): MappedRecord {
  if ('status' in step) throw new Error(`expected a mapped record, got ${JSON.stringify(step)}`);
  return step.value;
}

function detailOf(step: Step<MappedRecord>): string {
  expect(step).to.have.property('status', 'rejected');
  return (step as Rejected).errors[0]?.detail ?? '';
}

describe('operators/mapRecords', () => {
  it('maps attributes and relationships from dot paths, keeping JSON values as they are; keys to match go to `related`', async () => {
    const input = {
      id: 42,
      name: 'Acme',
      address: { city: 'Berlin' },
      flags: { vip: false },
      tags: ['a', { b: 1 }],
      groupId: 7,
      parent: { id: 'P-1' },
      updatedAt: '2024-05-01T10:00:00Z',
    };
    const out = await mapOne(mapping, input);
    expect(out).to.deep.equal({
      value: {
        key: '42',
        changedAt: '2024-05-01T10:00:00Z',
        resource: {
          type: 'customers',
          attributes: { name: 'Acme', externalId: 42, city: 'Berlin', vip: false, tags: ['a', { b: 1 }] },
          relationships: {
            group: { data: { type: 'customergroups', id: '7' } },
          },
        },
        related: [{ relationship: 'parent', type: 'customers', match: 'externalId', keys: ['P-1'], many: false }],
      },
      position: { seq: 4, where: 'input.ndjson:5' },
      raw: input,
    });
  });

  it('leaves absent fields out (Oro keeps them) and sends null as null', async () => {
    const out = valueOf(await mapOne(mapping, { id: 'k', name: null, groupId: null, address: null }));
    expect(out.resource).to.deep.equal({
      type: 'customers',
      attributes: { name: null, externalId: 'k' },
      relationships: { group: { data: null } },
    });
    expect(out).to.not.have.property('changedAt');
  });

  it('omits attributes and relationships entirely when nothing was mapped into them', async () => {
    const out = valueOf(await mapOne({ type: 'customers', key: { source: 'id', oro: 'externalId' } }, { id: 1 }));
    expect(out.resource).to.deep.equal({ type: 'customers' });
  });

  it('treats an empty relationship id as no relationship and arrays as to-many', async () => {
    const m: Mapping<Row> = {
      type: 'products',
      key: { source: 'sku', oro: 'sku' },
      relationships: { category: { type: 'categories', source: 'cat' }, tags: { type: 'tags', source: 'tags' } },
    };
    const out = valueOf(await mapOne(m, { sku: 'S', cat: '', tags: [1, 'two'] }));
    expect(out.resource.relationships).to.deep.equal({
      category: { data: null },
      tags: { data: [{ type: 'tags', id: '1' }, { type: 'tags', id: 'two' }] },
    });
  });

  it('rejects values JSON cannot carry and relationship ids that are not ids', async () => {
    expect(detailOf(await mapOne(mapping, { id: 1, name: NaN }))).to.equal(
      'record "1" at input.ndjson:5: attribute "name" <- "name" is not a JSON value (NaN)',
    );
    expect(detailOf(await mapOne(mapping, { id: 1, groupId: { x: 1 } }))).to.match(
      /^record "1" at input\.ndjson:5: relationship "group" <- "groupId" expected an id/,
    );
  });

  it('sends a Date as its ISO string', async () => {
    const out = valueOf(await mapOne(mapping, { id: 1, name: new Date(0) }));
    expect(out.resource.attributes).to.deep.include({ name: '1970-01-01T00:00:00.000Z' });
  });

  it('rejects a missing, empty or non-scalar key, naming the position and pointing at the key', async () => {
    const missing = await mapOne(mapping, { name: 'x' });
    expect(missing).to.deep.equal(
      rejected(rec({ name: 'x' }, 4), [
        { title: 'invalid record', detail: 'record at input.ndjson:5: key "id" is missing', pointer: '/id' },
      ]),
    );
    expect(detailOf(await mapOne(mapping, { id: ' ' }))).to.equal('record at input.ndjson:5: key "id" is empty (" ")');
    expect(detailOf(await mapOne(mapping, { id: null }))).to.equal('record at input.ndjson:5: key "id" is null');
    expect(detailOf(await mapOne(mapping, { id: [1] }))).to.equal(
      'record at input.ndjson:5: key "id" must be a string or a number, got [1]',
    );
  });

  it('uses a transform instead of the declarative mapping, with or without included resources', async () => {
    const m: Mapping<Row> = {
      ...mapping,
      transform: (v) => ({ type: 'customers', attributes: { name: String(v.name).toUpperCase() } }),
    };
    expect(valueOf(await mapOne(m, { id: 1, name: 'acme', groupId: 3 })).resource).to.deep.equal({
      type: 'customers',
      attributes: { name: 'ACME' },
    });
    const withIncluded: Mapping<Row> = {
      ...mapping,
      transform: () => ({ resource: { type: 'customers' }, included: [{ type: 'customergroups', id: 'g1' }] }),
    };
    const out = valueOf(await mapOne(withIncluded, { id: 1 }));
    expect(out.included).to.deep.equal([{ type: 'customergroups', id: 'g1' }]);
    expect(out.resource).to.deep.equal({ type: 'customers' });
  });

  it('rejects a record whose transform throws or returns no type, naming the record', async () => {
    const throwing: Mapping<Row> = { ...mapping, transform: () => { throw new Error('no name'); } };
    const out = await mapOne(throwing, { id: 9 });
    expect(out).to.deep.include({ status: 'rejected' });
    expect((out as Rejected).errors).to.deep.equal([
      { title: 'transform failed', detail: 'record "9" at input.ndjson:5: transform threw: no name' },
    ]);
    const typeless: Mapping<Row> = { ...mapping, transform: () => ({ attributes: {} }) as never };
    expect(detailOf(await mapOne(typeless, { id: 9 }))).to.equal(
      'record "9" at input.ndjson:5: transform returned no resource object with a "type" (got {"attributes":{}})',
    );
    const badIncluded: Mapping<Row> = { ...mapping, transform: () => ({ resource: { type: 'x' }, included: [{}] }) as never };
    expect(detailOf(await mapOne(badIncluded, { id: 9 }))).to.match(/"included" that is not an array/);
  });

  it('takes changedAt from the watermark: strings as they are, epoch ms as ISO, junk rejected', async () => {
    expect(valueOf(await mapOne(mapping, { id: 1, updatedAt: 0 })).changedAt).to.equal('1970-01-01T00:00:00.000Z');
    expect(valueOf(await mapOne(mapping, { id: 1, updatedAt: '2024-01-01' })).changedAt).to.equal('2024-01-01');
    expect(detailOf(await mapOne(mapping, { id: 1, updatedAt: true }))).to.match(/watermark "updatedAt" expected a time/);
    expect(detailOf(await mapOne(mapping, { id: 1, updatedAt: 1e20 }))).to.match(/got 100000000000000000000$/);
  });

  it('passes outcomes through untouched, one step out per step in', async () => {
    const outcome = rejected(rec('bad', 1), [{ title: 'invalid record' }]);
    const steps: Step<Row>[] = [rec({ id: 1 }, 0), outcome, rec({}, 2) as SourceRecord<Row>];
    const out = await mapAll(mapping, steps);
    expect(out).to.have.length(3);
    expect(out[1]).to.equal(outcome);
    expect(out[2]).to.have.property('status', 'rejected');
  });

  it('refuses a mapping without a type or key at construction', () => {
    expect(() => mapRecords({ ...mapping, type: '' })).to.throw(RangeError);
    expect(() => mapRecords({ ...mapping, key: { source: '', oro: 'externalId' } })).to.throw(RangeError);
  });
});
