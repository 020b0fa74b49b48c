/**
 * Oro's paging: `page[number]`/`page[size]` parameters and the HATEOAS links of a list
 * (`self`, `first`, `prev`, `next`; never `last`; page 1 without `page[number]`; parameters
 * sorted and percent-encoded as Oro rebuilds them, ApiBundle `Metadata/*PageLinkMetadata`).
 */
import { ApiFailure, apiError, param } from './json-api.js';
import { rawUrlEncode, urlDecode } from './query-string.js';

/** A page request: `size` -1 means "everything". */
export interface Paging {
  readonly number: number;
  readonly size: number;
}

const pagingError = (detail: string, name: string): ApiFailure => new ApiFailure([apiError(400, 'filter constraint', detail, param(name))]);

/**
 * Reads and checks `page[number]` (default 1, an unsigned integer from 1) and `page[size]`
 * (default 10, an integer from -1; `0` is an empty page, as on Oro, and `-1` everything, or
 * `maxSize` records where the type has a maximum), with Oro's messages (`PageNumberFilter`,
 * `PageSizeFilter`, `ValidatePaging`, `NormalizePaging`).
 */
export function parsePaging(query: URLSearchParams, maxSize?: number): Paging {
  const rawNumber = query.get('page[number]');
  const rawSize = query.get('page[size]');
  if (rawNumber !== null && !/^\d+$/.test(rawNumber)) throw pagingError(`Expected unsigned integer value. Given "${rawNumber}".`, 'page[number]');
  const number = rawNumber === null ? 1 : Number(rawNumber);
  if (number < 1) throw pagingError('The value should be greater than or equals to 1.', 'page[number]');
  if (rawSize !== null && !/^-?\d+$/.test(rawSize)) throw pagingError(`Expected integer value. Given "${rawSize}".`, 'page[size]');
  const size = rawSize === null ? 10 : Number(rawSize);
  if (size < -1) throw pagingError('The value should be greater than or equals to -1.', 'page[size]');
  if (maxSize === undefined) return { number, size };
  if (size > maxSize) throw pagingError(`The value should be less than or equals to ${maxSize}.`, 'page[size]');
  return { number, size: size === -1 ? maxSize : size };
}

/** The rows of one page and whether more rows exist after it. */
export function slicePage<T>(rows: readonly T[], paging: Paging): { rows: T[]; hasNext: boolean } {
  if (paging.size === -1) return { rows: [...rows], hasNext: false };
  if (paging.size === 0) return { rows: [], hasNext: false };
  const start = (paging.number - 1) * paging.size;
  return { rows: rows.slice(start, start + paging.size), hasNext: rows.length > start + paging.size };
}

/**
 * The request's parameters as Oro rebuilds them for links: sorted by name (Oro's
 * `RequestQueryStringNormalizer`), the last of a repeated name kept, `[eq]` dropped as the
 * default operator, names Oro does not read as filters left out.
 */
function normalizedParameters(rawQuery: string): [string, string][] {
  const pairs = rawQuery
    .split('&')
    .filter((part) => part !== '' && !part.startsWith('='))
    .map((part): [string, string] => {
      const eq = part.indexOf('=');
      return eq < 0 ? [urlDecode(part), ''] : [urlDecode(part.slice(0, eq)), urlDecode(part.slice(eq + 1))];
    })
    .filter(([name]) => /^[\w.-]+(\[[\w.-]*\])*$/.test(name))
    .map(([name, value]): [string, string] => [name.replace(/\[eq\]$/, ''), value]);
  const sorted = pairs.map((pair, i) => ({ pair, i })).sort((a, b) => (a.pair[0] < b.pair[0] ? -1 : a.pair[0] > b.pair[0] ? 1 : a.i - b.i));
  const out: [string, string][] = [];
  for (const { pair } of sorted) {
    const at = out.findIndex(([name]) => name === pair[0]);
    if (at < 0) out.push(pair);
    else out[at] = pair;
  }
  return out;
}

/**
 * The parameters with `page[number]` set (Oro's `QueryStringUtil::addParameter`: in place when
 * present, else after the other `page[...]` parameters, else last) or removed (`undefined`).
 */
function withPageNumber(parameters: readonly [string, string][], number: number | undefined): [string, string][] {
  const out = parameters.filter(([name]) => name !== 'page[number]');
  if (number === undefined) return out;
  const existing = parameters.findIndex(([name]) => name === 'page[number]');
  const pair: [string, string] = ['page[number]', String(number)];
  if (existing >= 0) out.splice(existing, 0, pair);
  else {
    const lastPage = out.map(([name]) => name.startsWith('page[')).lastIndexOf(true);
    out.splice(lastPage < 0 ? out.length : lastPage + 1, 0, pair);
  }
  return out;
}

const urlWith = (url: string, parameters: readonly [string, string][]): string =>
  parameters.length === 0 ? url : `${url}?${parameters.map(([name, value]) => `${rawUrlEncode(name)}=${rawUrlEncode(value)}`).join('&')}`;

/**
 * The top-level links of a list page as Oro builds them: `self` is the list's URL without its
 * query string; `first` and `prev` only after page 1 (page 1 without `page[number]`); `next`
 * only when more rows exist; never `last`.
 */
export function pageLinks(url: string, rawQuery: string, paging: Paging, hasNext: boolean): Record<string, string> {
  const parameters = normalizedParameters(rawQuery);
  const links: Record<string, string> = { self: url };
  if (paging.number > 1) {
    links['first'] = urlWith(url, withPageNumber(parameters, undefined));
    links['prev'] = urlWith(url, withPageNumber(parameters, paging.number - 1 > 1 ? paging.number - 1 : undefined));
  }
  if (hasNext) links['next'] = urlWith(url, withPageNumber(parameters, paging.number + 1));
  return links;
}
