/**
 * Helpers for the fake Oro tests: a token, and JSON:API requests over real HTTP (global fetch).
 */
import type { FakeOro } from '../../src/testing/index.js';

export const JSON_API = 'application/vnd.api+json';

/** A fresh access token through the form-encoded client-credentials grant. */
export async function tokenOf(oro: FakeOro): Promise<string> {
  const res = await fetch(oro.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: oro.clientId, client_secret: oro.clientSecret }),
  });
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

/** The answer of one request, body parsed when it is JSON. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/** Sends one request under the API base (or to an absolute URL) with the JSON:API headers. */
export async function call(
  oro: FakeOro,
  token: string | undefined,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { Accept: JSON_API };
  if (token !== undefined) headers['Authorization'] = `Bearer ${token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['Content-Type'] = JSON_API;
  Object.assign(headers, options.headers);
  for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
  const url = path.startsWith('http') ? path : `${oro.baseUrl}${path}`;
  const res = await fetch(url, body === undefined ? { method, headers } : { method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** A client bound to one fake and one token. */
export function client(oro: FakeOro, token: string) {
  return {
    get: (path: string, headers?: Record<string, string>) => call(oro, token, 'GET', path, headers ? { headers } : {}),
    post: (path: string, body: unknown, headers?: Record<string, string>) => call(oro, token, 'POST', path, headers ? { body, headers } : { body }),
    patch: (path: string, body: unknown, headers?: Record<string, string>) => call(oro, token, 'PATCH', path, headers ? { body, headers } : { body }),
    delete: (path: string) => call(oro, token, 'DELETE', path),
    raw: (method: string, path: string, options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}) => call(oro, token, method, path, options),
  };
}

/** Polls an async operation until it is finished (bounded to ~2 s). */
export async function waitForOperation(oro: FakeOro, token: string, id: string): Promise<Answer> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const res = await call(oro, token, 'GET', `/asyncoperations/${id}`);
    const status = (res.body as { data: { attributes: { status: string } } }).data.attributes.status;
    if (status !== 'new' && status !== 'running') return res;
    if (Date.now() > deadline) throw new Error(`operation ${id} still ${status}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * A products create as Oro requires it: sku, a name (`names` in `included`), the default
 * attribute family, an inventory status and a primary unit precision (in `included`).
 */
export function productDocument(sku: string, name = `Product ${sku}`) {
  return {
    data: {
      type: 'products',
      attributes: { sku },
      relationships: {
        names: { data: [{ type: 'productnames', id: 'name-1' }] },
        attributeFamily: { data: { type: 'attributefamilies', id: '1' } },
        inventory_status: { data: { type: 'prodinventorystatuses', id: 'in_stock' } },
        primaryUnitPrecision: { data: { type: 'productunitprecisions', id: 'unit-1' } },
        unitPrecisions: { data: [{ type: 'productunitprecisions', id: 'unit-1' }] },
      },
    },
    included: [
      { type: 'productnames', id: 'name-1', attributes: { fallback: null, string: name } },
      { type: 'productunitprecisions', id: 'unit-1', attributes: { precision: 0, conversionRate: 1, sell: true }, relationships: { unit: { data: { type: 'productunits', id: 'item' } } } },
    ],
  };
}
