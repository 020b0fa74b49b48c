import { expect } from 'chai';
import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { batchRecords } from '../../src/operators/batch.js';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
}

describe('operators/batchRecords', () => {
  it('emits as soon as `size` items are held', () => {
    const ts = scheduler();
    ts.run(({ hot, expectObservable }) => {
      const source = hot('-a-b-c-d-e-|');
      expectObservable(source.pipe(batchRecords({ size: 2, ms: 100, scheduler: ts }))).toBe('---x---y---(z|)', {
        x: ['a', 'b'],
        y: ['c', 'd'],
        z: ['e'],
      });
    });
  });

  it('emits `ms` after the first item of each batch, not on a fixed interval', () => {
    const ts = scheduler();
    ts.run(({ hot, expectObservable }) => {
      // a at 1 -> flush at 6 (fixed 5 ms ticks would flush at 5); c at 9 starts a new timer -> 14.
      const source = hot('-a--b----c-------|');
      expectObservable(source.pipe(batchRecords({ size: 10, ms: 5, scheduler: ts }))).toBe('------x-------y--|', {
        x: ['a', 'b'],
        y: ['c'],
      });
    });
  });

  it('cuts by size and by time, whichever comes first, as documented', () => {
    const ts = scheduler();
    ts.run(({ hot, expectObservable }) => {
      const source = hot('-a-b-c-d------e-|');
      expectObservable(source.pipe(batchRecords({ size: 3, ms: 5, scheduler: ts }))).toBe('-----x------y---(z|)', {
        x: ['a', 'b', 'c'],
        y: ['d'],
        z: ['e'],
      });
    });
  });

  it('never emits an empty batch while the source is quiet', () => {
    const ts = scheduler();
    ts.run(({ hot, expectObservable }) => {
      const source = hot('-a--------------------|');
      expectObservable(source.pipe(batchRecords({ size: 10, ms: 3, scheduler: ts }))).toBe('----x-----------------|', {
        x: ['a'],
      });
    });
  });

  it('flushes what it holds when the source completes', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b|').pipe(batchRecords({ size: 10, ms: 100, scheduler: ts }))).toBe('----(x|)', {
        x: ['a', 'b'],
      });
      expectObservable(cold('--|').pipe(batchRecords({ size: 10, ms: 100, scheduler: ts }))).toBe('--|');
    });
  });

  it('emits the items it holds before forwarding an error', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const failure = new Error('source broke');
      expectObservable(cold('-a-b-#', undefined, failure).pipe(batchRecords({ size: 10, ms: 100, scheduler: ts }))).toBe(
        '-----(x#)',
        { x: ['a', 'b'] },
        failure,
      );
    });
  });

  it('cuts by size only when ms <= 0', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-c-------|').pipe(batchRecords({ size: 2, ms: 0, scheduler: ts }))).toBe('---x---------(y|)', {
        x: ['a', 'b'],
        y: ['c'],
      });
    });
  });

  it('cancels its timer when unsubscribed', () => {
    const ts = scheduler();
    const source = new Subject<string>();
    const subscription = source.pipe(batchRecords({ size: 10, ms: 5, scheduler: ts })).subscribe();
    source.next('a');
    expect(ts.actions.filter((a) => !a.closed)).to.have.length(1);
    subscription.unsubscribe();
    expect(ts.actions.filter((a) => !a.closed)).to.have.length(0);
  });

  it('refuses options that would batch without bound or make no sense', () => {
    expect(() => batchRecords({ size: 0, ms: 10 })).to.throw(RangeError);
    expect(() => batchRecords({ size: 1.5, ms: 10 })).to.throw(RangeError);
    expect(() => batchRecords({ size: 10, ms: NaN })).to.throw(RangeError);
    expect(() => batchRecords({ size: Infinity, ms: 0 })).to.throw(RangeError);
    expect(() => batchRecords({ size: Infinity, ms: 10 })).to.not.throw();
  });
});
