import { expect } from 'chai';
import { lastValueFrom, map, mergeMap, timer, toArray } from 'rxjs';
import { httpSource } from '../../src/sources/http.js';
import { pullThrough, type InFlightGauge } from '../../src/sources/pull-through.js';
import type { SourceRecord } from '../../src/types/record.js';
import { serve, slice, type TestServer } from './serve.js';

/**
 * Invariant 2 end to end: a real HTTP export of 400 pages × 5 records, a sink much slower than the
 * server (1 ms per record, 4 at a time: real short delays, since real sockets cannot run on virtual
 * time), and the demand of the sink flowing back to the page fetcher.
 */
describe('backpressure: paginated HTTP export through pullThrough into a slow sink', () => {
  const pages = 400;
  const size = 5;
  const total = pages * size;
  const prefetch = 2;
  const maxInFlight = 12;
  let server: TestServer;
  let onRequest: (page: number) => void = () => undefined;

  before(async () => {
    server = await serve((url) => {
      const page = Number(url.searchParams.get('page'));
      onRequest(page);
      return { json: slice((page - 1) * size, page * size, total) };
    });
  });
  after(() => server.close());

  it('never fetches beyond consumed + prefetch, never holds more than maxInFlight, and loses nothing', async () => {
    const source = httpSource({ url: `${server.origin}/export`, pagination: { kind: 'page', size }, prefetch });
    let gauge: InFlightGauge | undefined;
    let maxPagesAhead = 0;
    let maxInFlightSeen = 0;
    const violations: string[] = [];

    const checkPages = (when: string) => {
      const { pagesFetched, pagesConsumed, maxPagesHeld } = source.counters;
      maxPagesAhead = Math.max(maxPagesAhead, pagesFetched - pagesConsumed);
      if (pagesFetched > pagesConsumed + maxPagesHeld) {
        violations.push(`${when}: fetched ${pagesFetched} > consumed ${pagesConsumed} + ${maxPagesHeld}`);
      }
    };
    onRequest = (page) => {
      checkPages(`request for page ${page}`);
      // demand from the sink bounds what the server is asked for
      const emitted = gauge?.emitted ?? 0;
      const allowed = Math.floor((emitted + maxInFlight) / size) + prefetch + 1;
      if (page > allowed) violations.push(`page ${page} requested after only ${emitted} outputs (allowed up to ${allowed})`);
    };

    const outcomes = await lastValueFrom(
      pullThrough(
        source,
        (records) => records.pipe(mergeMap((record: SourceRecord) => timer(1).pipe(map(() => record.position.seq)), 4)),
        {
          maxInFlight,
          gauge: (g) => (gauge = g),
          onPull: (g) => {
            maxInFlightSeen = Math.max(maxInFlightSeen, g.inFlight);
            if (g.inFlight > maxInFlight) violations.push(`in flight ${g.inFlight} > ${maxInFlight}`);
            checkPages(`pull ${g.pulled}`);
          },
        },
      ).pipe(toArray()),
    );

    expect(violations).to.deep.equal([]);
    expect(outcomes).to.have.length(total);
    expect(new Set(outcomes).size).to.equal(total);
    expect(server.requests).to.have.length(pages + 1); // the empty page after the last full one
    // the bounds were reached, so the checks above were not vacuous
    expect(maxInFlightSeen).to.equal(maxInFlight);
    expect(maxPagesAhead).to.equal(prefetch + 1);
  });
});
