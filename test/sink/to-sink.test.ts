import { expect } from 'chai';
import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { createMemoryDigestStore, type DigestStore, type DigestUpdate } from '../../src/sink/digest-store.js';
import { toSink, type ToSinkOptions } from '../../src/sink/to-sink.js';
import type { Deliver, Delivery, DeliveryResult } from '../../src/types/delivery.js';
import type { Outcome, Step } from '../../src/types/outcome.js';
import type { SourceRecord } from '../../src/types/record.js';

const order = (id: string, attributes: Record<string, unknown> = {}) => ({
  data: { type: 'orders', id, attributes: { identifier: `SO-${id}`, updatedAt: '2026-01-01T10:00:00Z', ...attributes } },
  included: [],
});

const records = (values: readonly unknown[]): SourceRecord[] => values.map((value, seq) => ({ value, position: { seq, where: `orders.ndjson:${seq + 1}` } }));

/** A sink that keeps what it was given and answers with `answer` per delivery. */
function recordingSink(answer: (delivery: Delivery) => DeliveryResult = () => ({ status: 'sent' })) {
  const delivered: Delivery[] = [];
  const deliver: Deliver = (batch) => {
    delivered.push(...batch);
    return Promise.resolve(batch.map(answer));
  };
  return { delivered, deliver };
}

const run = (steps: readonly Step<unknown>[], options: ToSinkOptions) =>
  lastValueFrom(from(steps).pipe(toSink({ batch: { size: 3, ms: 0 }, ...options }), toArray()));

describe('sink/toSink', () => {
  it('delivers each record and says sent, with what was delivered', async () => {
    const sink = recordingSink();
    const outcomes = await run(records([order('1'), order('2')]), { deliver: sink.deliver });
    expect(outcomes.map((o) => o.status)).to.deep.equal(['sent', 'sent']);
    expect(outcomes[0]).to.deep.include({ delivered: order('1') });
    expect(sink.delivered.map((d) => d.key)).to.deep.equal(['orders/1', 'orders/2']);
  });

  it('does not send again what the sink confirmed for the same type/id, updatedAt aside (a write-back\'s echo)', async () => {
    const digests = createMemoryDigestStore();
    const first = recordingSink();
    await run(records([order('1'), order('2'), order('3')]), { deliver: first.deliver, digests });
    const second = recordingSink();
    const outcomes = await run(records([order('1', { updatedAt: '2026-01-02T00:00:00Z' }), order('2', { poNumber: 'P-2' }), order('3')]), { deliver: second.deliver, digests });
    expect(outcomes.map((o) => o.status)).to.deep.equal(['unchanged', 'sent', 'unchanged']);
    expect(second.delivered.map((d) => d.key)).to.deep.equal(['orders/2']);
  });

  it('compares what is delivered: a transform that leaves a change out makes it no change', async () => {
    const digests = createMemoryDigestStore();
    const transform = (doc: unknown) => ({ number: (doc as ReturnType<typeof order>).data.attributes.identifier });
    await run(records([order('1')]), { deliver: recordingSink().deliver, digests, transform });
    const outcomes = await run(records([order('1', { externalId: 'ERP-1' })]), { deliver: recordingSink().deliver, digests, transform });
    expect(outcomes.map((o) => o.status)).to.deep.equal(['unchanged']);
  });

  it('skips what the transform maps to null and rejects what is no document; neither reaches the sink', async () => {
    const sink = recordingSink();
    const outcomes = await run(records([order('1'), { orderNumber: 'x' }, order('3')]), {
      deliver: sink.deliver,
      transform: (doc) => ((doc as ReturnType<typeof order>).data.id === '3' ? null : doc),
    });
    expect(outcomes.map((o) => o.status)).to.deep.equal(['sent', 'rejected', 'skipped']);
    expect(sink.delivered.map((d) => d.key)).to.deep.equal(['orders/1']);
  });

  it('passes the sink\'s refusals and failures on, keeping a failed key\'s digest from counting', async () => {
    const digests = createMemoryDigestStore();
    await run(records([order('1'), order('2')]), { deliver: recordingSink().deliver, digests });
    const refusing = recordingSink((d) => (d.key === 'orders/1'
      ? { status: 'rejected', errors: [{ status: '400', title: 'POST /orders answered 400', detail: 'no customer' }] }
      : { status: 'failed', errors: [{ title: 'network error' }] }));
    const changed = await run(records([order('1', { poNumber: 'x' }), order('2', { poNumber: 'y' })]), { deliver: refusing.deliver, digests });
    expect(changed.map((o) => o.status)).to.deep.equal(['rejected', 'failed']);
    expect(changed[0]).to.deep.include({ errors: [{ status: '400', title: 'POST /orders answered 400', detail: 'no customer' }] });
    // Back to the content the sink confirmed before: the failed one may not have arrived, so it goes again.
    const again = recordingSink();
    const back = await run(records([order('1'), order('2')]), { deliver: again.deliver, digests });
    expect(back.map((o) => o.status)).to.deep.equal(['sent', 'sent']);
  });

  it('refuses again, without delivering it, what the sink refused with the same content; a change is delivered', async () => {
    const digests = createMemoryDigestStore();
    const refused = { status: 'rejected', errors: [{ status: '400', title: 'POST /orders answered 400' }] } as const;
    await run(records([order('1')]), { deliver: recordingSink(() => refused).deliver, digests });
    const again = recordingSink();
    const [same] = await run(records([order('1', { updatedAt: '2026-02-02T00:00:00Z' })]), { deliver: again.deliver, digests });
    expect(same).to.deep.include({ status: 'rejected', errors: refused.errors });
    expect(same).to.have.property('rejectedBefore').that.is.a('string');
    expect(again.delivered).to.have.length(0);
    const [fixed] = await run(records([order('1', { poNumber: 'fixed' })]), { deliver: again.deliver, digests });
    expect(fixed).to.have.property('status', 'sent');
  });

  it('stores a digest only once the sink confirmed, and emits the outcome only after it is stored', async () => {
    const events: string[] = [];
    const memory = createMemoryDigestStore();
    let storeDigests!: () => void;
    const digests: DigestStore = {
      get: (keys) => memory.get(keys),
      put: async (updates: Iterable<DigestUpdate>) => {
        events.push(`put ${[...updates].map((u) => `${u.key}=${u.lastOutcome}`).join(',')}`);
        await new Promise<void>((resolve) => (storeDigests = resolve));
        await memory.put(updates);
      },
    };
    let confirm!: () => void;
    const deliver: Deliver = (batch) => {
      events.push(`deliver ${batch.map((d) => d.key).join(',')}`);
      return new Promise((resolve) => (confirm = () => resolve(batch.map(() => ({ status: 'sent' })))));
    };
    const outcomes: Outcome[] = [];
    const done = new Promise<void>((resolve) => from(records([order('1')])).pipe(toSink({ deliver, digests, batch: { size: 1, ms: 0 } })).subscribe({ next: (o) => outcomes.push(o), complete: resolve }));
    await until(() => events.length === 1);
    expect(events).to.deep.equal(['deliver orders/1']);
    confirm();
    await until(() => events.length === 2);
    expect(events[1]).to.equal('put orders/1=confirmed');
    expect(outcomes).to.have.length(0);
    storeDigests();
    await done;
    expect(outcomes.map((o) => o.status)).to.deep.equal(['sent']);
  });

  it('in a dry run delivers and stores nothing, and says unchanged where a run would', async () => {
    const digests = createMemoryDigestStore();
    await run(records([order('1')]), { deliver: recordingSink().deliver, digests });
    const sink = recordingSink();
    const outcomes = await run(records([order('1'), order('2')]), { deliver: sink.deliver, digests, dryRun: true });
    expect(outcomes.map((o) => [o.status, o.dryRun])).to.deep.equal([['unchanged', undefined], ['sent', true]]);
    expect(sink.delivered).to.have.length(0);
    expect((await digests.get(['orders/2'])).size).to.equal(0);
  });

  it('passes outcomes decided upstream through, in their place', async () => {
    const [a, b] = records([order('1'), 'bad line']);
    const decided: Outcome = { status: 'rejected', record: b!, errors: [{ title: 'not JSON' }] };
    const outcomes = await run([a!, decided], { deliver: recordingSink().deliver });
    expect(outcomes).to.have.length(2);
    expect(outcomes[1]).to.equal(decided);
  });

  it('stops with the sink\'s error when the sink itself is gone (no outcome is made up)', async () => {
    const deliver: Deliver = () => Promise.reject(new Error('sink.path /full/disk: cannot append (ENOSPC)'));
    let error: unknown;
    await run(records([order('1')]), { deliver }).catch((e: unknown) => (error = e));
    expect(String(error)).to.contain('ENOSPC');
  });

  it('yields exactly one outcome per record whatever the records, answers and stored digests (property)', async () => {
    const value = fc.oneof(
      fc.record({ id: fc.integer({ min: 1, max: 8 }).map(String), po: fc.constantFrom('a', 'b') }).map(({ id, po }) => order(id, { poNumber: po })),
      fc.constant({ not: 'a document' }),
      fc.constant(null),
    );
    const answer = fc.constantFrom<DeliveryResult['status']>('sent', 'rejected', 'failed');
    await fc.assert(
      fc.asyncProperty(fc.array(value, { maxLength: 30 }), fc.array(answer, { minLength: 1, maxLength: 7 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), async (values, answers, size, concurrency) => {
        const digests = createMemoryDigestStore();
        let n = 0;
        const answerOf = (): DeliveryResult => {
          const status = answers[n++ % answers.length] as DeliveryResult['status'];
          return status === 'sent' ? { status } : { status, errors: [{ title: status }] };
        };
        for (let round = 0; round < 2; round++) {
          const input = records(values);
          const outcomes = await lastValueFrom(from(input).pipe(toSink({ deliver: recordingSink(answerOf).deliver, digests, batch: { size, ms: 0 }, concurrency, transform: (doc) => ((doc as { data?: { id?: string } })?.data?.id === '8' ? null : doc) }), toArray()));
          expect(outcomes).to.have.length(input.length);
          expect(outcomes.map((o) => input.indexOf(o.record)).sort((a, b) => a - b)).to.deep.equal(input.map((_, i) => i));
        }
      }),
      { numRuns: 60 },
    );
  });
});

async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !predicate(); i++) await new Promise<void>((resolve) => setImmediate(resolve));
  if (!predicate()) throw new Error('condition not reached');
}
