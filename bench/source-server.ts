/**
 * A paginated JSON export on 127.0.0.1, as a source system would offer it:
 * `GET /customers?page=N&per_page=M` answers `{"data": [...]}` (pages from 1; a short or empty
 * page ends the export). It remembers the highest page asked for, which tells how far a reader
 * got (the chaos run picks its kill moments from it).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SourceServer {
  /** `http://127.0.0.1:<port>/customers` */
  readonly url: string;
  /** Pages served so far, and the highest page number asked for. */
  readonly pagesServed: number;
  readonly highestPage: number;
  close(): Promise<void>;
}

export async function serveRecords(records: readonly unknown[], defaultSize = 100): Promise<SourceServer> {
  let pagesServed = 0;
  let highestPage = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/customers') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`no such export: ${url.pathname}`);
      return;
    }
    const page = Number(url.searchParams.get('page') ?? 1);
    const size = Number(url.searchParams.get('per_page') ?? defaultSize);
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 1) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`bad page/per_page: ${url.search}`);
      return;
    }
    pagesServed++;
    highestPage = Math.max(highestPage, page);
    const body = JSON.stringify({ data: records.slice((page - 1) * size, page * size) });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/customers`,
    get pagesServed() {
      return pagesServed;
    },
    get highestPage() {
      return highestPage;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
