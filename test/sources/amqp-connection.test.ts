import { expect } from 'chai';
import type { ChannelModel } from 'amqplib';
import { connectWithBackoff, DEFAULT_AMQP_RETRY, redactAmqpUrl, withBackoff } from '../../src/sources/amqp-connection.js';
import { backoffDelay, type RetryInfo } from '../../src/util/retry-policy.js';
import { VirtualClock } from '../helpers/virtual-time.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5672'), { code: 'ECONNREFUSED' });

describe('amqp connection backoff', () => {
  it('waits backoffDelay of its policy: by default 9 attempts, 250 ms doubling to 8 s, about 30 s in all', async () => {
    const clock = new VirtualClock();
    const error = await clock.run(connectWithBackoff('amqp://u:p@h', { connect: () => Promise.reject(refused()), scheduler: clock }).then(() => undefined, (e: unknown) => e as Error));
    expect(clock.delays).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, refused(), DEFAULT_AMQP_RETRY)));
    expect(clock.delays).to.deep.equal([250, 500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(clock.now()).to.equal(31_750);
    expect(error?.message).to.equal('RabbitMQ at amqp://u:***@h unreachable after 9 attempt(s) (31.8 s): connect ECONNREFUSED 127.0.0.1:5672');
  });

  it('retries until a connection succeeds, with the given policy on the given scheduler', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const model = {} as ChannelModel;
    const seen: RetryInfo[] = [];
    const result = await clock.run(connectWithBackoff('amqp://u:p@h', {
      connect: () => (++calls < 3 ? Promise.reject(refused()) : Promise.resolve(model)),
      retry: { baseMs: 10, scheduler: clock, onRetry: (info) => seen.push(info) },
    }));
    expect(result).to.equal(model);
    expect(clock.delays).to.deep.equal([10, 20]);
    expect(seen.map(({ attempt, delayMs }) => [attempt, delayMs])).to.deep.equal([[1, 10], [2, 20]]);
  });

  it('gives up after the last attempt with one line naming the broker, password hidden', async () => {
    const clock = new VirtualClock();
    const error = await clock.run(connectWithBackoff('amqp://guest:s3cret@rabbit:5672/v', {
      retry: { retries: 1, baseMs: 1500 },
      scheduler: clock,
      connect: () => Promise.reject(refused()),
    }).then(() => undefined, (e: unknown) => e as Error));
    expect(error?.message).to.equal('RabbitMQ at amqp://guest:***@rabbit:5672/v unreachable after 2 attempt(s) (1.5 s): connect ECONNREFUSED 127.0.0.1:5672');
  });

  it('a permanent error (refused login) is thrown at once, without waiting', async () => {
    const clock = new VirtualClock();
    const denied = new Error('Handshake terminated by server: 403 (ACCESS-REFUSED)');
    const error = await withBackoff('amqp://h', () => Promise.reject(denied), { permanent: (e) => e === denied, scheduler: clock })
      .then(() => undefined, (e: unknown) => e);
    expect(error).to.equal(denied);
    expect(clock.delays).to.deep.equal([]);
  });

  it('an abort during a wait stops at once with the broker line, leaving no timer', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const failing = withBackoff('amqp://h', () => Promise.reject(refused()), { scheduler: clock, signal: controller.signal })
      .then(() => undefined, (e: unknown) => e as Error);
    await clock.advance(0);
    expect(clock.pending).to.equal(1);
    controller.abort();
    expect((await failing)?.message).to.equal('RabbitMQ at amqp://h unreachable after 1 attempt(s) (0.3 s): connect ECONNREFUSED 127.0.0.1:5672');
    expect(clock.pending).to.equal(0);
  });

  it('redacts only the password', () => {
    expect(redactAmqpUrl('amqps://user:pw@host:5671/vh')).to.equal('amqps://user:***@host:5671/vh');
    expect(redactAmqpUrl('amqp://host')).to.equal('amqp://host');
  });
});
