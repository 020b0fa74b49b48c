import { expect } from 'chai';
import { catchError, defer, EMPTY, merge, Observable, type ObservableInput } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { HttpError } from '../../src/errors/http-error.js';
import { createLimiter, type LimiterOptions, type PauseInfo } from '../../src/oro/limiter.js';
import { retryTransient } from '../../src/operators/retry.js';
import { throttleRequests } from '../../src/operators/throttle.js';
import { parseRetryAfter } from '../../src/util/retry-after.js';

const URL = 'http://127.0.0.1/admin/api/customers';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
}

const refused = (status: number, retryAfterMs?: number) => new HttpError('PATCH', URL, status, [], retryAfterMs);

/**
 * A request whose attempts are the given cold observables in turn (the last one repeats), each
 * attempt's start time written to `starts` under `name`.
 */
function attempts(ts: TestScheduler, starts: Map<string, number[]>, name: string, ...tries: (() => ObservableInput<string>)[]): Observable<string> {
  let n = 0;
  return defer(() => {
    starts.set(name, [...(starts.get(name) ?? []), ts.now()]);
    return tries[Math.min(n++, tries.length - 1)]!();
  });
}

describe('operators/throttleRequests: a pause for everyone on Retry-After', () => {
  it('after a 429 with Retry-After: 2, no request of any pipeline on the limiter starts before the moment, except those in flight', () => {
    const ts = scheduler();
    const starts = new Map<string, number[]>();
    const ends = new Map<string, number>();
    ts.run(({ cold }) => {
      const limiter = createLimiter({ concurrency: 8, scheduler: ts });
      const retry = retryTransient<string>({ retries: 3, scheduler: ts });
      const run = (name: string, request: Observable<string>, at: number) =>
        ts.schedule(() => request.pipe(throttleRequests(limiter), retry).subscribe({ complete: () => ends.set(name, ts.now()) }), at);
      // Pipeline A: one write refused at 10 ms (Retry-After: 2 s), one in flight from 5 ms to 300 ms.
      run('refused', attempts(ts, starts, 'refused', () => cold('10ms #', undefined, refused(429, 2000)), () => cold('5ms (a|)')), 0);
      run('in flight', attempts(ts, starts, 'in flight', () => cold('295ms (a|)')), 5);
      // Pipeline B on the same limiter asks during the pause.
      run('b1', attempts(ts, starts, 'b1', () => cold('5ms (b|)')), 20);
      run('b2', attempts(ts, starts, 'b2', () => cold('5ms (b|)')), 1500);
      run('b3', attempts(ts, starts, 'b3', () => cold('5ms (b|)')), 2500);
    });
    expect(Object.fromEntries(starts)).to.deep.equal({
      refused: [0, 2010],
      'in flight': [5],
      b1: [2010],
      b2: [2010],
      b3: [2500],
    });
    expect(ends.get('in flight')).to.equal(300); // not cut short by the pause
  });

  it('pauses on 503 with Retry-After as on 429, and not on other statuses that carry one', () => {
    for (const [status, expected] of [[503, 1010], [500, 10], [429, 1010]] as const) {
      const ts = scheduler();
      let started = -1;
      ts.run(({ cold }) => {
        const limiter = createLimiter({ concurrency: 8, scheduler: ts });
        cold('10ms #', undefined, refused(status, 1000)).pipe(throttleRequests(limiter), catchError(() => EMPTY)).subscribe();
        ts.schedule(() => defer(() => ((started = ts.now()), cold('(a|)'))).pipe(throttleRequests(limiter)).subscribe(), 10);
      });
      expect(started, String(status)).to.equal(expected);
    }
  });

  it('reads the HTTP-date form of Retry-After the same way', () => {
    const ts = scheduler();
    let started = -1;
    ts.run(({ cold }) => {
      const limiter = createLimiter({ concurrency: 8, scheduler: ts });
      // As the transport builds it: the header parsed against the clock at the answer (10 ms).
      const header = new Date(2000).toUTCString(); // Thu, 01 Jan 1970 00:00:02 GMT
      const error = refused(429, parseRetryAfter(header, 10));
      cold('10ms #', undefined, error).pipe(throttleRequests(limiter), catchError(() => EMPTY)).subscribe();
      ts.schedule(() => defer(() => ((started = ts.now()), cold('(a|)'))).pipe(throttleRequests(limiter)).subscribe(), 10);
    });
    expect(started).to.equal(2000);
  });

  it('caps the pause at maxPauseMs (default five minutes)', () => {
    for (const [options, expected] of [[{ maxPauseMs: 5000 }, 5010], [{}, 300_010]] as const) {
      const ts = scheduler();
      let started = -1;
      ts.run(({ cold }) => {
        const limiter = createLimiter({ concurrency: 8, scheduler: ts, ...(options as Partial<LimiterOptions>) });
        cold('10ms #', undefined, refused(429, 3_600_000)).pipe(throttleRequests(limiter), catchError(() => EMPTY)).subscribe();
        ts.schedule(() => defer(() => ((started = ts.now()), cold('(a|)'))).pipe(throttleRequests(limiter)).subscribe(), 10);
      });
      expect(started, JSON.stringify(options)).to.equal(expected);
    }
  });

  it('a 429 without Retry-After pauses nobody: it halves the concurrency and lowers the learned rate', () => {
    const ts = scheduler();
    let started = -1;
    ts.run(({ cold }) => {
      const limiter = createLimiter({ concurrency: 8, scheduler: ts });
      cold('10ms #', undefined, refused(429)).pipe(throttleRequests(limiter), catchError(() => EMPTY)).subscribe();
      ts.schedule(() => {
        expect(limiter.limit).to.equal(4);
        expect(limiter.learnedRate).to.equal(1); // nothing had passed: the floor, 1/s
        defer(() => ((started = ts.now()), cold('(a|)'))).pipe(throttleRequests(limiter)).subscribe();
      }, 10);
    });
    expect(started).to.equal(10);
  });

  it('after a 503\'s pause, starts only as many requests as AIMD allows and ramps back one per success', () => {
    const ts = scheduler();
    const starts = new Map<string, number[]>();
    ts.run(({ cold }) => {
      const limiter = createLimiter({ concurrency: 4, scheduler: ts });
      cold('10ms #', undefined, refused(503, 1000)).pipe(throttleRequests(limiter), catchError(() => EMPTY)).subscribe();
      ts.schedule(() => {
        expect(limiter.limit).to.equal(2);
        expect(limiter.learnedRate).to.equal(Infinity); // a 503 is overload, not a rate limit
        merge(...['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map((name) =>
          attempts(ts, starts, name, () => cold('10ms (a|)')).pipe(throttleRequests(limiter)))).subscribe();
      }, 20);
      ts.schedule(() => expect(limiter.limit).to.equal(4), 1100);
    });
    // Two at the end of the pause (not four); their two successes give both slots back (2 -> 4).
    expect(Object.fromEntries(starts)).to.deep.equal({
      r1: [1010], r2: [1010], r3: [1020], r4: [1020], r5: [1020], r6: [1020],
    });
  });

  it('after a 429\'s pause, the requests queued during it start spread at the rate that passed before (90 % of it, grown since), not all at once, and the rate ramps back', () => {
    const ts = scheduler();
    const starts: number[] = [];
    let learned = 0;
    ts.run(({ cold }) => {
      const limiter = createLimiter({ concurrency: 8, scheduler: ts });
      const request = () => defer(() => (starts.push(ts.now()), cold('1ms (a|)'))).pipe(throttleRequests(limiter));
      // 50 requests pass at 50/s (100..1080 ms), then one is refused: 429, Retry-After: 1 s.
      for (let k = 0; k < 50; k++) ts.schedule(() => request().subscribe(), 100 + 20 * k);
      ts.schedule(() => cold('5ms #', undefined, refused(429, 1000)).pipe(throttleRequests(limiter), catchError(() => EMPTY)).subscribe(), 1090);
      // Ten more queue during the pause (to 2095 ms).
      ts.schedule(() => {
        learned = limiter.learnedRate;
        starts.length = 0;
        for (let k = 0; k < 10; k++) request().subscribe();
      }, 1500);
    });
    expect(learned).to.be.closeTo(45, 1e-9); // 0.9 x the 50 that passed in the second before
    expect(starts[0]).to.equal(2095);
    const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
    // ~1000 / 47 = 21.3 ms apart, 45/s grown by 2/s a second over the pause (before this, four
    // started together at 2095, the concurrency AIMD's limit).
    for (const gap of gaps) expect(gap).to.be.within(20.9, 21.4);
    // The rate grows with time: the gaps shrink.
    expect(gaps.at(-1)).to.be.below(gaps[0]!);
  });

  it('with ratePerSecond set, the learned rate binds only below it', () => {
    const ts = scheduler();
    const starts: number[] = [];
    ts.run(({ cold }) => {
      const limiter = createLimiter({ concurrency: 8, ratePerSecond: 20, scheduler: ts });
      const request = () => defer(() => (starts.push(ts.now()), cold('1ms (a|)'))).pipe(throttleRequests(limiter));
      // 20 pass at the configured 20/s (0..950 ms); one more starts at 1000 ms and is refused 429
      // (no Retry-After) at 1001: 18 passed in the window (100..1099 ms), so 16.2/s is learned.
      for (let k = 0; k < 20; k++) request().subscribe();
      ts.schedule(() => {
        cold('1ms #', undefined, refused(429)).pipe(throttleRequests(limiter), catchError(() => EMPTY)).subscribe();
      }, 990);
      ts.schedule(() => {
        starts.length = 0;
        for (let k = 0; k < 5; k++) request().subscribe();
      }, 2000);
    });
    const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
    expect(gaps).to.have.length(4);
    for (const gap of gaps) expect(gap).to.be.within(53, 56); // ~1000 / 18.2 (16.2 grown by 2/s a second), not the configured 50 ms
  });

  it('a 429\'s learned rate is lifted once requests pass at twice it, so an unlimited run is unlimited again', () => {
    const ts = scheduler();
    let afterRamp = 0;
    ts.run(({ cold }) => {
      const limiter = createLimiter({ concurrency: 8, scheduler: ts });
      for (let k = 0; k < 10; k++) ts.schedule(() => cold('1ms (a|)').pipe(throttleRequests(limiter)).subscribe(), 100 * k);
      ts.schedule(() => cold('1ms #', undefined, refused(429)).pipe(throttleRequests(limiter), catchError(() => EMPTY)).subscribe(), 950);
      ts.schedule(() => {
        expect(limiter.learnedRate).to.be.closeTo(9, 1e-9); // 0.9 x 10/s
        // Requests asked for all at once pass at the learned rate, which grows with each.
        for (let k = 0; k < 400; k++) cold('1ms (a|)').pipe(throttleRequests(limiter)).subscribe();
      }, 1000);
      ts.schedule(() => (afterRamp = limiter.learnedRate), 60_000);
    });
    expect(afterRamp).to.equal(Infinity);
  });

  it('tells onPause once per pause, however many in-flight requests are refused together, and what each added', () => {
    const ts = scheduler();
    const pauses: (PauseInfo & { at: number })[] = [];
    ts.run(({ cold }) => {
      const limiter = createLimiter({ concurrency: 8, scheduler: ts, onPause: (p) => pauses.push({ ...p, at: ts.now() }) });
      const swallow = catchError(() => EMPTY);
      // Three requests in flight are refused at 10, 11 and 12 ms: one pause, to 2010 then 2012 ms.
      for (const frame of ['10ms #', '11ms #', '12ms #']) cold(frame, undefined, refused(429, 2000)).pipe(throttleRequests(limiter), swallow).subscribe();
      // After it, a new refusal is a new pause.
      ts.schedule(() => cold('5ms #', undefined, refused(503, 1000)).pipe(throttleRequests(limiter), swallow).subscribe(), 2100);
    });
    expect(pauses).to.deep.equal([
      { at: 10, ms: 2000, addedMs: 2000, extended: false },
      { at: 11, ms: 2000, addedMs: 1, extended: true },
      { at: 12, ms: 2000, addedMs: 1, extended: true },
      { at: 2105, ms: 1000, addedMs: 1000, extended: false },
    ]);
  });
});
