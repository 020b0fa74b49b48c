import { expect } from 'chai';
import { catchError, defer, EMPTY, finalize, merge, NEVER, Observable, of, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { HttpError } from '../../src/errors/http-error.js';
import { createLimiter } from '../../src/oro/limiter.js';
import { throttleRequests } from '../../src/operators/throttle.js';
import { instantScheduler } from '../helpers/instant-scheduler.js';

const URL = 'http://127.0.0.1/admin/api/customers';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
}

/** Counts how many of the requests it wraps are subscribed at once. */
function gauge() {
  const state = { active: 0, peak: 0 };
  const track = <T>(request: Observable<T>): Observable<T> =>
    defer(() => {
      state.active += 1;
      state.peak = Math.max(state.peak, state.active);
      return request;
    }).pipe(finalize(() => (state.active -= 1)));
  return { state, track };
}

describe('operators/throttleRequests + createLimiter', () => {
  it('never has more than `concurrency` requests subscribed at once', () => {
    const ts = scheduler();
    const { state, track } = gauge();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const limiter = createLimiter({ concurrency: 2, scheduler: ts });
      const requests = [0, 1, 2, 3, 4].map(() => cold('---(a|)'));
      const all = merge(...requests.map((r) => track(r).pipe(throttleRequests(limiter))));
      expectObservable(all.pipe(toArray())).toBe('9ms (x|)', { x: ['a', 'a', 'a', 'a', 'a'] });
      expectSubscriptions(requests[0]!.subscriptions).toBe('^--!');
      expectSubscriptions(requests[1]!.subscriptions).toBe('^--!');
      expectSubscriptions(requests[2]!.subscriptions).toBe('---^--!');
      expectSubscriptions(requests[3]!.subscriptions).toBe('---^--!');
      expectSubscriptions(requests[4]!.subscriptions).toBe('------^--!');
    });
    expect(state.peak).to.equal(2);
  });

  it('spaces starts by the rate: ratePerSecond 2 starts at 0, 500, 1000, 1500 ms', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const limiter = createLimiter({ concurrency: 10, ratePerSecond: 2, scheduler: ts });
      const requests = [0, 1, 2, 3].map((i) => cold('(a|)', { a: i }));
      expectObservable(merge(...requests.map((r) => r.pipe(throttleRequests(limiter))))).toBe(
        'a 499ms b 499ms c 499ms (d|)',
        { a: 0, b: 1, c: 2, d: 3 },
      );
      expectSubscriptions(requests[3]!.subscriptions).toBe('1500ms (^!)');
    });
  });

  it('lets `burst` requests start back to back, then keeps the rate', () => {
    const ts = scheduler();
    ts.run(({ cold, expectSubscriptions, expectObservable }) => {
      const limiter = createLimiter({ concurrency: 10, ratePerSecond: 2, burst: 2, scheduler: ts });
      const requests = [0, 1, 2, 3].map(() => cold('(a|)'));
      expectObservable(merge(...requests.map((r) => r.pipe(throttleRequests(limiter)))).pipe(toArray())).toBe('1000ms (x|)', {
        x: ['a', 'a', 'a', 'a'],
      });
      expectSubscriptions(requests[0]!.subscriptions).toBe('(^!)');
      expectSubscriptions(requests[1]!.subscriptions).toBe('(^!)');
      expectSubscriptions(requests[2]!.subscriptions).toBe('500ms (^!)');
      expectSubscriptions(requests[3]!.subscriptions).toBe('1000ms (^!)');
    });
  });

  it('halves the concurrency on a 429 or 503 (not on other errors) and regains one slot per success', () => {
    for (const [status, after] of [[429, 2], [503, 2], [500, 4]] as const) {
      const ts = scheduler();
      ts.run(({ cold, expectObservable }) => {
        const limiter = createLimiter({ concurrency: 4, scheduler: ts });
        const failing = cold('--#', undefined, new HttpError('GET', URL, status, []));
        expectObservable(failing.pipe(throttleRequests(limiter), catchError(() => EMPTY))).toBe('--|');
        ts.schedule(() => {
          expect(limiter.limit, String(status)).to.equal(after);
          of(1).pipe(throttleRequests(limiter)).subscribe();
          expect(limiter.limit, `${status} then a success`).to.equal(Math.min(4, after + 1));
        }, 3);
      });
    }
  });

  it('under a back-off, starts only as many requests as the reduced limit, and the next one after a release', () => {
    const ts = scheduler();
    const { state, track } = gauge();
    ts.run(({ cold, expectSubscriptions }) => {
      const limiter = createLimiter({ concurrency: 4, scheduler: ts });
      limiter.backOff();
      limiter.backOff();
      expect(limiter.limit).to.equal(1);
      const requests = [cold('--(a|)'), cold('--(b|)'), cold('--(c|)')];
      for (const r of requests) track(r).pipe(throttleRequests(limiter)).subscribe();
      // One at a time at first; each success lets one more run at once.
      expectSubscriptions(requests[0]!.subscriptions).toBe('^-!');
      expectSubscriptions(requests[1]!.subscriptions).toBe('--^-!');
      expectSubscriptions(requests[2]!.subscriptions).toBe('--^-!');
    });
    expect(state.peak).to.equal(2);
  });

  it('never backs off below one request in flight', () => {
    const limiter = createLimiter({ concurrency: 3 });
    for (let i = 0; i < 5; i++) limiter.backOff();
    expect(limiter.limit).to.equal(1);
    for (let i = 0; i < 10; i++) limiter.recover();
    expect(limiter.limit).to.equal(3);
  });

  it('serves high-priority waiters before the others', () => {
    const ts = scheduler();
    ts.run(({ cold, expectSubscriptions }) => {
      const limiter = createLimiter({ concurrency: 1, scheduler: ts });
      const running = cold('--(a|)');
      const write1 = cold('--(w|)');
      const write2 = cold('--(w|)');
      const read = cold('-(r|)');
      running.pipe(throttleRequests(limiter)).subscribe();
      write1.pipe(throttleRequests(limiter)).subscribe();
      write2.pipe(throttleRequests(limiter)).subscribe();
      read.pipe(throttleRequests(limiter, { priority: 'high' })).subscribe();
      expectSubscriptions(read.subscriptions).toBe('--^!');
      expectSubscriptions(write1.subscriptions).toBe('---^-!');
      expectSubscriptions(write2.subscriptions).toBe('-----^-!');
    });
  });

  it('bounds two pipelines sharing one limiter together, first come first served', () => {
    const ts = scheduler();
    const { state, track } = gauge();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const limiter = createLimiter({ concurrency: 1, scheduler: ts });
      const a = [cold('--(a|)'), cold('--(a|)')];
      const b = [cold('--(b|)'), cold('--(b|)')];
      expectObservable(merge(...a.map((r) => track(r).pipe(throttleRequests(limiter)))).pipe(toArray())).toBe('4ms (x|)', {
        x: ['a', 'a'],
      });
      expectObservable(merge(...b.map((r) => track(r).pipe(throttleRequests(limiter)))).pipe(toArray())).toBe('8ms (x|)', {
        x: ['b', 'b'],
      });
      expectSubscriptions(a[0]!.subscriptions).toBe('^-!');
      expectSubscriptions(a[1]!.subscriptions).toBe('--^-!');
      expectSubscriptions(b[0]!.subscriptions).toBe('----^-!');
      expectSubscriptions(b[1]!.subscriptions).toBe('------^-!');
    });
    expect(state.peak).to.equal(1);
  });

  it('releases the slot when a running request is unsubscribed', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const limiter = createLimiter({ concurrency: 1, scheduler: ts });
      const slow = cold('-----a');
      const next = cold('(b|)');
      expectObservable(slow.pipe(throttleRequests(limiter)), '^--!').toBe('---');
      expectObservable(next.pipe(throttleRequests(limiter))).toBe('3ms (b|)');
      expectSubscriptions(slow.subscriptions).toBe('^--!');
    });
  });

  it('takes a waiter that unsubscribes out of the queue without ever starting it', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const limiter = createLimiter({ concurrency: 1, scheduler: ts });
      const running = cold('-----|');
      const impatient = cold('(a|)');
      const patient = cold('(b|)');
      expectObservable(running.pipe(throttleRequests(limiter))).toBe('-----|');
      expectObservable(impatient.pipe(throttleRequests(limiter)), '^-!').toBe('--');
      expectObservable(patient.pipe(throttleRequests(limiter))).toBe('5ms (b|)');
      expectSubscriptions(impatient.subscriptions).toBe([]);
    });
  });

  it('reports inFlight and waiting, and serves synchronous requests in order', () => {
    const limiter = createLimiter({ concurrency: 1 });
    const held = [0, 1, 2].map(() => NEVER.pipe(throttleRequests(limiter)).subscribe());
    expect([limiter.inFlight, limiter.waiting]).to.deep.equal([1, 2]);
    held[1]!.unsubscribe();
    expect([limiter.inFlight, limiter.waiting]).to.deep.equal([1, 1]);
    held[0]!.unsubscribe();
    expect([limiter.inFlight, limiter.waiting]).to.deep.equal([1, 0]);
    held[2]!.unsubscribe();
    expect([limiter.inFlight, limiter.waiting]).to.deep.equal([0, 0]);

    const seen: number[] = [];
    merge(...[1, 2, 3].map((n) => of(n).pipe(throttleRequests(limiter)))).subscribe((n) => seen.push(n));
    expect(seen).to.deep.equal([1, 2, 3]);
    expect(limiter.inFlight).to.equal(0);
  });

  it('frees the slot of a synchronous request only after its teardown', () => {
    const limiter = createLimiter({ concurrency: 1 });
    const { state, track } = gauge();
    merge(...[1, 2, 3].map((n) => track(of(n)).pipe(throttleRequests(limiter)))).subscribe();
    expect(state.peak).to.equal(1);
    expect(limiter.inFlight).to.equal(0);
  });

  it('drops its pending timer when nobody waits any more', () => {
    const ts = scheduler();
    const limiter = createLimiter({ concurrency: 1, scheduler: ts });
    limiter.slowDown(300_000);
    const waiter = limiter.acquire().subscribe();
    expect(ts.actions.filter((a) => !a.closed)).to.have.length(1);
    waiter.unsubscribe();
    expect(ts.actions.filter((a) => !a.closed)).to.have.length(0);
  });

  it('keeps going on a scheduler that runs due work at once, inside schedule() (an instant test clock)', () => {
    const limiter = createLimiter({ concurrency: 1, ratePerSecond: 1, scheduler: instantScheduler() });
    const done: number[] = [];
    for (const n of [1, 2, 3]) of(n).pipe(throttleRequests(limiter)).subscribe((v) => done.push(v));
    expect(done).to.deep.equal([1, 2, 3]);
  });

  it('refuses impossible options', () => {
    expect(() => createLimiter({ concurrency: 0 })).to.throw(RangeError);
    expect(() => createLimiter({ concurrency: 1, ratePerSecond: -1 })).to.throw(RangeError);
    expect(() => createLimiter({ concurrency: 1, burst: 0 })).to.throw(RangeError);
  });
});
