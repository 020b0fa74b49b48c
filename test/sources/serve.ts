import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a test route answers: a JSON body (or raw text), a status and headers. */
export interface Reply {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly json?: unknown;
  readonly text?: string;
  /** Never answer (for timeouts); the socket is destroyed on close. */
  readonly hang?: boolean;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Path + query of every request, in arrival order. */
  readonly requests: string[];
  /** Headers of every request, in arrival order. */
  readonly requestHeaders: IncomingMessage['headers'][];
  close(): Promise<void>;
}

/** A real node:http server on 127.0.0.1, port 0, answering from `route`. */
export async function serve(route: (url: URL, request: IncomingMessage) => Reply | Promise<Reply>): Promise<TestServer> {
  const requests: string[] = [];
  const requestHeaders: IncomingMessage['headers'][] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${url.pathname}${url.search}`);
    requestHeaders.push(req.headers);
    void Promise.resolve(route(url, req)).then((reply) => {
      if (reply.hang) return;
      const body = reply.text ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
      res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json', ...reply.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    requestHeaders,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Record `i` of a generated export. */
export const item = (i: number) => ({ id: i, name: `record ${i}` });

/** Records `from` (inclusive) to `to` (exclusive) of a generated export of `total` records. */
export function slice(from: number, to: number, total: number): { id: number; name: string }[] {
  const out: { id: number; name: string }[] = [];
  for (let i = from; i < Math.min(to, total); i += 1) out.push(item(i));
  return out;
}

/** Drains an async iterable into an array. */
export async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of source) out.push(x);
  return out;
}
