import { expect } from 'chai';
import { isStale, stalenessOf } from '../../src/sink/sort-errors.js';
import type { BatchItem } from '../../src/sink/batch-document.js';
import type { Decision, Pending } from '../../src/sink/decide.js';

const original: Pending = {
  index: 0,
  record: { value: {}, position: { seq: 0, where: '#0' } },
  mapped: { key: 'C1', resource: { type: 'customers', attributes: { name: 'x' } } },
};
const filled: Pending = { ...original, resolvedFrom: { pending: original, cached: ['group'] } };
const item = (decision: Decision, pending: Pending = filled): BatchItem => ({ pending, decision });
const update: Decision = { action: 'update', id: '7' };
const gone = { status: '404', title: 'not found http exception', detail: 'The entity does not exist.' };

describe('sink/sort-errors', () => {
  it('an update answered 404 at /data/N/id, /data/N or (single request) without pointer has a stale own id', () => {
    for (const pointer of ['/data/3/id', '/data/3', undefined]) {
      const staleness = stalenessOf(item(update), [{ ...gone, ...(pointer ? { pointer } : {}) }]);
      expect(staleness, String(pointer)).to.deep.equal({ own: true, relationships: [], other: [] });
      expect(isStale(item(update), staleness)).to.equal(true);
    }
  });

  it('a 404 on a create, or a 404 at an attribute, is not a stale id', () => {
    expect(stalenessOf(item({ action: 'create' }), [{ ...gone, pointer: '/data/3/id' }]).own).to.equal(false);
    expect(stalenessOf(item(update), [{ ...gone, pointer: '/data/3/attributes/name' }]).own).to.equal(false);
  });

  it('"does not exist" at a relationship whose id came from the cache is stale; one resolved by a read is not', () => {
    const error = { status: '400', title: 'form constraint', detail: 'The "customergroups" entity with id "4" does not exist.', pointer: '/data/2/relationships/group/data' };
    expect(stalenessOf(item(update), [error]).relationships).to.deep.equal(['group']);
    expect(stalenessOf(item(update), [{ ...error, pointer: '/data/relationships/group/data' }]).relationships).to.deep.equal(['group']);
    const read: Pending = { ...original, resolvedFrom: { pending: original, cached: [] } };
    expect(stalenessOf(item(update, read), [error])).to.deep.include({ relationships: [], other: [error] });
  });

  it('a record with another error besides, or looked up again already, is not sent again', () => {
    const blank = { status: '400', title: 'not blank constraint', pointer: '/data/3/attributes/name' };
    const staleness = stalenessOf(item(update), [{ ...gone, pointer: '/data/3/id' }, blank]);
    expect(staleness.other).to.deep.equal([blank]);
    expect(isStale(item(update), staleness)).to.equal(false);
    const again: BatchItem = { ...item(update), relooked: true };
    expect(isStale(again, stalenessOf(again, [{ ...gone, pointer: '/data/3/id' }]))).to.equal(false);
  });
});
