import { HttpError } from '../errors/http-error.js';
import { OroSourceError } from '../errors/oro-source-error.js';
import type { ErrorDetail } from '../types/outcome.js';

/** What the Oro source asked for, to say which part of the config Oro refused. */
export interface AskedFor {
  readonly type: string;
  /** The user's own filters (`source.filter`), by field. */
  readonly filter: Readonly<Record<string, string>>;
  readonly include: readonly string[];
  readonly pageSize: number;
}

/**
 * A permanent refusal of a list request turned into an {@link OroSourceError} that names the
 * config path to change, with Oro's title, detail and parameter kept. Oro names the offending
 * query parameter in `source.parameter` (docs/oro-api.md §4, §9), so the parameter says which
 * part of the request it was: the keyset's own `updatedAt`/`id` filters and `sort` (the type
 * cannot be read incrementally), one of `source.filter`, `source.include` or `source.pageSize`.
 * Anything else (transient errors, 401) is returned as it is.
 *
 * @example
 * ```ts
 * try { page = await client.list('orders', query); } catch (error) { throw refusalOf(error, asked); }
 * ```
 */
export function refusalOf(error: unknown, asked: AskedFor): unknown {
  if (!(error instanceof HttpError) || error.errorClass !== 'permanent') return error;
  const { type } = asked;
  const first = error.errors[0];
  const said = (detail: ErrorDetail | undefined): string =>
    detail === undefined ? `${error.status}` : `${error.status} ${detail.title}${detail.detail ? `: ${detail.detail}` : ''}`;
  const refused = (path: string, parameter: string, detail: ErrorDetail, change: string): OroSourceError =>
    new OroSourceError(path, `Oro refused ${parameter} (${said(detail)}); ${change}`, error.errors, { cause: error });

  // What the type cannot do at all says more than a filter or include that could be fixed.
  const rank = (detail: ErrorDetail): number => (/^(filter\[(updatedAt|id)\]|sort$)/.test(detail.parameter ?? '') ? 0 : 1);
  for (const detail of [...error.errors].sort((a, b) => rank(a) - rank(b))) {
    const parameter = detail.parameter;
    if (parameter === undefined) continue;
    const field = /^filter\[([^\]]+)\]/.exec(parameter)?.[1];
    if (field === 'updatedAt' || parameter === 'sort') {
      return refused('source.type', parameter, detail,
        `"${type}" cannot be read by updatedAt, which this source needs: it reads what changed with ` +
        'filter[updatedAt][gte] and sort=updatedAt,id. Choose a type that Oro filters and sorts by updatedAt');
    }
    if (field === 'id') {
      return refused('source.type', parameter, detail,
        `this source needs filter[id][gt] on "${type}" to page through records that share one updatedAt second`);
    }
    if (field !== undefined && field in asked.filter) {
      return refused(`source.filter.${field}`, parameter, detail, `use a field and value Oro filters "${type}" by, or remove it`);
    }
    if (parameter === 'include' || parameter.startsWith('fields[')) {
      return refused('source.include', parameter, detail, `name relationships of "${type}" (e.g. "lineItems" on orders)`);
    }
    if (parameter.startsWith('page[')) {
      return refused('source.pageSize', `${parameter}=${asked.pageSize}`, detail, 'lower source.pageSize to what Oro allows for this type');
    }
  }
  if (error.status === 404) {
    return new OroSourceError('source.type', `Oro has no type "${type}" (${said(first)}); check the name in Oro's API (e.g. "orders")`, error.errors, { cause: error });
  }
  if (error.status === 403) {
    return new OroSourceError('source.type', `Oro refused to list "${type}" (${said(first)}); give the API user view permission on it`, error.errors, { cause: error });
  }
  return new OroSourceError('source', `Oro refused to list "${type}": ${error.message}`, error.errors, { cause: error });
}
