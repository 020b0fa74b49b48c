import { expect } from 'chai';
import { OroSourceError } from '../../src/errors/oro-source-error.js';
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
const versionOf = (record: SourceRecord): string => `${docOf(record).data.id}@${String(docOf(record).data.attributes?.['name'])}`;

/** `client`, calling `between` before each list request: the moment between two page requests. */
function pagingHook(client: OroClient, between: (request: number) => Promise<void> | void): OroClient {
  let request = 0;
  return {
    ...client,
    list: async (type, query) => {
      request += 1;
      await between(request);
      return client.list(type, query);
    },
  };
}

describe('oroSource against the fake Oro (real HTTP)', () => {
  let h: OroHarness;
  beforeEach(async () => {
    clock.now = START;
    h = await startHarness({ now: () => clock.now });
  });
  afterEach(() => h.close());

  const read = (client: OroClient, options: Partial<OroSourceOptions> = {}) =>
    oroSource(client, { type: 'customers', pageSize: 50, scheduler: instantScheduler(), ...options });

  /** 250 customers, 120 of them (ids 61..180) sharing one second, the others a second apart. */
  function seed250(): void {
    const groups = [h.oro.seed('customergroups', { name: 'Retail' }), h.oro.seed('customergroups', { name: 'Wholesale' })];
    for (let i = 1; i <= 250; i += 1) {
      const at = i > 60 && i <= 180 ? START - 3_600_000 : START - 7_200_000 + i * 1000 + (i > 180 ? 5_000_000 : 0);
      const group = groups[i % 2];
      h.oro.seed('customers', { name: `v1 customer ${i}`, updatedAt: iso(at) }, i % 5 === 0 || !group ? {} : { group: { data: { type: 'customergroups', id: group.id } } });
    }
  }

  it('reads 250 records, 120 sharing one second, in pages of 50: each exactly once, keyset requests only', async () => {
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

  it('gives each record its included records, and only those it refers to', async () => {
    seed250();
    const records = await drain(read(h.client, { include: ['group'] }));
    for (const record of records) {
      const { data, included } = docOf(record);
      const group = data.relationships?.['group']?.data;
      if (group === null || group === undefined || Array.isArray(group)) expect(included).to.deep.equal([]);
      else expect(included.map((r) => `${r.type}:${r.id}`)).to.deep.equal([`customergroups:${(group as { id: string }).id}`]);
    }
  });

  it('names each record by type, id and updatedAt, and resumes just after the record of a token', async () => {
    seed250();
    const first = await drain(read(h.client), 100);
    const last = first[first.length - 1] as SourceRecord;
    const { data } = docOf(last);
    expect(last.position.where).to.equal(`customers ${data.id} (updatedAt ${String(data.attributes?.['updatedAt'])})`);
    expect(last.position.resume).to.deep.equal({ updatedAt: data.attributes?.['updatedAt'] as Json, id: data.id });
    const rest = await drain(read(h.client, { resume: last.position.resume as Json }));
    const all = [...first, ...rest].map((r) => docOf(r).data.id);
    expect(all).to.have.length(250);
    expect(new Set(all).size).to.equal(250);
  });

  it('across runs, records changed and created while it pages and after it each arrive, unchanged ones not again', async () => {
    seed250();
    const delivered = new Set<string>();
    const take = (records: SourceRecord[]) => {
      for (const record of records) {
        expect(delivered.has(versionOf(record)), `${versionOf(record)} twice`).to.equal(false);
        delivered.add(versionOf(record));
      }
    };
    let version = 1;
    const write = async () => {
      // Oro's clock moves on a little; a few records change and one is created, as the shop goes on.
      clock.now += 400;
      version += 1;
      for (const id of [String(3 * version), String(70 + version), String(200 + version)]) {
        await h.client.update({ data: { type: 'customers', id, attributes: { name: `v${version} customer ${id}` } } });
      }
      await h.client.create({ data: { type: 'customers', attributes: { name: `v${version} new` } } });
    };
    const run = async (resume: Json | undefined, writing: boolean) => {
      const client = writing ? pagingHook(h.client, async (n) => { if (n > 1) await write(); }) : pagingHook(h.client, () => { clock.now += 400; });
      const records = await drain(read(client, resume === undefined ? {} : { resume }));
      take(records);
      return records[records.length - 1]?.position.resume ?? resume;
    };
    const first = await run(undefined, true);
    await write();
    const second = await run(first, true);
    await write();
    await run(second, false);
    // Every record's last version arrived; none twice (checked as they came).
    const final = h.oro.records('customers');
    for (const record of final) expect(delivered.has(`${record.id}@${String(record.attributes?.['name'])}`), `${record.id} missed`).to.equal(true);
    expect(final.length).to.be.above(250);
  });

  it('waits for the second of a record written just now to be over, by Oro\'s clock, before passing it', async () => {
    h.oro.seed('customers', { name: 'v1 a', updatedAt: iso(START - 60_000) });
    h.oro.seed('customers', { name: 'v1 b' }); // now: in the second the run starts in
    const scheduler = instantScheduler();
    let written = false;
    const client = pagingHook(h.client, async (n) => {
      // The second request comes after the wait; before it, still in that second, record 1 is changed.
      if (n === 2 && !written) {
        written = true;
        clock.now += 500;
        await h.client.update({ data: { type: 'customers', id: '1', attributes: { name: 'v2 a' } } });
      }
      clock.now += 1_000;
    });
    const records = await drain(read(client, { scheduler, settleMs: 1000 }));
    expect(records.map(versionOf)).to.deep.equal(['1@v1 a', '2@v1 b', '1@v2 a']);
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
      const error = await refusal({ type: 'countries' });
      expect(error.path).to.equal('source.type');
      expect(error.message).to.include('"countries" cannot be read by updatedAt').and.include('filter[updatedAt]');
    });

    it('refuses filter.updatedAt and filter.id at once: the source owns them', () => {
      expect(() => read(h.client, { filter: { updatedAt: '2026-01-01' } })).to.throw(OroSourceError, 'source.filter.updatedAt');
      expect(() => read(h.client, { since: 'yesterday' })).to.throw(OroSourceError, 'source.since');
    });
  });
});
