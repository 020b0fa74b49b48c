import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import type { ConfirmChannel, Options } from 'amqplib';
import { Subject, type Subscription } from 'rxjs';
import { toQueue, type Publication } from '../../src/queue/to-queue.js';
import type { SourceRecord } from '../../src/types/record.js';

/** A confirm channel whose write buffer and confirms the test controls. */
class FakeChannel extends EventEmitter {
  readonly published: Array<{ queue: string; body: string; options: Options.Publish | undefined; confirm: (error: unknown) => void }> = [];
  /** `publish` returns false once this many messages are buffered (until `drain()`). */
  bufferLimit = Infinity;
  private buffered = 0;
  publish(_exchange: string, queue: string, content: Buffer, options: Options.Publish | undefined, confirm: (error: unknown) => void): boolean {
    this.published.push({ queue, body: content.toString(), options, confirm });
    this.buffered += 1;
    return this.buffered < this.bufferLimit;
  }
  drain(): void {
    this.buffered = 0;
    this.emit('drain');
  }
}

const rec = (i: number, value: unknown = { i }): SourceRecord => ({ value, position: { seq: i, where: `in.ndjson:${i + 1}` } });

function setup(channel: FakeChannel) {
  const input = new Subject<SourceRecord>();
  const out: Publication[] = [];
  const state: { done: boolean; error?: Error } = { done: false };
  const subscription: Subscription = input.pipe(toQueue({ channel: channel as unknown as ConfirmChannel, queue: 'q' })).subscribe({
    next: (p) => out.push(p),
    error: (e: unknown) => (state.error = e as Error),
    complete: () => (state.done = true),
  });
  return { input, out, state, subscription };
}

describe('toQueue', () => {
  it('publishes persistent application/json messages and emits one confirmation per record, when confirmed', () => {
    const channel = new FakeChannel();
    const { input, out, state } = setup(channel);
    input.next(rec(0));
    input.next(rec(1));
    input.complete();
    expect(channel.published.map((p) => [p.queue, p.body])).to.deep.equal([['q', '{"i":0}'], ['q', '{"i":1}']]);
    expect(channel.published[0]!.options).to.deep.include({ persistent: true, contentType: 'application/json' });
    expect(out).to.have.length(0); // nothing is claimed before the broker confirms
    channel.published[1]!.confirm(null);
    expect(out.map((p) => [p.status, p.record.position.seq])).to.deep.equal([['confirmed', 1]]);
    expect(state.done).to.equal(false); // one still unconfirmed
    channel.published[0]!.confirm(null);
    expect(out).to.have.length(2);
    expect(state.done).to.equal(true);
  });

  it('respects the write buffer: holds records while publish() says full, resumes on drain', () => {
    const channel = new FakeChannel();
    channel.bufferLimit = 2;
    const { input } = setup(channel);
    for (let i = 0; i < 5; i += 1) input.next(rec(i));
    expect(channel.published).to.have.length(2);
    channel.drain();
    expect(channel.published).to.have.length(4);
    channel.drain();
    expect(channel.published.map((p) => p.body)).to.deep.equal(['{"i":0}', '{"i":1}', '{"i":2}', '{"i":3}', '{"i":4}']);
  });

  it('a broker nack or an unserialisable record is an unconfirmed publication, not an error', () => {
    const channel = new FakeChannel();
    const { input, out, state } = setup(channel);
    input.next(rec(0));
    input.next(rec(1, 10n));
    channel.published[0]!.confirm(new Error('message nacked'));
    expect(out.map((p) => p.status)).to.deep.equal(['unconfirmed', 'unconfirmed']);
    expect(out.map((p) => (p.status === 'unconfirmed' ? p.reason : ''))).to.satisfy((reasons: string[]) =>
      reasons.some((r) => r.startsWith('not serialisable')) && reasons.includes('nacked by the broker'),
    );
    expect(state.error).to.equal(undefined);
  });

  it('a closed channel is an error of the stream (unconfirmed messages cannot be claimed)', () => {
    const channel = new FakeChannel();
    const { input, state } = setup(channel);
    input.next(rec(0));
    channel.emit('close');
    expect(state.error?.message).to.equal('publishing to queue "q": the channel closed (1 message(s) unconfirmed)');
  });

  it('unsubscribing removes its listeners from the channel', () => {
    const channel = new FakeChannel();
    const { subscription } = setup(channel);
    expect(channel.listenerCount('drain')).to.equal(1);
    subscription.unsubscribe();
    expect(channel.listenerCount('drain') + channel.listenerCount('close')).to.equal(0);
  });
});
