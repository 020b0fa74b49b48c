import { expect } from 'chai';
import sinon from 'sinon';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { HttpError } from '../../src/errors/http-error.js';
import { batchRecords } from '../../src/operators/batch.js';
import { mapRecords, type Mapping } from '../../src/operators/map.js';
import { createLimiter } from '../../src/oro/limiter.js';
import type { AsyncOperation, OroClient } from '../../src/oro/types.js';
import { inFlightBounds } from '../../src/run/in-flight.js';
import type { WriteMode } from '../../src/sink/options.js';
import { toOro } from '../../src/sink/to-oro.js';
import { pullThrough } from '../../src/sources/pull-through.js';
import type { Resource, ResourceObject } from '../../src/types/jsonapi.js';
import type { Outcome, SourceRecord } from '../../src/types/index.js';

interface Customer { id: string; name: string }
const mapping: Mapping<Customer> = { type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name', externalId: 'id' } };
const URL = 'http://127.0.0.1/admin/api/customers';
const LATENCY_MS = 10;
const REFUSED_MS = 10_000;

/**
 * An Oro on fake timers: every request takes 10 ms; a write holding one of the `refused` keys is
 * refused (500: not an overload signal, so no back-off of the others) until 10 s after the run started.
 */
function virtualOro(refused: ReadonlySet<string>, startedAt: number): OroClient {
  const stored = new Map<string, string>();
  const later = <T>(answer: () => T): Promise<T> => new Promise((resolve, reject) => {
    setTimeout(() => {
      try {
        resolve(answer());
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    }, LATENCY_MS);
  });
  const keyOf = (data: ResourceObject) => String(data.attributes?.['externalId']);
  const write = (data: readonly ResourceObject[]): Resource[] => {
    if (Date.now() - startedAt < REFUSED_MS && data.some((d) => refused.has(keyOf(d)))) throw new HttpError('POST', URL, 500, [{ title: 'deadlock', detail: 'one record keeps failing' }]);
    return data.map((d) => {
      const id = stored.get(keyOf(d)) ?? String(stored.size + 1);
      stored.set(keyOf(d), id);
      return { type: d.type, id };
    });
  };
  const unused = () => Promise.reject(new Error('not used by this test'));
  return {
    baseUrl: 'http://127.0.0.1/admin/api',
    list: (type, query) => later(() => {
      const keys = query?.filter?.['externalId'];
      const wanted = Array.isArray(keys) ? (keys as readonly string[]) : [];
      return { data: wanted.flatMap((key) => (stored.has(key) ? [{ type, id: stored.get(key)!, attributes: { externalId: key } }] : [])) };
    }),
    create: (document) => later(() => ({ created: true, resource: write([document.data])[0]! })),
    // As Oro does, a sync batch's answer echoes each item's sent id as meta.dataId.
    batchSync: (_type, document) => later(() => ({
      data: write(document.data).map((resource, i) => {
        const sent = document.data[i]?.id;
        return sent === undefined ? resource : { ...resource, meta: { dataId: sent } };
      }),
    })),
    batch: (_type, document) => later(() => {
      write(document.data);
      const operation: AsyncOperation = { id: '1', status: 'success', progress: 1, summary: { errorCount: 0 } };
      return { id: '1', url: `${URL}/asyncoperations/1`, get: () => later(() => operation), settle: () => later(() => operation), errors: () => later(() => []) };
    }),
    listNext: unused,
    get: unused,
    update: unused,
    delete: unused,
    options: unused,
    close: () => undefined,
  };
}

async function* customers(n: number): AsyncIterable<SourceRecord<Customer>> {
  for (let i = 0; i < n; i++) yield { value: { id: `C${i}`, name: `Customer ${i}` }, position: { seq: i, where: `#${i}` } };
}

/** Syncs 1,000 customers the way a run sizes the sink; the virtual time each outcome came at. */
async function run(clock: sinon.SinonFakeTimers, mode: WriteMode, refused: ReadonlySet<string>): Promise<Map<string, { at: number; outcome: Outcome }>> {
  const pipeline = { batchSize: 20, concurrency: 8 };
  const bounds = inFlightBounds(pipeline);
  const limiter = createLimiter({ concurrency: pipeline.concurrency });
  const startedAt = Date.now();
  const client = virtualOro(refused, startedAt);
  // Deterministic backoff: 200, 400, 800, 1600, then 2000 ms: the refused record's 9th attempt passes.
  const policy = { retries: 12, baseMs: 200, maxMs: 2000, random: () => 0.999999 };
  const seen = new Map<string, { at: number; outcome: Outcome }>();
  const outcomes = pullThrough(customers(1000), (records$) => records$.pipe(
    mapRecords(mapping),
    batchRecords({ size: pipeline.batchSize, ms: 50 }),
    toOro({
      client,
      target: { type: 'customers', mode, strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' },
      concurrency: bounds.batches,
      limiter,
      retry: policy,
      poll: { intervalMs: 10, maxIntervalMs: 10 },
    }),
  ), { maxInFlight: bounds.records });
  let done = false;
  const all = lastValueFrom(outcomes.pipe(
    tap((outcome) => seen.set(outcome.record.position.where, { at: Date.now() - startedAt, outcome })),
    toArray(),
  )).finally(() => (done = true));
  while (!done) await clock.tickAsync(LATENCY_MS);
  await all;
  return seen;
}

/** When the last record not skipped had its outcome. */
const lastOf = (seen: Map<string, { at: number }>, skip: (where: string) => boolean) =>
  Math.max(...[...seen].filter(([where]) => !skip(where)).map(([, { at }]) => at));

describe('run/inFlightBounds: no head-of-line blocking behind a record waiting out its retries', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date', 'performance'] })));
  afterEach(() => clock.restore());

  for (const mode of ['single', 'batch-sync', 'batch'] as const) {
    it(`${mode}: one record refused for 10 s while the 999 others finish at the unfaulted rate`, async function () {
      this.timeout(60_000);
      const unfaulted = lastOf(await run(clock, mode, new Set()), () => false);
      const seen = await run(clock, mode, new Set(['C0']));
      // In batch modes the records sent in the same request as C0 share its fate: the first batch.
      const inItsRequest = (where: string) => (mode === 'single' ? where === '#0' : Number(where.slice(1)) < 20);
      expect(seen.size).to.equal(1000);
      expect(lastOf(seen, inItsRequest), `others, against ${unfaulted} ms unfaulted`).to.be.at.most(unfaulted * 1.1 + 100);
      expect(seen.get('#0')!.outcome.status).to.equal('created');
      expect(seen.get('#0')!.at).to.be.at.least(REFUSED_MS);
    });

    it(`${mode}: eight records in eight batches refused for 10 s hold up nobody else`, async function () {
      this.timeout(60_000);
      const unfaulted = lastOf(await run(clock, mode, new Set()), () => false);
      const refused = new Set(Array.from({ length: 8 }, (_, i) => `C${i * 20}`));
      const seen = await run(clock, mode, refused);
      const inTheirRequests = (where: string) => (mode === 'single' ? refused.has(`C${where.slice(1)}`) : Number(where.slice(1)) < 160);
      expect(seen.size).to.equal(1000);
      expect(lastOf(seen, inTheirRequests), `others, against ${unfaulted} ms unfaulted`).to.be.at.most(unfaulted * 1.1 + 100);
      for (const key of refused) expect(seen.get(`#${key.slice(1)}`)!.outcome.status, key).to.equal('created');
    });
  }
});

describe('run/inFlightBounds: how far a run reads ahead', () => {
  it('reads 2 x concurrency + 1 batches ahead with a fixed concurrency, maxConcurrency + 1 with "auto"', () => {
    expect(inFlightBounds({ batchSize: 100, concurrency: 8 }).records).to.equal(1_700);
    // Twice as much would have a run decode 12,900 records at its start, while "auto" learns Oro's unloaded latency.
    expect(inFlightBounds({ batchSize: 100, concurrency: 'auto', maxConcurrency: 64 }).records).to.equal(6_500);
    expect(inFlightBounds({ batchSize: 100, concurrency: 'auto' }).records).to.equal(6_500);
  });
});
