import { expect } from 'chai';
import fc from 'fast-check';
import { paginate, type Page } from '../../src/sources/pages.js';
import type { SourceRecord } from '../../src/types/record.js';
import { collect } from './serve.js';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const describePage = (page: number, index: number) => ({ where: `page ${page} #${index}`, resume: { page, skip: index + 1 } });

/** A fetchPage whose answers the test gives by hand. */
function manualPages() {
  const pending: { page: number; signal: AbortSignal; answer: (p: Page<number>) => void; fail: (e: unknown) => void }[] = [];
  const fetchPage = (page: number, signal: AbortSignal) =>
    new Promise<Page<number>>((answer, fail) => pending.push({ page, signal, answer, fail }));
  return { pending, fetchPage };
}

/** In-memory pages of the given sizes, records numbered across pages. */
function memoryPages(sizes: readonly number[]) {
  const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  return async (page: number): Promise<Page<number>> => {
    await Promise.resolve();
    const size = sizes[page] ?? 0;
    const start = starts[page] ?? 0;
    return { items: Array.from({ length: size }, (_, i) => start + i), next: page + 1 < sizes.length ? page + 1 : null };
  };
}

describe('paginate', () => {
  it('fetches nothing until asked, then keeps exactly prefetch pages ahead of the page being read', async () => {
    const { pending, fetchPage } = manualPages();
    const source = paginate({ first: 1, fetchPage, prefetch: 1, describe: describePage });
    const it = source[Symbol.asyncIterator]();
    await settle();
    expect(source.counters.pagesFetched).to.equal(0);

    const first = it.next();
    await settle();
    expect(pending.map((p) => p.page)).to.deep.equal([1]);
    pending[0]!.answer({ items: ['a', 'b'], next: 2 });
    expect((await first).value).to.deep.include({ value: 'a' });
    await settle();
    // page 2 is the one page fetched ahead; page 3 waits until page 1 is consumed
    expect(pending.map((p) => p.page)).to.deep.equal([1, 2]);
    pending[1]!.answer({ items: ['c', 'd'], next: 3 });
    await settle();
    expect(pending).to.have.length(2);
    expect(source.counters).to.include({ pagesFetched: 2, pagesConsumed: 0, maxPagesHeld: 2 });

    expect((await it.next()).value).to.deep.include({ value: 'b' });
    await settle();
    expect(source.counters.pagesConsumed).to.equal(1);
    expect(pending.map((p) => p.page)).to.deep.equal([1, 2, 3]);
    await it.return?.();
  });

  it('with prefetch 0 fetches the next page only once every record of the current one is taken', async () => {
    const { pending, fetchPage } = manualPages();
    const source = paginate({ first: 1, fetchPage, prefetch: 0, describe: describePage });
    const it = source[Symbol.asyncIterator]();
    const first = it.next();
    await settle();
    pending[0]!.answer({ items: ['a', 'b'], next: 2 });
    await first;
    await settle();
    expect(source.counters).to.include({ pagesFetched: 1, pagesConsumed: 0 });
    expect(pending).to.have.length(1);
    await it.next();
    await settle();
    expect(source.counters).to.include({ pagesFetched: 2, pagesConsumed: 1 });
    const third = it.next();
    pending[1]!.answer({ items: [], next: null });
    expect((await third).done).to.equal(true);
  });

  it('positions: seq contiguous from 0, where and resume from describe, skip drops resumed records', async () => {
    const records = await collect(
      paginate({ first: 0, skip: 2, fetchPage: memoryPages([3, 2]), describe: describePage }),
    );
    expect(records.map((r) => r.value)).to.deep.equal([2, 3, 4]);
    expect(records.map((r) => r.position)).to.deep.equal([
      { seq: 0, where: 'page 0 #2', resume: { page: 0, skip: 3 } },
      { seq: 1, where: 'page 1 #0', resume: { page: 1, skip: 1 } },
      { seq: 2, where: 'page 1 #1', resume: { page: 1, skip: 2 } },
    ]);
  });

  it('goes through empty pages that still have a next page', async () => {
    const records = await collect(paginate({ first: 0, fetchPage: memoryPages([2, 0, 0, 1]), describe: describePage }));
    expect(records.map((r) => r.value)).to.deep.equal([0, 1, 2]);
  });

  it('a failed fetch surfaces after the records already fetched', async () => {
    const fetchPage = async (page: number): Promise<Page<number>> => {
      if (page === 2) throw new Error('GET /items?page=2 answered 404');
      return { items: [page * 10, page * 10 + 1], next: page + 1 };
    };
    const seen: unknown[] = [];
    let failure: Error | undefined;
    try {
      for await (const record of paginate({ first: 0, fetchPage, prefetch: 3, describe: describePage })) seen.push(record.value);
    } catch (error) {
      failure = error as Error;
    }
    expect(seen).to.deep.equal([0, 1, 10, 11]);
    expect(failure?.message).to.equal('GET /items?page=2 answered 404');
  });

  it('return() aborts the fetch in flight and ends the iteration', async () => {
    const { pending, fetchPage } = manualPages();
    const source = paginate({ first: 1, fetchPage, describe: describePage });
    const it = source[Symbol.asyncIterator]();
    const first = it.next();
    await settle();
    await it.return?.();
    expect(pending[0]!.signal.aborted).to.equal(true);
    pending[0]!.fail(new Error('aborted'));
    expect((await first).done).to.equal(true);
  });

  it('property: whatever the page sizes, prefetch and consumer pace, all records come once, in order, within the bound', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(6), { minLength: 1, maxLength: 12 }),
        fc.nat(3),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
        async (sizes, prefetch, pauses) => {
          const source = paginate({ first: 0, fetchPage: memoryPages(sizes), prefetch, describe: describePage });
          const out: SourceRecord[] = [];
          let step = 0;
          for await (const record of source) {
            out.push(record);
            const { pagesFetched, pagesConsumed } = source.counters;
            expect(pagesFetched - pagesConsumed).to.be.at.most(prefetch + 1);
            if (pauses[step++ % pauses.length]) await settle(); // a slow consumer lets fetches run ahead
          }
          const total = sizes.reduce((a, b) => a + b, 0);
          expect(out.map((r) => r.value)).to.deep.equal(Array.from({ length: total }, (_, i) => i));
          expect(out.map((r) => r.position.seq)).to.deep.equal(Array.from({ length: total }, (_, i) => i));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects a negative prefetch', () => {
    expect(() => paginate({ first: 0, fetchPage: memoryPages([1]), prefetch: -1, describe: describePage })).to.throw(RangeError);
  });
});
