import type { FilterOp, ListQuery } from './types.js';

/**
 * The query string (without `?`) for a {@link ListQuery}, `docs/oro-api.md` §3:
 *
 * - `filter: { name: 'Acme' }`                -> `filter[name]=Acme`
 * - `filter: { id: ['5', '7'] }`              -> `filter[id]=5,7` (OR)
 * - `filter: { updatedAt: { gte: '2024…' } }` -> `filter[updatedAt][gte]=2024…`
 * - `page: { number: 2, size: 100 }`          -> `page[number]=2&page[size]=100`
 * - `sort: '-updatedAt,id'`, `fields: { customers: ['name'] }` -> `fields[customers]=name`,
 *   `include: ['owner']` -> `include=owner`
 *
 * Names and values are percent-encoded (brackets included, as Oro does in its own links); the
 * `,` that joins list values is left literal since it is the list separator. Returns `''` for
 * an empty query.
 *
 * @example buildQuery({ filter: { externalId: ['a', 'b'] }, page: { size: 100 } })
 * // 'filter%5BexternalId%5D=a,b&page%5Bsize%5D=100'
 */
export function buildQuery(query: Omit<ListQuery, 'totalCount'> = {}): string {
  const parts: string[] = [];
  const add = (name: string, value: string): void => {
    parts.push(`${encodeURIComponent(name)}=${value}`);
  };
  const list = (values: readonly string[]): string => values.map(encodeURIComponent).join(',');

  for (const [field, value] of Object.entries(query.filter ?? {})) {
    if (typeof value === 'string') add(`filter[${field}]`, encodeURIComponent(value));
    else if (isList(value)) add(`filter[${field}]`, list(value));
    else {
      for (const [op, operand] of Object.entries(value) as [FilterOp, string | undefined][]) {
        if (operand !== undefined) add(`filter[${field}][${op}]`, encodeURIComponent(operand));
      }
    }
  }
  if (query.page?.number !== undefined) add('page[number]', String(query.page.number));
  if (query.page?.size !== undefined) add('page[size]', String(query.page.size));
  if (query.sort !== undefined && query.sort !== '') add('sort', list(query.sort.split(',')));
  for (const [type, names] of Object.entries(query.fields ?? {})) add(`fields[${type}]`, list(names));
  if (query.include !== undefined && query.include.length > 0) add('include', list(query.include));
  return parts.join('&');
}

function isList(value: unknown): value is readonly string[] {
  return Array.isArray(value);
}

/** `url` with `query` appended (`?` or `&` as needed); `url` unchanged for an empty query. */
export function withQuery(url: string, query: string): string {
  if (query === '') return url;
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}
