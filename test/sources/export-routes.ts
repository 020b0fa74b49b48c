import type { Reply } from './serve.js';
import { slice } from './serve.js';

/**
 * A generated export of `total` records served in every pagination style, on the fly:
 * - `/page?page=N&per_page=S` (bare array body)
 * - `/offset?offset=O&limit=L` (`{items: [...]}`)
 * - `/cursor?cursor=C&limit=L` (`{data: [...], meta: {next_cursor}}`, cursor absent on the last page)
 * - `/oro/customers?page[number]=N&page[size]=S`, Oro style: `{data, links: {self, first, prev?, next?}}`,
 *   brackets percent-encoded, page 1 without `page[number]`, never a `last` link
 * - `/linked?p=N&size=S`: records in the body, a relative RFC 8288 `Link` header
 */
export function exportRoute(total: number, origin: () => string) {
  return (url: URL): Reply => {
    const q = url.searchParams;
    const int = (name: string, fallback: number) => Number(q.get(name) ?? fallback);
    switch (url.pathname) {
      case '/page': {
        const page = int('page', 1);
        const size = int('per_page', 100);
        return { json: slice((page - 1) * size, page * size, total) };
      }
      case '/offset': {
        const offset = int('offset', 0);
        const limit = int('limit', 100);
        return { json: { items: slice(offset, offset + limit, total) } };
      }
      case '/cursor': {
        const start = q.has('cursor') ? Number(q.get('cursor')!.slice(1)) : 0;
        const limit = int('limit', 100);
        const end = start + limit;
        return { json: { data: slice(start, end, total), meta: end < total ? { next_cursor: `c${end}` } : {} } };
      }
      case '/oro/customers': {
        const number = int('page[number]', 1);
        const size = int('page[size]', 10);
        const link = (n: number) =>
          `${origin()}/oro/customers?${n > 1 ? `page%5Bnumber%5D=${n}&` : ''}page%5Bsize%5D=${size}`;
        const links: Record<string, string> = { self: link(number), first: link(1) };
        if (number > 1) links['prev'] = link(number - 1);
        if (number * size < total) links['next'] = link(number + 1);
        return { json: { data: slice((number - 1) * size, number * size, total), links } };
      }
      case '/linked': {
        const p = int('p', 1);
        const size = int('size', 10);
        const headers: Record<string, string> = {};
        const rels = [`</linked?p=1&size=${size}>; rel="first"`];
        if (p * size < total) rels.push(`<linked?p=${p + 1}&size=${size}>; rel="next"`);
        headers['Link'] = rels.join(', ');
        return { json: slice((p - 1) * size, p * size, total), headers };
      }
      default:
        return { status: 404, json: { errors: [{ status: '404', title: 'not found' }] } };
    }
  };
}
