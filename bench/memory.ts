/**
 * Memory stress run (not a test): a paginated export served on the fly by a local node:http
 * server, pulled through `pullThrough` into a slow-ish sink, with peak RSS / heap printed at 100k
 * records and at the end. Invariant 2 says memory stays flat whatever the total.
 *
 *   node --import tsx bench/memory.ts [--records 1000000] [--page-size 1000] [--delay-ms 5] [--naive]
 *
 * With `node --expose-gc --import tsx ...` it also prints the heap still used after a full GC at
 * each report (what is retained, as opposed to the peak, which depends on when GC ran).
 *
 * `--json` prints each report as one JSON line instead (`bench/run.ts` reads them).
 *
 * `--naive` subscribes with `from(source)` instead of `pullThrough`, to show what happens without
 * demand flowing back (the records pile up in the sink's buffer).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { bufferCount, from, mergeMap, timer, map, type OperatorFunction } from 'rxjs';
import { httpSource } from '../src/sources/http.js';
import { pullThrough, type InFlightGauge } from '../src/sources/pull-through.js';
import type { SourceRecord } from '../src/types/record.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    'page-size': { type: 'string', default: '1000' },
    'delay-ms': { type: 'string', default: '5' },
    naive: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const total = Number(args.records);
const pageSize = Number(args['page-size']);
const delayMs = Number(args['delay-ms']);
const batchSize = 100;
const concurrency = 8;
const maxInFlight = batchSize * concurrency + 2 * batchSize;
const MB = 1024 * 1024;

/** Record `i`, ~200 bytes of JSON, like a customer row. */
const record = (i: number) => ({
  id: i,
  externalId: `ext-${i}`,
  name: `Customer number ${i}`,
  email: `customer${i}@example.com`,
  updatedAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
  notes: 'x'.repeat(64),
});

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const page = Number(url.searchParams.get('page') ?? 1);
  const size = Number(url.searchParams.get('per_page') ?? pageSize);
  const items = [];
  for (let i = (page - 1) * size; i < Math.min(page * size, total); i += 1) items.push(record(i));
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ data: items }));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const source = httpSource({
  url: `http://127.0.0.1:${port}/export`,
  itemsPath: 'data',
  pagination: { kind: 'page', size: pageSize },
  prefetch: 1,
});

/** The slow-ish sink: batches of 100, each "written" after a delay, 8 at a time; one output per record. */
const sink: OperatorFunction<SourceRecord, number> = (records) =>
  records.pipe(
    bufferCount(batchSize),
    mergeMap((batch) => timer(delayMs).pipe(mergeMap(() => batch.map((r) => r.position.seq))), concurrency),
  );

const peak = { rss: 0, heapUsed: 0 };
const sample = () => {
  const { rss, heapUsed } = process.memoryUsage();
  peak.rss = Math.max(peak.rss, rss);
  peak.heapUsed = Math.max(peak.heapUsed, heapUsed);
};
const sampler = setInterval(sample, 20);

let gauge: InFlightGauge | undefined;
let maxPagesAhead = 0;
let maxInFlightSeen = 0;
const started = performance.now();
let done = 0;
const gc = (globalThis as { gc?: () => void }).gc;
const report = (label: string) => {
  sample();
  let retained = '';
  if (gc) {
    gc();
    retained = `  heap after GC ${(process.memoryUsage().heapUsed / MB).toFixed(1)} MB`;
  }
  const seconds = (performance.now() - started) / 1000;
  if (args.json) {
    const heapAfterGc = gc ? process.memoryUsage().heapUsed / MB : undefined;
    console.log(JSON.stringify({ label, records: done, peakRssMb: peak.rss / MB, peakHeapMb: peak.heapUsed / MB, heapAfterGcMb: heapAfterGc, pagesFetched: source.counters.pagesFetched, maxPagesHeld: maxPagesAhead, maxInFlight: maxInFlightSeen, recordsPerSecond: done / seconds }));
    return;
  }
  console.log(
    `${label.padEnd(10)} records ${String(done).padStart(8)}  peak RSS ${(peak.rss / MB).toFixed(1)} MB  ` +
      `peak heap ${(peak.heapUsed / MB).toFixed(1)} MB  pages fetched ${source.counters.pagesFetched}  ` +
      `max pages held ${maxPagesAhead}  max in flight ${maxInFlightSeen}  ${(done / seconds).toFixed(0)} rec/s${retained}`,
  );
};

if (!args.json) console.log(
  `${args.naive ? 'NAIVE from()' : 'pullThrough'}: ${total} records, pages of ${pageSize}, ` +
    `sink batches of ${batchSize} x ${concurrency} with ${delayMs} ms delay, maxInFlight ${maxInFlight}`,
);
const outputs = args.naive
  ? from(source).pipe(sink)
  : pullThrough(source, sink, {
      maxInFlight,
      gauge: (g) => (gauge = g),
      onPull: () => {
        maxPagesAhead = Math.max(maxPagesAhead, source.counters.pagesFetched - source.counters.pagesConsumed);
        maxInFlightSeen = Math.max(maxInFlightSeen, gauge?.inFlight ?? 0);
      },
    });

await new Promise<void>((resolve, reject) => {
  outputs.pipe(map(() => (done += 1))).subscribe({
    next: (n) => {
      if (n === 100_000 || n === 1_000_000) report(`at ${n / 1000}k`);
    },
    error: reject,
    complete: resolve,
  });
});
report('final');
clearInterval(sampler);
server.closeAllConnections();
server.close();
