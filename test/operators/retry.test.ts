import { expect } from 'chai';
import sinon from 'sinon';
import { defer, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { HttpError } from '../../src/errors/http-error.js';
import { NetworkError } from '../../src/errors/network-error.js';
import { createLimiter } from '../../src/oro/limiter.js';
import { retryTransient } from '../../src/operators/retry.js';
import { backoffDelay } from '../../src/util/retry-policy.js';
import { throttleRequests } from '../../src/operators/throttle.js';

const URL = 'http://127.0.0.1/admin/api/customers';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
}

/** A seeded random source: the same seed gives the same sequence (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random source that returns the given values in turn. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

const unavailable = (n = 0) => new HttpError('POST', `${URL}?attempt=${n}`, 503, []);

describe('operators/retryTransient', () => {
  it('backs off exponentially with full jitter, exactly as the seeded random says', () => {
    const random = seeded(42);
    const replay = seeded(42);
    const delays = [0, 1, 2].map((attempt) => replay() * 100 * 2 ** attempt);
    const ts = scheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = unavailable();
      const source = cold('#', undefined, error);
      const at = [0, delays[0]!, delays[0]! + delays[1]!, delays[0]! + delays[1]! + delays[2]!];
      expectObservable(source.pipe(retryTransient({ retries: 3, baseMs: 100, random, scheduler: ts }))).toBe(
        `${at[3]}ms #`,
        undefined,
        error,
      );
      expectSubscriptions(source.subscriptions).toBe(at.map((t) => `${t}ms (^!)`));
    });
  });

  it('waits 50, 50, 300 ms for draws 0.5, 0.25, 0.75 with baseMs 100', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, unavailable());
      const result = source.pipe(retryTransient({ retries: 3, baseMs: 100, random: sequence(0.5, 0.25, 0.75), scheduler: ts }));
      expectObservable(result).toBe('404ms #', undefined, unavailable());
      expectSubscriptions(source.subscriptions).toBe(['^!', '51ms ^!', '102ms ^!', '403ms ^!']);
    });
  });

  it('caps the computed delay at maxMs', () => {
    const policy = { baseMs: 100, maxMs: 250, random: () => 0.5 };
    const e = unavailable();
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n, e, policy))).to.deep.equal([50, 100, 125, 125, 125]);
    const ts = scheduler();
    ts.run(({ cold, expectSubscriptions }) => {
      const source = cold('#', undefined, e);
      source.pipe(retryTransient({ ...policy, retries: 4, scheduler: ts })).subscribe({ error: () => undefined });
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '50ms (^!)', '150ms (^!)', '275ms (^!)', '400ms (^!)']);
    });
  });

  it('lets a server Retry-After win over the backoff, even beyond maxMs, capped at maxRetryAfterMs', () => {
    const policy = { baseMs: 100, maxMs: 1000, random: () => 0.5 };
    expect(backoffDelay(0, new HttpError('POST', URL, 429, [], 5000), policy)).to.equal(5000);
    expect(backoffDelay(5, new HttpError('POST', URL, 429, [], 10), policy)).to.equal(10);
    expect(backoffDelay(0, new HttpError('POST', URL, 503, [], 3_600_000), policy)).to.equal(300_000);
    expect(backoffDelay(0, new HttpError('POST', URL, 503, [], 3_600_000), { ...policy, maxRetryAfterMs: 60_000 })).to.equal(60_000);

    const ts = scheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('#', undefined, new HttpError('POST', URL, 429, [], 5000));
      expectObservable(source.pipe(retryTransient({ ...policy, retries: 1, scheduler: ts }))).toBe(
        '5000ms #',
        undefined,
        new HttpError('POST', URL, 429, [], 5000),
      );
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '5000ms (^!)']);
    });
  });

  it('does not retry permanent errors (400) or a 401, which the client handles', () => {
    for (const status of [400, 401, 422]) {
      const ts = scheduler();
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const error = new HttpError('POST', URL, status, []);
        const source = cold('-#', undefined, error);
        expectObservable(source.pipe(retryTransient({ scheduler: ts }))).toBe('-#', undefined, error);
        expectSubscriptions(source.subscriptions).toBe('^!');
      });
    }
  });

  it('gives up after `retries` retries and rethrows the last error', () => {
    const ts = scheduler();
    let attempts = 0;
    let caught: unknown;
    ts.run(() => {
      defer(() => throwError(() => unavailable(attempts++)))
        .pipe(retryTransient({ retries: 2, random: () => 0, scheduler: ts }))
        .subscribe({ error: (e: unknown) => (caught = e) });
    });
    expect(attempts).to.equal(3);
    expect(caught).to.be.instanceOf(HttpError);
    expect((caught as HttpError).url).to.equal(`${URL}?attempt=2`);
  });

  it('tells onRetry the attempt, the delay and the error before each retry', () => {
    const onRetry = sinon.spy();
    const errors = [new NetworkError('POST', URL, new Error('ECONNRESET')), new HttpError('POST', URL, 429, [], 700)];
    let n = 0;
    const ts = scheduler();
    ts.run(() => {
      defer(() => throwError(() => errors[n++] ?? unavailable()))
        .pipe(retryTransient({ retries: 2, baseMs: 100, random: () => 0.5, onRetry, scheduler: ts }))
        .subscribe({ error: () => undefined });
    });
    expect(onRetry.args.map(([info]) => info)).to.deep.equal([
      { attempt: 1, delayMs: 50, error: errors[0] },
      { attempt: 2, delayMs: 700, error: errors[1] },
    ]);
  });

  it('uses isRetryable when given, and retries: 0 turns retrying off', () => {
    const ts = scheduler();
    ts.run(({ cold, expectSubscriptions }) => {
      const plain = cold('#', undefined, new Error('flaky'));
      plain.pipe(retryTransient({ retries: 1, isRetryable: () => true, random: () => 0, scheduler: ts })).subscribe({ error: () => undefined });
      expectSubscriptions(plain.subscriptions).toBe(['(^!)', '(^!)']);
      const once = cold('#', undefined, unavailable());
      once.pipe(retryTransient({ retries: 0, scheduler: ts })).subscribe({ error: () => undefined });
      expectSubscriptions(once.subscriptions).toBe('(^!)');
    });
    expect(() => retryTransient({ retries: -1 })).to.throw(RangeError);
  });

  it('sends every retry through the limiter again when placed after throttleRequests', () => {
    const ts = scheduler();
    ts.run(({ cold, expectSubscriptions }) => {
      const limiter = createLimiter({ concurrency: 1, ratePerSecond: 1, scheduler: ts });
      const source = cold('#', undefined, unavailable());
      source
        .pipe(throttleRequests(limiter), retryTransient({ retries: 2, baseMs: 10, random: () => 0.5, scheduler: ts }))
        .subscribe({ error: () => undefined });
      // Backoff alone would retry at 5 and 15 ms; the rate of 1/s holds each attempt to the next second.
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '1000ms (^!)', '2000ms (^!)']);
    });
  });
});
