import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import type { ConfirmChannel, Options } from 'amqplib';
import { queueSink } from '../../src/queue/queue-sink.js';
import type { Delivery } from '../../src/types/delivery.js';

/** A confirm channel that confirms or nacks as the test says, when it says. */
class FakeChannel extends EventEmitter {
  readonly published: Array<{ queue: string; body: string; options: Options.Publish | undefined; confirm: (error: unknown) => void }> = [];
  publish(_exchange: string, queue: string, content: Buffer, options: Options.Publish | undefined, confirm: (error: unknown) => void): boolean {
    this.published.push({ queue, body: content.toString(), options, confirm });
    return true;
  }
}

const delivery = (id: string): Delivery => {
  const content = { orderNumber: `SO-${id}` };
  return { record: { value: {}, position: { seq: Number(id), where: `orders page 1 #${id}` } }, key: `orders/${id}`, content, text: JSON.stringify(content), digest: id };
};

describe('queue/queueSink', () => {
  it('publishes each record persistently and says sent only once the broker confirmed it', async () => {
    const channel = new FakeChannel();
    let settled = false;
    const results = queueSink({ channel: channel as unknown as ConfirmChannel, queue: 'orders' })([delivery('1'), delivery('2')]).then((r) => {
      settled = true;
      return r;
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(channel.published.map((p) => [p.queue, p.body])).to.deep.equal([['orders', '{"orderNumber":"SO-1"}'], ['orders', '{"orderNumber":"SO-2"}']]);
    expect(channel.published[0]!.options).to.deep.include({ persistent: true, contentType: 'application/json', headers: { 'x-oro-sync-where': 'orders page 1 #1' } });
    channel.published[1]!.confirm(null);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(settled).to.equal(false);
    channel.published[0]!.confirm(new Error('message nacked'));
    expect(await results).to.deep.equal([
      { status: 'failed', errors: [{ title: 'not published', detail: 'queue "orders": nacked by the broker' }] },
      { status: 'sent' },
    ]);
  });

  it('rejects when the channel closes: the run cannot go on', async () => {
    const channel = new FakeChannel();
    const results = queueSink({ channel: channel as unknown as ConfirmChannel, queue: 'orders' })([delivery('1')]);
    await new Promise<void>((resolve) => setImmediate(resolve));
    channel.emit('close');
    let error: unknown;
    await results.catch((e: unknown) => (error = e));
    expect(String(error)).to.contain('publishing to queue "orders": the channel closed');
  });
});
