/**
 * A token-bucket HTTP proxy in front of the fake Oro, an honest stand-in for nginx `limit_req`
 * with `limit_req_status 429`: `perSecond` tokens a second, `burst` at most; a request without a
 * token gets 429 with `Retry-After` = whole seconds until the next token, rounded up (at least 1).
 * The token endpoint passes unlimited, as a client asks for a token once an hour.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RateLimitProxy {
  /** `http://127.0.0.1:<port>`: use it instead of the fake's origin. */
  readonly origin: string;
  /** API requests let through and refused, and when the first and last were let through. */
  readonly stats: { passed: number; refused: number; firstAt: number; lastAt: number };
  close(): Promise<void>;
}

export async function startRateLimitProxy(target: string, limit: { perSecond: number; burst: number }): Promise<RateLimitProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const stats = { passed: 0, refused: 0, firstAt: 0, lastAt: 0 };
  let tokens = limit.burst;
  let at = performance.now();
  const take = (): number | undefined => {
    const now = performance.now();
    tokens = Math.min(limit.burst, tokens + ((now - at) / 1000) * limit.perSecond);
    at = now;
    if (tokens >= 1) {
      tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - tokens) / limit.perSecond));
  };
  const server = http.createServer((req, res) => {
    const api = !(req.url ?? '').startsWith('/oauth2-token');
    if (api) {
      const wait = take();
      if (wait !== undefined) {
        stats.refused++;
        req.resume();
        res.writeHead(429, { 'retry-after': String(wait), 'content-type': 'text/plain' }).end('Too Many Requests');
        return;
      }
      stats.passed++;
      stats.lastAt = performance.now();
      if (stats.firstAt === 0) stats.firstAt = stats.lastAt;
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      agent.destroy();
    }),
  };
}
