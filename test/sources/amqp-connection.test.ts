import { expect } from 'chai';
import type { ChannelModel } from 'amqplib';
import { backoffDelays, connectWithBackoff, redactAmqpUrl, withBackoff } from '../../src/sources/amqp-connection.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5672'), { code: 'ECONNREFUSED' });

describe('amqp connection backoff', () => {
  it('waits base, 2·base, 4·base … capped, about 30 s in all by default', () => {
    expect(backoffDelays({ attempts: 5, baseMs: 100, maxMs: 500 })).to.deep.equal([100, 200, 400, 500]);
    const total = backoffDelays().reduce((a, b) => a + b, 0);
    expect(total).to.be.within(25_000, 35_000);
  });

  it('retries until a connection succeeds (virtual time: the waits are recorded, not slept)', async () => {
    const waits: number[] = [];
    let calls = 0;
    const model = {} as ChannelModel;
    const result = await connectWithBackoff('amqp://u:p@h', {
      connect: () => (++calls < 3 ? Promise.reject(refused()) : Promise.resolve(model)),
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
      baseMs: 10,
    });
    expect(result).to.equal(model);
    expect(waits).to.deep.equal([10, 20]);
  });

  it('gives up after the last attempt with one line naming the broker, password hidden', async () => {
    const error = await connectWithBackoff('amqp://guest:s3cret@rabbit:5672/v', {
      attempts: 2,
      baseMs: 1500,
      connect: () => Promise.reject(refused()),
      sleep: () => Promise.resolve(),
    }).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.equal('RabbitMQ at amqp://guest:***@rabbit:5672/v unreachable after 2 attempt(s) (1.5 s): connect ECONNREFUSED 127.0.0.1:5672');
  });

  it('a permanent error (refused login) is thrown at once, without waiting', async () => {
    const waits: number[] = [];
    const denied = new Error('Handshake terminated by server: 403 (ACCESS-REFUSED)');
    const error = await withBackoff('amqp://h', () => Promise.reject(denied), {
      permanent: (e) => e === denied,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    }).then(() => undefined, (e: unknown) => e);
    expect(error).to.equal(denied);
    expect(waits).to.deep.equal([]);
  });

  it('redacts only the password', () => {
    expect(redactAmqpUrl('amqps://user:pw@host:5671/vh')).to.equal('amqps://user:***@host:5671/vh');
    expect(redactAmqpUrl('amqp://host')).to.equal('amqp://host');
  });
});
