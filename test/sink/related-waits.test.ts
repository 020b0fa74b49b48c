import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { createRelatedWaits } from '../../src/sink/related-waits.js';

const testScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });

describe('sink/related-waits', () => {
  it('wakes every waiter of a key with its id when that record is written, the others at the bound', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const waits = createRelatedWaits({ timeoutMs: 1_000 });
      expectObservable(waits.wait('customers', 'externalId', 'P1')).toBe('5ms (a|)', { a: '42' });
      expectObservable(waits.wait('customers', 'externalId', 'P1')).toBe('5ms (a|)', { a: '42' });
      // Another key, and the same key of another type: not woken by these writes.
      expectObservable(waits.wait('customers', 'externalId', 'P2')).toBe('1000ms (u|)', { u: undefined });
      cold('5ms x').subscribe(() => {
        waits.written('customers', 'externalId', 'P1', '42');
        waits.written('customergroups', 'externalId', 'P2', '7');
      });
    });
  });

  it('gives up after the bound on the scheduler given, not before', () => {
    const ts = testScheduler();
    const seen: unknown[] = [];
    ts.run(() => {
      const waits = createRelatedWaits({ timeoutMs: 30_000, scheduler: ts });
      waits.wait('customers', 'externalId', 'LATER').subscribe({ next: (id) => seen.push([ts.now(), id]), complete: () => seen.push('complete') });
      ts.schedule(() => seen.push(['waiting at', ts.now(), waits.waiting]), 29_999);
    });
    expect(seen).to.deep.equal([['waiting at', 29_999, 1], [30_000, undefined], 'complete']);
  });

  it('emits inside written(), so the woken record runs before the writer goes on', () => {
    const waits = createRelatedWaits({ timeoutMs: 60_000 });
    const order: string[] = [];
    const subscription = waits.wait('customers', 'externalId', 'P').subscribe((id) => order.push(`woken ${id}`));
    waits.written('customers', 'externalId', 'P', '9');
    order.push('written returned');
    expect(order).to.deep.equal(['woken 9', 'written returned']);
    expect(subscription.closed).to.equal(true);
  });

  it('releases the newest waiter first when asked (a parent usually comes after its children)', () => {
    const waits = createRelatedWaits({ timeoutMs: 60_000 });
    const order: string[] = [];
    const subscriptions = ['old', 'new'].map((key) => waits.wait('customers', 'externalId', key).subscribe(() => order.push(key)));
    expect(waits.releaseOne()).to.equal(true);
    expect(order).to.deep.equal(['new']);
    expect(waits.releaseOne()).to.equal(true);
    expect(order).to.deep.equal(['new', 'old']);
    expect(waits.releaseOne()).to.equal(false);
    subscriptions.forEach((s) => s.unsubscribe());
  });

  it('unsubscribing leaves the wait and cancels its timer', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const waits = createRelatedWaits({ timeoutMs: 1_000, scheduler: ts });
      expectObservable(waits.wait('customers', 'externalId', 'GONE'), '^ 10ms !').toBe('');
      ts.schedule(() => {
        expect(waits.waiting).to.equal(0);
        expect(waits.releaseOne()).to.equal(false);
      }, 20);
    });
    expect(ts.actions, 'no timer left').to.have.length(0);
  });
});
