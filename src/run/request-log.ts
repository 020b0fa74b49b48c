import type { Logger } from 'pino';
import type { RequestEvent } from '../util/http.js';

/**
 * What `--log-level debug` shows of each request to Oro (the Oro client tells it once per
 * attempt, where a request ends): method, path and query, status, how long it took, how many
 * records it carried and their keys, so "what did the sync do last night?" has an answer. Never a
 * body, a header or the token; the URL's origin is left out (it may carry a user and password).
 *
 * @example
 * ```ts
 * const oro = createOro({ ...credentials, onRequest: requestLogger(logger) });
 * // {"level":20,"method":"PATCH","path":"/admin/api/customers/17","status":200,"ms":42,"records":1,"keys":["C-1"],"msg":"request"}
 * ```
 */
export function requestLogger(logger: Logger): (event: RequestEvent) => void {
  return (event) => {
    if (!logger.isLevelEnabled('debug')) return;
    const { path, query } = pathAndQuery(event.url);
    logger.debug({
      method: event.method,
      path,
      ...(query !== '' ? { query } : {}),
      status: event.status ?? null,
      ms: Math.round(event.durationMs),
      ...(event.records !== undefined ? { records: event.records } : {}),
      ...(event.keys !== undefined ? { keys: event.keys } : {}),
      ...(event.replayed ? { replayed: true } : {}),
      ...(event.error !== undefined ? { error: event.error } : {}),
    }, 'request');
  };
}

/** The URL's path and query, percent-decoded to be read (`filter[externalId]=a,b`). */
function pathAndQuery(url: string): { path: string; query: string } {
  try {
    const parsed = new URL(url);
    return { path: decoded(parsed.pathname), query: decoded(parsed.search.slice(1)) };
  } catch {
    return { path: url, query: '' };
  }
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
