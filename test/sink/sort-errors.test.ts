import { expect } from 'chai';
import { errorsOf } from '../../src/errors/errors-of.js';
import { HttpError } from '../../src/errors/http-error.js';
import type { OroClient } from '../../src/oro/types.js';
import { isStale, sortByErrors, stalenessOf } from '../../src/sink/sort-errors.js';
import type { BatchItem } from '../../src/sink/batch-document.js';
import { createSinkContext, type SinkContext } from '../../src/sink/context.js';
import type { Decision, Pending } from '../../src/sink/decide.js';
import { createMemoryIdCache } from '../../src/sink/id-cache.js';
import type { SinkTarget } from '../../src/sink/options.js';
import { attributeErrors } from '../../src/sink/pointers.js';
import { apiError, at, statusOf, type ApiError } from '../../src/testing/json-api.js';

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

describe('sink/sort-errors: sortByErrors', () => {
  const client = {} as OroClient;
  const target: SinkTarget = { type: 'customers', mode: 'batch-sync', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' };

  function record(key: string, decision: Decision, cached: readonly string[] = []): BatchItem {
    const pending: Pending = {
      index: 0,
      record: { value: {}, position: { seq: 0, where: `#${key}` } },
      mapped: { key, resource: { type: 'customers', attributes: { name: key } } },
    };
    return { pending: { ...pending, resolvedFrom: { pending, cached } }, decision };
  }

  /** A sink context whose id cache knows `ids` (key -> Oro id), to see what sorting forgets. */
  async function contextKnowing(ids: Record<string, string>) {
    const cache = createMemoryIdCache();
    await cache.put(Object.entries(ids));
    return { ctx: createSinkContext({ client, target, ids: cache }), cache };
  }

  /** What a sync batch refused with `errors` becomes on the way to the sorter: Oro's answer, as the transport reads it. */
  function refusal(errors: readonly ApiError[]): HttpError {
    return new HttpError('PATCH', 'http://127.0.0.1/admin/api/customers', statusOf(errors), errorsOf(JSON.stringify({ errors })));
  }

  function sortRefusal(ctx: SinkContext, sent: readonly BatchItem[], error: HttpError) {
    return sortByErrors(ctx, sent, attributeErrors(error.errors, []).byItem);
  }

  const blank = apiError(400, 'not blank constraint', 'This value should not be blank.', at('/data/1/attributes/name'));

  it('leaves records named by no error unnamed, in the order sent', async () => {
    const { ctx } = await contextKnowing({});
    const sent = [record('A', { action: 'create' }), record('B', { action: 'create' }), record('C', { action: 'create' })];
    const sorted = sortRefusal(ctx, sent, refusal([blank]));
    expect(sorted.unnamed).to.deep.equal([sent[0], sent[2]]);
    expect(sorted.stale).to.deep.equal([]);
    expect(sorted.rejected).to.deep.equal([{ status: 'rejected', record: sent[1]?.pending.record, errors: errorsOf(JSON.stringify({ errors: [blank] })) }]);
  });

  it('rejects a record named by several errors once, with all of them in Oro\'s order', async () => {
    const { ctx } = await contextKnowing({});
    const sent = [record('A', { action: 'create' }), record('B', { action: 'create' })];
    const email = apiError(400, 'email constraint', 'This value is not a valid email address.', at('/data/1/attributes/email'));
    const sorted = sortRefusal(ctx, sent, refusal([blank, email]));
    expect(sorted.rejected).to.have.length(1);
    expect(sorted.rejected[0]?.status === 'rejected' && sorted.rejected[0].errors.map((e) => e.title)).to.deep.equal(['not blank constraint', 'email constraint']);
    expect(sorted.unnamed).to.deep.equal([sent[0]]);
  });

  it('rejects the record that carried an included item an error points at', async () => {
    const { ctx } = await contextKnowing({});
    const sent = [record('A', { action: 'create' }), record('B', { action: 'create' })];
    const street = { status: 400, title: 'not blank constraint', pointer: '/included/0/attributes/street' };
    const sorted = sortByErrors(ctx, sent, attributeErrors([street], [1]).byItem);
    expect(sorted.unnamed).to.deep.equal([sent[0]]);
    expect(sorted.rejected).to.deep.equal([{ status: 'rejected', record: sent[1]?.pending.record, errors: [street] }]);
  });

  it('names no record for an error about an index past the records sent', async () => {
    const { ctx } = await contextKnowing({});
    const sent = [record('A', { action: 'create' })];
    const sorted = sortByErrors(ctx, sent, attributeErrors([{ status: 400, title: 'x', pointer: '/data/5/attributes/name' }], []).byItem);
    expect(sorted).to.deep.equal({ unnamed: sent, stale: [], rejected: [] });
  });

  // Oro answers a set of errors with one HTTP status (docs/oro-api.md §4): the one status when all
  // agree, else 400, and 409 when any is a 409. Each record is sorted by its own errors' statuses.
  it('all errors 404 (answer 404): every record whose own id is gone is looked up again, none rejected, nothing forgotten yet', async () => {
    const { ctx, cache } = await contextKnowing({ A: '7', B: '8' });
    const sent = [record('A', { action: 'update', id: '7' }), record('B', { action: 'update', id: '8' })];
    const error = refusal([
      apiError(404, 'not found http exception', 'The entity does not exist.', at('/data/0/id')),
      apiError(404, 'not found http exception', 'The entity does not exist.', at('/data/1/id')),
    ]);
    expect(error.status).to.equal(404);
    const sorted = sortRefusal(ctx, sent, error);
    expect(sorted.stale.map((s) => s.item)).to.deep.equal(sent);
    expect(sorted.stale.map((s) => s.staleness.own)).to.deep.equal([true, true]);
    expect(sorted.rejected).to.deep.equal([]);
    expect(sorted.unnamed).to.deep.equal([]);
    // Forgetting is the new look's job (relook), not the sorter's.
    expect([...(await cache.get(['A', 'B'])).keys()]).to.deep.equal(['A', 'B']);
  });

  it('404 and 400 mixed (answer 400): the stale record is looked up again, the invalid one rejected', async () => {
    const { ctx } = await contextKnowing({ A: '7' });
    const sent = [record('A', { action: 'update', id: '7' }), record('B', { action: 'create' })];
    const error = refusal([apiError(404, 'not found http exception', 'The entity does not exist.', at('/data/0/id')), blank]);
    expect(error.status).to.equal(400);
    const sorted = sortRefusal(ctx, sent, error);
    expect(sorted.stale.map((s) => s.item)).to.deep.equal([sent[0]]);
    expect(sorted.rejected.map((o) => o.record)).to.deep.equal([sent[1]?.pending.record]);
  });

  it('any 409 (answer 409): the conflicting record is rejected with its 409, the stale one still looked up again', async () => {
    const { ctx } = await contextKnowing({ A: '7' });
    const sent = [record('A', { action: 'update', id: '7' }), record('B', { action: 'create' }), record('C', { action: 'create' })];
    const conflict = apiError(409, 'conflict constraint', 'The entity already exists.', at('/data/1'));
    const blankC = apiError(400, 'not blank constraint', 'This value should not be blank.', at('/data/2/attributes/name'));
    const error = refusal([apiError(404, 'not found http exception', 'The entity does not exist.', at('/data/0/id')), conflict, blankC]);
    expect(error.status).to.equal(409);
    const sorted = sortRefusal(ctx, sent, error);
    expect(sorted.stale.map((s) => s.item)).to.deep.equal([sent[0]]);
    expect(sorted.rejected.map((o) => (o.status === 'rejected' ? [o.record.position.where, o.errors.map((e) => e.status)] : []))).to.deep.equal([
      ['#B', ['409']],
      ['#C', ['400']],
    ]);
  });

  it('reads an async operation\'s integer statuses like a sync answer\'s strings', async () => {
    const { ctx } = await contextKnowing({ A: '7' });
    const sent = [record('A', { action: 'update', id: '7' })];
    const gone404 = { status: 404, title: 'not found http exception', detail: 'The entity does not exist.', pointer: '/data/0/id' };
    expect(sortByErrors(ctx, sent, attributeErrors([gone404], []).byItem).stale).to.have.length(1);
  });

  it('a stale own id beside another error: rejected with the other error only, and the gone id forgotten', async () => {
    const { ctx, cache } = await contextKnowing({ A: '7' });
    const sent = [record('A', { action: 'update', id: '7' })];
    const name = apiError(400, 'not blank constraint', 'This value should not be blank.', at('/data/0/attributes/name'));
    const sorted = sortRefusal(ctx, sent, refusal([apiError(404, 'not found http exception', 'The entity does not exist.', at('/data/0/id')), name]));
    expect(sorted.stale).to.deep.equal([]);
    expect(sorted.rejected).to.deep.equal([{ status: 'rejected', record: sent[0]?.pending.record, errors: errorsOf(JSON.stringify({ errors: [name] })) }]);
    expect((await cache.get(['A'])).size).to.equal(0);
  });

  it('a record looked up again already is rejected for a second stale id, with Oro\'s errors', async () => {
    const { ctx, cache } = await contextKnowing({ A: '7' });
    const again: BatchItem = { ...record('A', { action: 'update', id: '7' }), relooked: true };
    const gone404 = { status: '404', title: 'not found http exception', detail: 'The entity does not exist.', pointer: '/data/0/id' };
    const sorted = sortByErrors(ctx, [again], attributeErrors([gone404], []).byItem);
    expect(sorted.rejected).to.deep.equal([{ status: 'rejected', record: again.pending.record, errors: [gone404] }]);
    expect((await cache.get(['A'])).size).to.equal(0);
  });

  it('a related id from the cache that Oro says does not exist is looked up again; the record\'s own id is kept', async () => {
    const { ctx, cache } = await contextKnowing({ A: '7' });
    const sent = [record('A', { action: 'update', id: '7' }, ['group'])];
    const missing = apiError(400, 'form constraint', 'The "customergroups" entity with id "4" does not exist.', at('/data/0/relationships/group/data'));
    const sorted = sortRefusal(ctx, sent, refusal([missing]));
    expect(sorted.stale.map((s) => s.staleness)).to.deep.equal([{ own: false, relationships: ['group'], other: [] }]);
    expect((await cache.get(['A'])).get('A')).to.equal('7');
  });
});
