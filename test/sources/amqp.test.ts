import { expect } from 'chai';
import amqp, { type ChannelModel } from 'amqplib';
import { amqpSource, ERRORS_HEADER, type AmqpQueueSource, type AmqpSourceEvent, type AmqpSourceOptions } from '../../src/sources/amqp.js';
import { isOutcome, type Step } from '../../src/types/outcome.js';
import type { SourceRecord } from '../../src/types/record.js';
import { assertQueueTopology } from '../../src/sources/amqp-topology.js';
import { VirtualClock } from '../helpers/virtual-time.js';
import { openAdmin, RABBIT_URL, uniqueQueue, type RabbitAdmin } from '../helpers/rabbit.js';

const record = (step: Step<unknown> | undefined): SourceRecord => {
  if (step === undefined || isOutcome(step)) throw new Error(`expected a record, got ${JSON.stringify(step)}`);
  return step;
};

describe('amqpSource (RabbitMQ on 127.0.0.1:5672)', function () {
  this.timeout(15_000);
  let admin: RabbitAdmin;
  let queue: string;
  const sources: AmqpQueueSource[] = [];
  const open = (options: Partial<AmqpSourceOptions> = {}) => {
    const source = amqpSource({ url: RABBIT_URL, queue, ...options });
    sources.push(source);
    return source;
  };

  before(async () => {
    admin = await openAdmin();
  });
  after(async () => {
    await admin.close();
  });
  beforeEach(async () => {
    queue = uniqueQueue('amqp-source');
    // The topology as workers and publishers declare it, so the test can publish first.
    await assertQueueTopology(admin.channel, queue);
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.close()));
    await admin.deleteTopology(queue);
  });

  it('yields each JSON message as a record at amqp:Q#<deliveryTag>, resume null', async () => {
    await admin.publish(queue, ['{"id":"a"}', '{"id":"b"}']);
    const it = open()[Symbol.asyncIterator]();
    const first = record((await it.next()).value);
    const second = record((await it.next()).value);
    expect(first.value).to.deep.equal({ id: 'a' });
    expect(second.value).to.deep.equal({ id: 'b' });
    expect(first.position.where).to.equal(`amqp:${queue}#1`);
    expect(second.position.where).to.equal(`amqp:${queue}#2`);
    expect(first.position.resume).to.equal(null);
  });

  it('acks a message only when settled: closing before that returns it to the queue', async () => {
    await admin.publish(queue, ['{"id":"a"}']);
    const unsettled = open();
    const it = unsettled[Symbol.asyncIterator]();
    record((await it.next()).value);
    expect(unsettled.inFlight).to.equal(1);
    expect(await admin.ready(queue)).to.equal(0); // delivered, unacked
    await unsettled.close();
    expect(await admin.until(queue, (n) => n === 1)).to.equal(1);

    const settled = open();
    const again = record((await settled[Symbol.asyncIterator]().next()).value);
    expect(await settled.settle({ status: 'created', id: '1', record: again })).to.equal('acked');
    await settled.close();
    expect(await admin.ready(queue)).to.equal(0);
    expect(await admin.drain(queue)).to.have.length(0);
  });

  it('rejected: a copy with x-oro-sync-errors goes to Q.dead (confirmed), then the original is acked', async () => {
    await admin.publish(queue, ['{"id":"a","name":""}']);
    const source = open();
    const r = record((await source[Symbol.asyncIterator]().next()).value);
    const errors = [{ status: '400', title: 'not blank constraint', detail: 'This value should not be blank.', pointer: '/data/attributes/name' }];
    expect(await source.settle({ status: 'rejected', record: r, errors })).to.equal('dead-lettered');
    await source.close();
    expect(await admin.ready(queue)).to.equal(0);
    const dead = await admin.drain(`${queue}.dead`);
    expect(dead).to.have.length(1);
    expect(dead[0]!.content.toString()).to.equal('{"id":"a","name":""}');
    expect(dead[0]!.properties.deliveryMode).to.equal(2);
    expect(JSON.parse(String(dead[0]!.properties.headers?.[ERRORS_HEADER]))).to.deep.equal(errors);
  });

  it('failed: the message is requeued and delivered again', async () => {
    await admin.publish(queue, ['{"id":"a"}']);
    const source = open();
    const it = source[Symbol.asyncIterator]();
    const r = record((await it.next()).value);
    expect(await source.settle({ status: 'failed', record: r, errors: [{ title: 'network error' }] })).to.equal('requeued');
    const again = record((await it.next()).value);
    expect(again.value).to.deep.equal({ id: 'a' });
    expect(again.position.where).to.not.equal(r.position.where);
    expect(await admin.drain(`${queue}.dead`)).to.have.length(0);
  });

  it('malformed JSON: a rejected outcome step (never a crash), dead-lettered with the parse error', async () => {
    await admin.publish(queue, ['{"id": nope', '{"id":"b"}']);
    const source = open();
    const it = source[Symbol.asyncIterator]();
    const step = (await it.next()).value as Step<unknown>;
    expect(isOutcome(step)).to.equal(true);
    if (!isOutcome(step) || step.status !== 'rejected') throw new Error('expected a rejected outcome');
    expect(step.errors[0]!.title).to.equal('malformed JSON message');
    expect(step.errors[0]!.detail).to.contain(`amqp:${queue}#1`);
    expect(step.record.value).to.equal('{"id": nope');
    expect(record((await it.next()).value).value).to.deep.equal({ id: 'b' }); // the next one still comes
    expect(await source.settle(step)).to.equal('dead-lettered');
    const dead = await admin.drain(`${queue}.dead`);
    expect(dead.map((m) => m.content.toString())).to.deep.equal(['{"id": nope']);
    expect(String(dead[0]!.properties.headers?.[ERRORS_HEADER])).to.contain('malformed JSON message');
  });

  it('prefetch bounds the records in flight: the next message comes only after one is settled', async () => {
    await admin.publish(queue, Array.from({ length: 10 }, (_, i) => JSON.stringify({ i })));
    const source = open({ prefetch: 3 });
    const it = source[Symbol.asyncIterator]();
    const pulled = [record((await it.next()).value), record((await it.next()).value), record((await it.next()).value)];
    // The broker holds the other 7 back while 3 are unacked.
    expect(await admin.until(queue, (n) => n === 7)).to.equal(7);
    let fourth: SourceRecord | undefined;
    const pending = it.next().then((r) => (fourth = record(r.value)));
    await admin.ready(queue); // a broker round trip: a 4th delivery would have had its chance
    expect(fourth).to.equal(undefined);
    expect(await admin.ready(queue)).to.equal(7);
    source.ack(pulled[0]!);
    await pending;
    expect(fourth!.value).to.deep.equal({ i: 3 });
    expect(await admin.until(queue, (n) => n === 6)).to.equal(6);
  });

  it('ends after idleExitMs of quiet, but not while a record is in flight', async () => {
    await admin.publish(queue, ['{"id":"a"}']);
    const clock = new VirtualClock();
    const source = open({ idleExitMs: 1500, scheduler: clock });
    const it = source[Symbol.asyncIterator]();
    const r = record((await it.next()).value);
    expect(clock.pending).to.equal(0); // in flight: not idle
    source.ack(r);
    expect(clock.pending).to.equal(1);
    const end = it.next();
    let ended = false;
    void end.then(() => (ended = true));
    await clock.advance(1499);
    expect(ended).to.equal(false);
    await clock.advance(1);
    expect((await end).done).to.equal(true);
  });

  it('an aborted signal stops consuming; unpulled messages go back to the queue', async () => {
    await admin.publish(queue, ['{"id":"a"}', '{"id":"b"}']);
    const controller = new AbortController();
    const source = open({ signal: controller.signal, prefetch: 2 });
    const it = source[Symbol.asyncIterator]();
    const r = record((await it.next()).value);
    controller.abort();
    expect((await it.next()).done).to.equal(true);
    expect(source.ack(r)).to.equal('acked'); // in-flight work still settles
    await source.close();
    expect(await admin.until(queue, (n) => n === 1)).to.equal(1);
  });

  it('connection lost: in-flight settles are skipped (stale), the broker redelivers, the source reconnects', async () => {
    await admin.publish(queue, ['{"id":"a"}']);
    const connections: ChannelModel[] = [];
    const events: string[] = [];
    const source = open({
      connect: async (url) => {
        const c = await amqp.connect(url);
        connections.push(c);
        return c;
      },
      onEvent: (e) => events.push(e.type),
    });
    const it = source[Symbol.asyncIterator]();
    const r = record((await it.next()).value);
    const next = it.next();
    await connections[0]!.close(); // as if the broker went away
    expect(source.ack(r)).to.equal('stale');
    const again = record((await next).value);
    expect(again.value).to.deep.equal({ id: 'a' });
    expect(again.position.where).to.equal(`amqp:${queue}#1@2`);
    expect(source.ack(again)).to.equal('acked');
    expect(events).to.include.members(['connected', 'lost']);
  });

  it('an unreachable broker: open() fails after the backoff, naming the URL without the password', async () => {
    const clock = new VirtualClock();
    const events: AmqpSourceEvent[] = [];
    const source = amqpSource({
      url: 'amqp://guest:hunter2@127.0.0.1:1',
      queue,
      retry: { retries: 2, baseMs: 100 },
      scheduler: clock,
      onEvent: (e) => events.push(e),
    });
    const error = await clock.run(source.open().then(() => undefined, (e: unknown) => e as Error));
    expect(error?.message).to.match(/^RabbitMQ at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1 unreachable after 3 attempt\(s\)/);
    expect(error?.message).to.not.contain('hunter2');
    expect(clock.delays).to.deep.equal([100, 200]);
    expect(events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && [e.attempt, e.delayMs])).to.deep.equal([[1, 100], [2, 200]]);
    await source.close();
  });
});
