import type { ServerResponse } from 'node:http';
import { send, startScriptedServer, tokenEndpoint, type Route, type ScriptedRequest, type ScriptedServer, type TokenEndpoint } from './scripted-server.js';

export const JSON_API = 'application/vnd.api+json';

/**
 * A scripted server that behaves like Oro at the edges the client must get right: the token
 * endpoint at `/oauth2-token`; under `/admin/api` a 401 with an EMPTY body for any token it does
 * not accept, 406 for an `Accept` that is not exactly the JSON:API media type and 415 for such a
 * `Content-Type` on a body. What a test scripts in `api` runs only after those checks passed.
 */
export interface ScriptedOro {
  readonly server: ScriptedServer;
  readonly tokens: TokenEndpoint;
  readonly baseUrl: string;
  readonly tokenUrl: string;
  /** API requests only (not token requests). */
  apiRequests(): ScriptedRequest[];
  /** The route under `/admin/api`; `path` is relative to it (`/customers`). */
  api: (req: ScriptedRequest & { readonly apiPath: string }, res: ServerResponse) => void | Promise<void>;
  /** Tokens issued before this stop being accepted. */
  revokeTokens(): void;
  /** While true, every token is refused (401, empty body). */
  refuseAllTokens: boolean;
  close(): Promise<void>;
}

export async function startScriptedOro(): Promise<ScriptedOro> {
  const tokens = tokenEndpoint();
  let revokedBefore = 0;
  const flags = { refuseAllTokens: false };
  const state: Pick<ScriptedOro, 'api'> = { api: (_req, res) => send(res, 404) };
  const route: Route = (req, res) => {
    if (req.path === '/oauth2-token') return tokens.route(req, res);
    if (!req.path.startsWith('/admin/api/')) return send(res, 404);
    const valid = tokens.issued.slice(revokedBefore).map((t) => `Bearer ${t}`);
    if (flags.refuseAllTokens || !valid.includes(req.headers.authorization ?? '')) return send(res, 401);
    if (req.headers.accept !== JSON_API) return send(res, 406, { errors: [{ status: '406', title: 'not acceptable http exception' }] });
    if ((req.body !== '' || ['POST', 'PATCH', 'DELETE'].includes(req.method)) && req.headers['content-type'] !== JSON_API) {
      return send(res, 415, { errors: [{ status: '415', title: 'unsupported media type http exception' }] });
    }
    return state.api(Object.assign(req, { apiPath: req.path.slice('/admin/api'.length) }), res);
  };
  const server = await startScriptedServer(route);
  return {
    server,
    tokens,
    baseUrl: `${server.origin}/admin/api`,
    tokenUrl: `${server.origin}/oauth2-token`,
    apiRequests: () => server.requests.filter((r) => r.path !== '/oauth2-token'),
    get api() {
      return state.api;
    },
    set api(handler) {
      state.api = handler;
    },
    get refuseAllTokens() {
      return flags.refuseAllTokens;
    },
    set refuseAllTokens(value: boolean) {
      flags.refuseAllTokens = value;
    },
    revokeTokens() {
      revokedBefore = tokens.issued.length;
    },
    close: () => server.close(),
  };
}
