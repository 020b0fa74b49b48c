/**
 * A pipeline written in code with oro-sync's operators, instead of a JSON config:
 *
 *   paginated HTTP export -> decode (io-ts) -> map -> batch -> Oro sink (async Batch API)
 *
 * To run on its own it starts two local servers: a small ERP-style export that serves customers
 * page by page (`GET /customers?page=N&per_page=M` -> `{"data": [...]}`), and the fake Oro. Run:
 *
 *   node --import tsx examples/custom-pipeline/pipeline.ts
 *
 * In an application, import from `oro-sync` and `oro-sync/testing` (the package entry points)
 * instead of `../../src/...`, and point `baseUrl`/`tokenUrl` at a real Oro.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import * as t from 'io-ts';
import { lastValueFrom, reduce } from 'rxjs';
import {
  NonEmptyString,
  batchRecords,
  createOro,
  decodeWith,
  httpSource,
  mapRecords,
  pullThrough,
  toOro,
  type ErrorDetail,
  type Mapping,
  type OutcomeStatus,
} from '../../src/index.js';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';

/** A customer as the ERP exports it. */
const ErpCustomer = t.type({
  customer_no: NonEmptyString,
  company: t.type({ name: t.string }),
});
type ErpCustomer = t.TypeOf<typeof ErpCustomer>;

/** ERP customer -> Oro `customers`, found again by `externalId` = the ERP's customer number. */
const mapping: Mapping<ErpCustomer> = {
  type: 'customers',
  key: { source: 'customer_no', oro: 'externalId' },
  attributes: { name: 'company.name', externalId: 'customer_no' },
};

/**
 * The export's records: `count` customers, of which `K-0007` has no company name (Oro refuses it:
 * not blank) and the record after `K-0010` has no customer number (refused by the decoder).
 */
export function exportRecords(count: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 1; i <= count; i++) {
    const no = `K-${String(i).padStart(4, '0')}`;
    out.push({ customer_no: no, company: { name: i === 7 ? '' : `Company ${i}` }, city: 'Berlin' });
    if (i === 10) out.push({ company: { name: 'Without a number' } });
  }
  return out;
}

/** Serves `records` as `GET /customers?page=N&per_page=M` -> `{"data": [...]}` on 127.0.0.1. */
export async function startExportServer(records: readonly unknown[]): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/customers') {
      res.writeHead(404).end();
      return;
    }
    const page = Number(url.searchParams.get('page') ?? '1');
    const size = Number(url.searchParams.get('per_page') ?? '100');
    const data = records.slice((page - 1) * size, page * size);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ data }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/customers`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One error as a line: `not blank constraint at /data/3/attributes/name: This value should not be blank.` */
const describe = (e: ErrorDetail): string => `${e.title}${e.pointer === undefined ? '' : ` at ${e.pointer}`}${e.detail === undefined ? '' : `: ${e.detail}`}`;

/** What a run did: outcome counts, and the customers Oro holds at the end. */
export interface PipelineResult {
  readonly counts: Readonly<Partial<Record<OutcomeStatus, number>>>;
  readonly customers: ReturnType<FakeOro['records']>;
}

/**
 * Starts the export and the fake Oro, pulls every page through the pipeline, prints the outcome
 * counts, closes everything and returns what happened.
 */
export async function main(options: { readonly records?: number; readonly print?: (line: string) => void } = {}): Promise<PipelineResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const exporter = await startExportServer(exportRecords(options.records ?? 250));
  const oro = await startFakeOro({ asyncStepMs: 5 });
  // The client, its token and one limiter for every request of the process (requests in flight
  // and their rate); the token URL defaults to the base URL's origin + /oauth2-token.
  const { client, limiter, close } = createOro({ baseUrl: oro.baseUrl, clientId: oro.clientId, clientSecret: oro.clientSecret, concurrency: 8, timeoutMs: 10_000 });
  try {
    const outcomes$ = pullThrough(
      httpSource({ url: exporter.url, itemsPath: 'data', pagination: { kind: 'page', size: 40 } }),
      (steps) =>
        steps.pipe(
          decodeWith(ErpCustomer),
          mapRecords(mapping),
          batchRecords({ size: 100, ms: 200 }),
          toOro({
            client,
            target: { type: 'customers', mode: 'batch', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' },
            concurrency: 2,
            limiter,
            retry: { retries: 5, baseMs: 50, maxMs: 2_000 },
            poll: { intervalMs: 10, maxIntervalMs: 200 },
          }),
        ),
      { maxInFlight: 500 },
    );
    const counts = await lastValueFrom(
      outcomes$.pipe(
        reduce((acc: Partial<Record<OutcomeStatus, number>>, outcome) => {
          if (outcome.status === 'rejected' || outcome.status === 'failed')
            print(`${outcome.status} ${outcome.record.position.where}: ${outcome.errors.map(describe).join('; ')}`);
          return { ...acc, [outcome.status]: (acc[outcome.status] ?? 0) + 1 };
        }, {}),
      ),
    );
    print(`done: ${Object.entries(counts).map(([status, n]) => `${status} ${n}`).join(', ')}`);
    return { counts, customers: oro.records('customers') };
  } finally {
    close();
    await oro.close();
    await exporter.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  });
}
