/**
 * Oro's paging: `page[number]`/`page[size]` parameters and the HATEOAS links of a list
 * (`self`, `first`, `prev`, `next`; never `last`; page 1 without `page[number]`; brackets
 * percent-encoded).
 */
import { ApiFailure, apiError, param } from './json-api.js';

/** A page request: `size` -1 means "everything". */
export interface Paging {
  readonly number: number;
  readonly size: number;
}

const integer = (raw: string, name: string): number => {
  if (!/^-?\d+$/.test(raw)) throw new ApiFailure([apiError(400, 'filter constraint', `Expected integer value. Given "${raw}".`, param(name))]);
  return Number(raw);
};

/**
 * Reads and checks `page[number]` (default 1) and `page[size]` (default 10, `maxSize` enforced;
 * `0` is an empty page, as on Oro, and `-1` everything).
 */
export function parsePaging(query: URLSearchParams, maxSize?: number): Paging {
  const rawNumber = query.get('page[number]');
  const rawSize = query.get('page[size]');
  const number = rawNumber === null ? 1 : integer(rawNumber, 'page[number]');
  if (number < 1) throw new ApiFailure([apiError(400, 'filter constraint', 'The value should be greater than or equal to 1.', param('page[number]'))]);
  const size = rawSize === null ? 10 : integer(rawSize, 'page[size]');
  if (size < -1) throw new ApiFailure([apiError(400, 'filter constraint', 'The value should be greater than or equal to -1.', param('page[size]'))]);
  if (maxSize !== undefined && (size === -1 || size > maxSize))
    throw new ApiFailure([apiError(400, 'filter constraint', `The value should be less than or equal to ${maxSize}.`, param('page[size]'))]);
  return { number, size };
}

/** The rows of one page and whether more rows exist after it. */
export function slicePage<T>(rows: readonly T[], paging: Paging): { rows: T[]; hasNext: boolean } {
  if (paging.size === -1) return { rows: [...rows], hasNext: false };
  if (paging.size === 0) return { rows: [], hasNext: false };
  const start = (paging.number - 1) * paging.size;
  return { rows: rows.slice(start, start + paging.size), hasNext: rows.length > start + paging.size };
}

/** A URL with the request's parameters and a given page number (omitted for page 1). */
function pageUrl(url: string, query: URLSearchParams, number: number): string {
  const parts: string[] = [];
  for (const [k, v] of query) if (k !== 'page[number]') parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  if (number > 1) parts.push(`${encodeURIComponent('page[number]')}=${number}`);
  return parts.length > 0 ? `${url}?${parts.join('&')}` : url;
}

/** The top-level links of a list page. */
export function pageLinks(url: string, query: URLSearchParams, paging: Paging, hasNext: boolean): Record<string, string> {
  if (paging.size === -1) return { self: pageUrl(url, query, 1) };
  const links: Record<string, string> = { self: pageUrl(url, query, paging.number), first: pageUrl(url, query, 1) };
  if (paging.number > 1) links['prev'] = pageUrl(url, query, paging.number - 1);
  if (hasNext) links['next'] = pageUrl(url, query, paging.number + 1);
  return links;
}
