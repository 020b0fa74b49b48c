import { expect } from 'chai';
import { HttpError } from '../../src/errors/http-error.js';
import { OroSourceError } from '../../src/errors/oro-source-error.js';
import { refusalOf } from '../../src/sources/oro-refusal.js';
import { createLimiter } from '../../src/oro/limiter.js';
import type { OroClient } from '../../src/oro/types.js';
import { oroSource, type OroDocument, type OroSourceOptions } from '../../src/sources/oro.js';
import type { Json } from '../../src/types/jsonapi.js';
import type { SourceRecord } from '../../src/types/record.js';
import { counting } from '../helpers/counting-limiter.js';
import { instantScheduler } from '../helpers/instant-scheduler.js';
import { startHarness, type OroHarness } from '../helpers/oro-harness.js';

const START = Date.parse('2026-01-05T12:00:00Z');
const iso = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** The fake's clock: moved by the tests (and by every page request, through `between`). */
const clock = { now: START };

async function drain(source: AsyncIterable<SourceRecord>, stopAfter = Infinity): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const record of source) {
    out.push(record);
    if (out.length >= stopAfter) break;
  }
  return out;
}

const docOf = (record: SourceRecord): OroDocument => record.value as OroDocument;
const versionOf = (record: SourceRecord): string => `${docOf(record).data.id}@${String(docOf(record).data.attributes?.['poNumber'])}`;

describe('oroSource against the fake Oro (real HTTP)', () => {
  let h: OroHarness;
  beforeEach(async () => {
    clock.now = START;
    h = await startHarness({ now: () => clock.now });
  });
  afterEach(() => h.close());

  const read = (client: OroClient, options: Partial<OroSourceOptions> = {}) =>
    oroSource(client, { type: 'orders', include: ['lineItems'], pageSize: 50, scheduler: instantScheduler(), ...options });

  /** An order with three line items, changed last at `updatedAt` (a line item's write bumps its order). */
  function seedOrder(poNumber: string, updatedAt?: number): string {
    const { id } = h.oro.seed('orders', { poNumber });
    for (let k = 1; k <= 3; k += 1) h.oro.seed('orderlineitems', { productSku: `SKU-${k}`, quantity: k, value: 2.5 }, { order: { data: { type: 'orders', id } } });
    if (updatedAt !== undefined) h.oro.touch('orders', id, { attributes: { updatedAt: iso(updatedAt) } });
    return id;
  }

  /** 250 orders, 120 of them (ids 61..180) sharing one second, the others a second apart. */
  function seed250(): void {
    for (let i = 1; i <= 250; i += 1) {
      const at = i > 60 && i <= 180 ? START - 3_600_000 : START - 7_200_000 + i * 1000 + (i > 180 ? 5_000_000 : 0);
      seedOrder('v1', at);
    }
  }

  it('reads 250 orders, 120 sharing one second, in pages of 50: each exactly once, keyset requests only', async () => {
    seed250();
    h.oro.resetLog();
    const records = await drain(read(h.client));
    const ids = records.map((r) => Number(docOf(r).data.id));
    expect(ids).to.have.length(250);
    expect(new Set(ids).size).to.equal(250);
    const lists = h.oro.requests.filter((r) => r.method === 'GET');
    for (const request of lists) {
      const query = new URLSearchParams(request.query);
      expect(query.get('sort')).to.equal('updatedAt,id');
      expect(query.get('page[size]')).to.equal('50');
      expect(query.has('page[number]'), 'never page[number]').to.equal(false);
    }
    expect(lists.length).to.be.at.most(8);
  });

  it('gives each order its line items in included, and only those it refers to', async () => {
    seed250();
    const records = await drain(read(h.client));
    for (const record of records) {
      const { data, included } = docOf(record);
      const items = data.relationships?.['lineItems']?.data as { type: string; id: string }[];
      expect(items).to.have.length(3);
      expect(included.map((r) => `${r.type}:${r.id}`)).to.deep.equal(items.map((r) => `${r.type}:${r.id}`));
    }
  });

  it('names each record by type, id and updatedAt, and resumes just after the record of a token', async () => {
    seed250();
    const first = await drain(read(h.client), 100);
    const last = first[first.length - 1] as SourceRecord;
    const { data } = docOf(last);
    expect(last.position.where).to.equal(`orders ${data.id} (updatedAt ${String(data.attributes?.['updatedAt'])})`);
    expect(last.position.resume).to.deep.equal({ updatedAt: data.attributes?.['updatedAt'] as Json, id: data.id });
    const rest = await drain(read(h.client, { resume: last.position.resume as Json }));
    const all = [...first, ...rest].map((r) => docOf(r).data.id);
    expect(all).to.have.length(250);
    expect(new Set(all).size).to.equal(250);
  });

  it('across runs, orders changed and created while it pages and after it each arrive, unchanged ones not again', async () => {
    seed250();
    const delivered = new Set<string>();
    const take = (records: SourceRecord[]) => {
      for (const record of records) {
        expect(delivered.has(versionOf(record)), `${versionOf(record)} twice`).to.equal(false);
        delivered.add(versionOf(record));
      }
    };
    let version = 1;
    const write = () => {
      // Oro's clock moves on a little; a few orders change and one is placed, as the shop goes on.
      clock.now += 400;
      version += 1;
      for (const id of [String(3 * version), String(70 + version), String(200 + version)]) h.oro.touch('orders', id, { attributes: { poNumber: `v${version}` } });
      seedOrder(`v${version}`);
    };
    const run = async (resume: Json | undefined, writing: boolean) => {
      let requests = 0;
      // Between two page requests of the source (not before its first).
      h.oro.setBeforeRequest(({ method }) => {
        if (method !== 'GET') return;
        requests += 1;
        if (writing && requests > 1) write();
        else clock.now += 400;
      });
      const records = await drain(read(h.client, resume === undefined ? {} : { resume }));
      h.oro.setBeforeRequest(undefined);
      take(records);
      return records[records.length - 1]?.position.resume ?? resume;
    };
    const first = await run(undefined, true);
    write();
    const second = await run(first, true);
    write();
    await run(second, false);
    // Every order's last version arrived; none twice (checked as they came).
    const final = h.oro.records('orders');
    for (const order of final) expect(delivered.has(`${order.id}@${String(order.attributes?.['poNumber'])}`), `${order.id} missed`).to.equal(true);
    expect(final.length).to.be.above(250);
  });

  it('waits for the second of an order written just now to be over, by Oro\'s clock, before passing it', async () => {
    seedOrder('v1', START - 60_000);
    seedOrder('v1'); // now: in the second the run starts in
    const scheduler = instantScheduler();
    let requests = 0;
    h.oro.setBeforeRequest(() => {
      requests += 1;
      // Before the second request (after the wait began), still in that second, order 1 changes.
      if (requests === 2) {
        clock.now += 500;
        h.oro.touch('orders', '1', { attributes: { poNumber: 'v2' } });
      }
      clock.now += 1_000;
    });
    const records = await drain(read(h.client, { scheduler, settleMs: 1000 }));
    expect(records.map(versionOf)).to.deep.equal(['1@v1', '2@v1', '1@v2']);
    expect(scheduler.delays.some((ms) => ms > 0), 'it waited').to.equal(true);
  });

  it('fetches a page only when the consumer has taken the records it holds', async () => {
    seed250();
    const source = read(h.client);
    const iterator = source[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(source.counters.pagesFetched).to.be.at.most(2);
    await iterator.return?.();
  });

  it('sends its requests through the limiter it is given', async () => {
    seed250();
    const { limiter, acquired } = counting(createLimiter({ concurrency: 2 }));
    h.oro.resetLog();
    await drain(read(h.client, { limiter }));
    expect(acquired()).to.equal(h.oro.requests.filter((r) => r.method === 'GET').length);
  });

  it('retries a transient error as its retry policy says', async () => {
    seed250();
    h.oro.resetLog();
    h.oro.setFaults({ rate500: 0.3 });
    const records = await drain(read(h.client, { retry: { retries: 20, baseMs: 1 } }));
    expect(new Set(records.map((r) => docOf(r).data.id)).size).to.equal(250);
    expect(h.oro.requests.some((r) => r.status === 500), 'a 500 came').to.equal(true);
  });

  describe('what Oro refuses, in Oro\'s words and the config path to change', () => {
    const refusal = async (options: Partial<OroSourceOptions>): Promise<OroSourceError> => {
      try {
        await drain(read(h.client, options));
      } catch (error) {
        expect(error).to.be.instanceOf(OroSourceError);
        return error as OroSourceError;
      }
      throw new Error('expected the source to fail');
    };

    it('a filter Oro lacks names source.filter.<field>, the parameter and Oro\'s detail', async () => {
      const error = await refusal({ filter: { colour: 'red' } });
      expect(error.path).to.equal('source.filter.colour');
      expect(error.message).to.include('filter[colour]').and.include('The filter is not supported.').and.include('filter constraint');
    });

    it('a type without updatedAt says it cannot be read by updatedAt', async () => {
      const error = await refusal({ type: 'countries', include: [] });
      expect(error.path).to.equal('source.type');
      expect(error.message).to.include('"countries" cannot be read by updatedAt').and.include('filter[updatedAt]');
    });

    it('an include Oro lacks names source.include; the sorter it lacks, on a type it cannot read, comes first', async () => {
      const include = await refusal({ include: ['shipments'] });
      expect(include.path).to.equal('source.include');
      expect(include.message).to.include('Oro refused include').and.include('"orders"');
      // When Oro refuses several parameters at once, what the type cannot do at all is told.
      const errors = [
        { status: '400', title: 'filter constraint', detail: 'The filter is not supported.', parameter: 'include' },
        { status: '400', title: 'sort constraint', detail: 'Sorting by "updatedAt" field is not supported.', parameter: 'sort' },
      ];
      const both = refusalOf(new HttpError('GET', `${h.oro.baseUrl}/countries`, 400, errors), { type: 'countries', filter: {}, include: ['lineItems'], pageSize: 50 });
      expect(both).to.be.instanceOf(OroSourceError);
      expect((both as OroSourceError).path).to.equal('source.type');
      expect((both as OroSourceError).message).to.include('sort constraint').and.include('"countries" cannot be read by updatedAt');
    });

    it('refuses filter.updatedAt and filter.id at once: the source owns them', () => {
      expect(() => read(h.client, { filter: { updatedAt: '2026-01-01' } })).to.throw(OroSourceError, 'source.filter.updatedAt');
      expect(() => read(h.client, { since: 'yesterday' })).to.throw(OroSourceError, 'source.since');
    });
  });
});
