import { expect } from 'chai';
import fc from 'fast-check';
import {
  compareIds, firstRequest, readKeysetPage, type KeysetPoint, type KeysetQuery, type KeysetRequest, type KeysetRun,
} from '../../src/sources/oro-keyset.js';
import { documentOf } from '../../src/sources/oro.js';
import type { Resource } from '../../src/types/jsonapi.js';

/** A record of the model Oro: its keyset and a content version (bumped by every write). */
interface Row {
  readonly id: number;
  at: number;
  version: number;
}

const second = (ms: number): number => Math.floor(ms / 1000) * 1000;

/** What Oro answers to one request: page 1 of the filtered list, sorted by `updatedAt,id`. */
function answer(rows: readonly Row[], query: KeysetQuery, pageSize: number): Row[] {
  const selected = rows.filter((row) => {
    switch (query.kind) {
      case 'all':
        return true;
      case 'from':
        return row.at >= query.at;
      case 'same-second':
        return row.at === query.at && row.id > Number(query.afterId);
      case 'after':
        return row.at > query.at;
    }
  });
  return selected.sort((a, b) => a.at - b.at || a.id - b.id).slice(0, pageSize).map((row) => ({ ...row }));
}

const pointOf = (row: Row): KeysetPoint => ({ at: row.at, id: String(row.id) });

/** The model shop: rows, Oro's clock, and writes as Oro does them (`updatedAt` = the second of the write). */
class Shop {
  rows: Row[] = [];
  now = 1_700_000_000_000;
  touch(row: Row): void {
    row.at = second(this.now);
    row.version += 1;
  }
  create(): void {
    this.rows.push({ id: this.rows.length + 1, at: second(this.now), version: 1 });
  }
}

interface RunOutcome {
  readonly delivered: { id: number; version: number }[];
  readonly resumeAt: KeysetPoint | undefined;
  readonly requests: KeysetQuery[];
}

/**
 * One run of the walk against the model shop, as `oroSource` drives it: `between` runs before
 * every request (writes while it pages, the clock moving on); `stopAfter` interrupts it.
 */
function runWalk(
  shop: Shop,
  options: { pageSize: number; settleMs: number; resumeAt?: KeysetPoint | undefined; since?: number; stopAfter?: number; between?: () => void },
): RunOutcome {
  const delivered: { id: number; version: number }[] = [];
  const requests: KeysetQuery[] = [];
  let resumeAt = options.resumeAt;
  let request: KeysetRequest | null = firstRequest(resumeAt, options.since);
  let horizon: number | undefined;
  const start: KeysetQuery = options.since === undefined ? { kind: 'all' } : { kind: 'from', at: options.since };
  while (request !== null) {
    if (requests.length > 10_000) throw new Error('the walk does not end');
    // Writes happen while the reader waits or pages; then its wait ends.
    options.between?.();
    if (request.notBefore !== undefined) shop.now = Math.max(shop.now, request.notBefore);
    requests.push(request.query);
    const page = answer(shop.rows, request.query, options.pageSize);
    const date = second(shop.now);
    horizon ??= date + 1000;
    const run: KeysetRun = { pageSize: options.pageSize, settleMs: options.settleMs, horizon, start };
    const step = readKeysetPage(request, page.map(pointOf), date, run);
    expect(step.stuck, 'stuck').to.equal(undefined);
    for (const index of step.take) {
      const row = page[index] as Row;
      delivered.push({ id: row.id, version: row.version });
      resumeAt = pointOf(row);
      if (options.stopAfter !== undefined && delivered.length >= options.stopAfter) return { delivered, resumeAt, requests };
    }
    request = step.next;
  }
  return { delivered, resumeAt, requests };
}

describe('oro source: the keyset walk', () => {
  it('orders integer ids as numbers and other ids as strings', () => {
    expect(compareIds('9', '10')).to.be.below(0);
    expect(compareIds('10', '9')).to.be.above(0);
    expect(compareIds('a-9', 'a-10')).to.be.above(0);
    expect(compareIds('7', '7')).to.equal(0);
  });

  it('reads 120 records that share one second with pages of 50, each once, in as few requests as it can', () => {
    const shop = new Shop();
    for (let i = 0; i < 250; i += 1) shop.create();
    // 120 records (ids 61..180) in one second, the others one second apart.
    for (const row of shop.rows) row.at = row.id > 60 && row.id <= 180 ? 1_600_000_100_000 : 1_600_000_000_000 + row.id * 1000 + (row.id > 180 ? 200_000 : 0);
    const { delivered, requests } = runWalk(shop, { pageSize: 50, settleMs: 1000 });
    expect(delivered.map((d) => d.id)).to.deep.equal(shop.rows.slice().sort((a, b) => a.at - b.at || a.id - b.id).map((r) => r.id));
    expect(requests.map((q) => q.kind)).to.deep.equal(['all', 'from', 'from', 'same-second', 'same-second', 'after', 'from']);
  });

  it('resumes just after the record of its token, through the rest of that second', () => {
    const shop = new Shop();
    for (let i = 0; i < 10; i += 1) shop.create();
    for (const row of shop.rows) row.at = 1_600_000_000_000;
    const { delivered, requests } = runWalk(shop, { pageSize: 4, settleMs: 1000, resumeAt: { at: 1_600_000_000_000, id: '6' } });
    expect(delivered.map((d) => d.id)).to.deep.equal([7, 8, 9, 10]);
    expect(requests).to.deep.equal([
      { kind: 'same-second', at: 1_600_000_000_000, afterId: '6' },
      { kind: 'same-second', at: 1_600_000_000_000, afterId: '10' },
      { kind: 'after', at: 1_600_000_000_000 },
    ]);
  });

  it('starts at since, and at since rather than an older resume point', () => {
    expect(firstRequest(undefined, 5000).query).to.deep.equal({ kind: 'from', at: 5000 });
    expect(firstRequest({ at: 1000, id: '3' }, 5000).query).to.deep.equal({ kind: 'from', at: 5000 });
    expect(firstRequest({ at: 9000, id: '3' }, 5000).query).to.deep.equal({ kind: 'same-second', at: 9000, afterId: '3' });
  });

  // The bug this pins: a reader that passes a second before it is over loses a record written
  // later in that second with a lower id: it sorts before the keyset, and no later read finds it.
  it('does not pass a second that is not over: a record written later in it with a lower id is read', () => {
    const shop = new Shop();
    shop.create(); // id 1
    shop.create(); // id 2
    const t = second(shop.now);
    const rows = shop.rows;
    let requests = 0;
    const { delivered } = runWalk(shop, {
      pageSize: 10,
      settleMs: 0,
      between: () => {
        requests += 1;
        // Between the first answer and the next request, still in second t: record 1 changes.
        if (requests === 2) {
          shop.now = t + 900;
          shop.touch(rows[0] as Row);
        }
      },
    });
    expect(delivered).to.deep.include({ id: 1, version: 2 });
    expect(delivered).to.not.deep.include({ id: 1, version: 1 });
  });

  it('ends at the second after the one it started in: later writes are the next run\'s', () => {
    const shop = new Shop();
    shop.create();
    shop.now += 5000;
    const outcome = runWalk(shop, { pageSize: 10, settleMs: 1000, between: () => { shop.now += 3000; shop.create(); } });
    // Record 1 (old) and record 2 (written before the first answer, in the start second).
    expect(outcome.delivered.map((d) => d.id)).to.deep.equal([1, 2]);
  });

  it('stops on a full page of the rest of a second that holds nothing new (Oro ignored filter[id][gt])', () => {
    const request: KeysetRequest = { query: { kind: 'same-second', at: 0, afterId: '5' }, done: { at: 0, id: '5' }, sameSecond: Infinity };
    const page = [1, 2].map((id) => ({ at: 0, id: String(id) }));
    const step = readKeysetPage(request, page, 100_000, { pageSize: 2, settleMs: 0, horizon: 200_000, start: { kind: 'all' } });
    expect(step).to.deep.equal({ take: [], next: null, stuck: true });
  });

  it('property: across runs with writes while it pages, every last version arrives and none arrives twice', () => {
    const write = fc.record({ advanceMs: fc.integer({ min: 0, max: 1500 }), touches: fc.array(fc.nat(), { maxLength: 3 }), creates: fc.nat({ max: 2 }) });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(0, 1000),
        fc.array(write, { minLength: 1, maxLength: 40 }),
        fc.array(fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }), { minLength: 1, maxLength: 4 }),
        (initial, pageSize, settleMs, writes, stops) => {
          const shop = new Shop();
          // Records that share seconds: a few per second, as a mass update leaves them.
          for (let i = 0; i < initial; i += 1) {
            shop.create();
            if (i % 4 === 3) shop.now += 1000;
          }
          let w = 0;
          const between = () => {
            const next = writes[w % writes.length];
            w += 1;
            if (next === undefined || w > writes.length * 3) return;
            shop.now += next.advanceMs;
            for (const touch of next.touches) if (shop.rows.length > 0) shop.touch(shop.rows[touch % shop.rows.length] as Row);
            for (let c = 0; c < next.creates; c += 1) shop.create();
          };
          const seen = new Set<string>();
          let resumeAt: KeysetPoint | undefined;
          for (const stopAfter of stops) {
            const outcome = runWalk(shop, { pageSize, settleMs, resumeAt, between, ...(stopAfter !== undefined ? { stopAfter } : {}) });
            for (const d of outcome.delivered) {
              const version = `${d.id}@${d.version}`;
              expect(seen.has(version), `${version} delivered twice`).to.equal(false);
              seen.add(version);
            }
            resumeAt = outcome.resumeAt;
            shop.now += 500;
          }
          // Writes stop; a quiet run later reads what is left.
          shop.now += 10_000;
          const last = runWalk(shop, { pageSize, settleMs, resumeAt });
          for (const d of last.delivered) {
            const version = `${d.id}@${d.version}`;
            expect(seen.has(version), `${version} delivered twice`).to.equal(false);
            seen.add(version);
          }
          for (const row of shop.rows) expect(seen.has(`${row.id}@${row.version}`), `last version of ${row.id} missed`).to.equal(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('oro source: one document per resource', () => {
  it('keeps the included resources the resource reaches, through other included ones too, once each', () => {
    const res = (type: string, id: string, relationships: Record<string, { data: unknown }> = {}) => ({ type, id, relationships }) as Resource;
    const order = res('orders', '1', {
      lineItems: { data: [{ type: 'orderlineitems', id: '10' }, { type: 'orderlineitems', id: '11' }] },
      customer: { data: null },
    });
    const included = [
      res('orderlineitems', '10', { product: { data: { type: 'products', id: '7' } }, order: { data: { type: 'orders', id: '1' } } }),
      res('orderlineitems', '11', { product: { data: { type: 'products', id: '7' } } }),
      res('orderlineitems', '12', { product: { data: { type: 'products', id: '8' } } }),
      res('products', '7'),
      res('products', '8'),
    ];
    const index = new Map(included.map((r) => [`${r.type}\u0000${r.id}`, r]));
    expect(documentOf(order, index).included.map((r) => `${r.type}:${r.id}`)).to.deep.equal(['orderlineitems:10', 'orderlineitems:11', 'products:7']);
  });
});
