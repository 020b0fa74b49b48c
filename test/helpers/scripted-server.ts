import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the scripted server saw it (body fully read). */
export interface ScriptedRequest {
  readonly method: string;
  /** Path and query as sent, e.g. `/admin/api/customers?page%5Bsize%5D=10`. */
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type Route = (req: ScriptedRequest, res: ServerResponse) => void | Promise<void>;

/**
 * A `node:http` server on 127.0.0.1, port 0, whose behaviour each test scripts with `handle`.
 * Lets tests produce exact quirks (401 with an empty body, 202 + Content-Location, HTTP-date
 * Retry-After, reset connections) and assert what was sent.
 */
export interface ScriptedServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: ScriptedRequest[];
  handle: Route;
  close(): Promise<void>;
}

export async function startScriptedServer(handle: Route = (_req, res) => send(res, 404)): Promise<ScriptedServer> {
  const requests: ScriptedRequest[] = [];
  const state = { handle };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      const parsed = new URL(url, 'http://127.0.0.1');
      const recorded: ScriptedRequest = {
        method: req.method ?? 'GET',
        url,
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      // A failed assertion inside a route becomes a 500 the client reports, not an uncaught exception.
      new Promise<void>((resolve) => resolve(state.handle(recorded, res))).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, { errors: [{ status: '500', title: 'scripted server error', detail: String(error) }] });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    get handle() {
      return state.handle;
    },
    set handle(route: Route) {
      state.handle = route;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Answer with `status`; an object body is sent as JSON with `contentType`. */
export function send(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/vnd.api+json',
): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { ...(text !== '' ? { 'Content-Type': contentType } : {}), ...headers });
  res.end(text);
}

export interface TokenEndpoint {
  /** Tokens issued so far, in order (`token-1`, `token-2`, ...). */
  readonly issued: string[];
  /** The newest issued token (the only one the API accepts, if the test wants that). */
  latest(): string | undefined;
  route: Route;
}

/**
 * An OAuth2 token endpoint for the client credentials grant with `client_secret_post`:
 * checks the form body, answers like Oro (league/oauth2-server) does.
 */
export function tokenEndpoint(options: { clientId?: string; clientSecret?: string; expiresIn?: number } = {}): TokenEndpoint {
  const clientId = options.clientId ?? 'client';
  const clientSecret = options.clientSecret ?? 'secret';
  const issued: string[] = [];
  return {
    issued,
    latest: () => issued[issued.length - 1],
    route(req, res) {
      const form = new URLSearchParams(req.body);
      if (req.method !== 'POST' || form.get('grant_type') !== 'client_credentials') {
        send(res, 400, { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported.' }, {}, 'application/json');
        return;
      }
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
        send(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed', message: 'Client authentication failed' }, {}, 'application/json');
        return;
      }
      const token = `token-${issued.length + 1}`;
      issued.push(token);
      send(res, 200, { token_type: 'Bearer', expires_in: options.expiresIn ?? 3600, access_token: token }, {}, 'application/json; charset=UTF-8');
    },
  };
}

/** Waits until `predicate` holds, checking after each turn of the event loop (no timers). */
export async function until(predicate: () => boolean, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (predicate()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not reached');
}
