import { expect } from 'chai';
import { HttpError } from '../../src/errors/http-error.js';
import { NetworkError } from '../../src/errors/network-error.js';
import { retryAsync } from '../../src/util/retry-async.js';
import { backoffDelay, type RetryInfo, type RetryPolicy } from '../../src/util/retry-policy.js';
import { VirtualClock } from '../helpers/virtual-time.js';

const URL = 'http://127.0.0.1/x';
const unavailable = () => new HttpError('GET', URL, 503, []);

/** An attempt that fails with `errors` in turn, then resolves `'ok'`. */
function failing(...errors: unknown[]): { attempt: (retry: number) => Promise<string>; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    attempt: (retry) => {
      calls.push(retry);
      const error = errors.shift();
      return error === undefined ? Promise.resolve('ok') : Promise.reject(error);
    },
  };
}

describe('util/retryAsync', () => {
  it('waits backoffDelay of the policy before each retry, on the policy\'s scheduler', async () => {
    const clock = new VirtualClock();
    const random = () => 0.5;
    const policy: RetryPolicy = { retries: 3, baseMs: 100, random, scheduler: clock };
    const errors = [unavailable(), new NetworkError('GET', URL, new Error('reset')), unavailable()];
    const { attempt, calls } = failing(...errors);
    expect(await clock.run(retryAsync(attempt, policy))).to.equal('ok');
    expect(calls).to.deep.equal([0, 1, 2, 3]);
    expect(clock.delays).to.deep.equal(errors.map((error, n) => backoffDelay(n, error, policy)));
    expect(clock.delays).to.deep.equal([50, 100, 200]);
    expect(clock.now()).to.equal(350);
  });

  it('honours a Retry-After through the policy\'s maxRetryAfterMs', async () => {
    const clock = new VirtualClock();
    const { attempt } = failing(new HttpError('GET', URL, 429, [], 90_000));
    await clock.run(retryAsync(attempt, { scheduler: clock, maxRetryAfterMs: 20_000 }));
    expect(clock.delays).to.deep.equal([20_000]);
  });

  it('throws the last error once the retries are spent, and tells onRetry before each wait', async () => {
    const clock = new VirtualClock();
    const last = unavailable();
    const { attempt, calls } = failing(unavailable(), unavailable(), last);
    const seen: RetryInfo[] = [];
    const error = await clock.run(retryAsync(attempt, { retries: 2, baseMs: 10, jitter: 'none', scheduler: clock, onRetry: (i) => seen.push(i) }).catch((e: unknown) => e));
    expect(error).to.equal(last);
    expect(calls).to.deep.equal([0, 1, 2]);
    expect(seen.map(({ attempt: n, delayMs }) => [n, delayMs])).to.deep.equal([[1, 10], [2, 20]]);
  });

  it('throws an error the policy does not retry at once (default: only transient ones)', async () => {
    const clock = new VirtualClock();
    const bug = new TypeError('bug');
    const { attempt, calls } = failing(bug);
    expect(await retryAsync(attempt, { scheduler: clock }).catch((e: unknown) => e)).to.equal(bug);
    expect(calls).to.deep.equal([0]);
    const custom = failing(bug);
    expect(await clock.run(retryAsync(custom.attempt, { scheduler: clock, isRetryable: () => true }))).to.equal('ok');
  });

  it('stops when the signal aborts: during a wait with its reason, after a failure with that error', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const { attempt, calls } = failing(unavailable(), unavailable());
    const running = retryAsync(attempt, { baseMs: 1_000, scheduler: clock }, { signal: controller.signal }).catch((e: unknown) => e);
    await clock.advance(0);
    const reason = new Error('stopped');
    controller.abort(reason);
    expect(await running).to.equal(reason);
    expect(calls).to.deep.equal([0]);
    expect(clock.pending).to.equal(0);

    const first = unavailable();
    const after = failing(first);
    expect(await retryAsync(after.attempt, { scheduler: clock }, { signal: controller.signal }).catch((e: unknown) => e)).to.equal(first);
  });

  it('rejects a negative or fractional retries before any attempt', async () => {
    const { attempt, calls } = failing();
    const error = await retryAsync(attempt, { retries: 1.5 }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RangeError).with.property('message', 'retryAsync: retries must be a non-negative integer, got 1.5');
    expect(calls).to.deep.equal([]);
  });
});
