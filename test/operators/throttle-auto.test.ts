import { expect } from 'chai';
import { catchError, EMPTY, firstValueFrom, merge, of, take, timer, mergeMap, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { HttpError } from '../../src/errors/http-error.js';
import { TimeoutError } from '../../src/errors/timeout-error.js';
import { createLimiter, type AcquireOptions, type LimitEvent } from '../../src/oro/limiter.js';
import { throttleRequests } from '../../src/operators/throttle.js';

const URL = 'http://127.0.0.1/admin/api/customers';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
}

describe("operators/throttleRequests + createLimiter({ concurrency: 'auto' })", () => {
  it('takes the latency of each success as a sample: unloaded answers raise the limit', () => {
    const ts = scheduler();
    const events: LimitEvent[] = [];
    ts.run(() => {
      const limiter = createLimiter({ concurrency: 'auto', scheduler: ts, onLimit: (e) => events.push(e) });
      // 8 at a time, each answered after 20 ms however many run: no queueing, every slot taken.
      const requests = Array.from({ length: 40 }, () => timer(20, ts).pipe(throttleRequests(limiter, { kind: 'single' })));
      merge(...requests).subscribe();
    });
    expect(events[0]).to.deep.include({ previous: 8, limit: 16, reason: 'headroom', adaptive: true });
  });

  it('halves on a 503 and on a timeout (not on other errors); a 429 only lowers the rate', () => {
    const cases: [unknown, number][] = [
      [new HttpError('PATCH', URL, 503, []), 4],
      [new TimeoutError('PATCH', URL, 30_000), 4],
      [new HttpError('PATCH', URL, 429, []), 8],
      [new HttpError('PATCH', URL, 500, []), 8],
    ];
    for (const [error, limit] of cases) {
      const ts = scheduler();
      ts.run(() => {
        const limiter = createLimiter({ concurrency: 'auto', scheduler: ts });
        timer(5, ts).pipe(mergeMap(() => throwError(() => error)), throttleRequests(limiter), catchError(() => EMPTY)).subscribe();
        ts.schedule(() => expect(limiter.limit, String(error)).to.equal(limit), 10);
      });
    }
  });

  it('regression: a request read with firstValueFrom (unsubscribed at its answer, before it completes) still counts as a success', async () => {
    // The sink reads each request with firstValueFrom: its successes never reached the limiter,
    // so a fixed limit halved by a 503 stayed halved, and 'auto' had no latency to learn from.
    const fixed = createLimiter({ concurrency: 4 });
    fixed.backOff();
    await firstValueFrom(of('answer').pipe(throttleRequests(fixed)));
    expect(fixed.limit).to.equal(3);
    // 'auto': answers that never complete, each taken at its first value (as firstValueFrom does).
    const ts = scheduler();
    const events: LimitEvent[] = [];
    ts.run(({ cold }) => {
      const auto = createLimiter({ concurrency: 'auto', scheduler: ts, onLimit: (e) => events.push(e) });
      for (let i = 0; i < 24; i++) cold('5ms a').pipe(throttleRequests(auto), take(1)).subscribe();
    });
    expect(events.map((e) => `${e.previous}->${e.limit} ${e.reason}`)).to.deep.equal(['8->16 headroom']);
  });

  it('passes the kind and the records of a request to the limiter', () => {
    const asked: AcquireOptions[] = [];
    const limiter = createLimiter({ concurrency: 'auto' });
    const spy = { ...limiter, acquire: (options?: AcquireOptions) => (asked.push(options ?? {}), limiter.acquire(options)) };
    of(1).pipe(throttleRequests(spy, { kind: 'batch-sync', records: 37 })).subscribe();
    expect(asked).to.deep.equal([{ kind: 'batch-sync', records: 37, priority: 'normal' }]);
  });

  it("refuses impossible options: a concurrency that is neither a positive integer nor 'auto', a maxConcurrency below 1", () => {
    expect(() => createLimiter({ concurrency: 'fast' as unknown as 'auto' })).to.throw(RangeError, "concurrency must be a positive integer or 'auto', got fast");
    expect(() => createLimiter({ concurrency: 'auto', maxConcurrency: 0 })).to.throw(RangeError, 'maxConcurrency must be a positive integer, got 0');
    expect(createLimiter({ concurrency: 'auto', maxConcurrency: 4 }).limit).to.equal(4);
  });
});
