/**
 * The JSON:API actions of the fake Oro on a resource type: list, get, create (with compound
 * `included`), update, delete, OPTIONS and the Batch API entry point, plus async operation reads.
 */
import type { Json, Resource } from '../types/index.js';
import { AsyncOperations, handleSyncBatch, renderOperation, renderOperationError, type AsyncOperation } from './batch.js';
import { ApiFailure, apiError, errorReply, fail, isObject, type Reply } from './json-api.js';
import { resourceDocumentErrors } from './document.js';
import { invalidJsonDetail } from './json-parse.js';
import { listPage, parseFilters, selectRecords, sortOrder, type Filter } from './list.js';
import { hookContext, removeRecord } from './mutations.js';
import { pageLinks, parsePaging, slicePage } from './paging.js';
import type { TypeSpec } from './family.js';
import { parseFields, parseInclude, renderIncluded, renderRecord, type RenderOptions } from './serialize.js';
import type { Store, Table } from './store.js';
import { commitWrites, planWrites, savedRecord, type WriteItem } from './write.js';

/** What every handler needs from the server. */
export interface ApiContext {
  readonly store: Store;
  readonly operations: AsyncOperations;
  readonly baseUrl: string;
  readonly now: () => number;
  readonly batchDisabled: ReadonlySet<string>;
  readonly maxPageSize: Readonly<Record<string, number>>;
  /** Oro's wait for a sync batch before it falls back to async (25 s on a real Oro). */
  readonly syncWaitMs: number;
}

/** One API request after authentication and media-type checks. */
export interface ApiRequest {
  readonly method: string;
  readonly query: URLSearchParams;
  /** The query string as sent, without `?` (links are rebuilt from it as Oro does). */
  readonly rawQuery: string;
  readonly body: string;
  readonly hateoas: boolean;
  readonly includeTotal: boolean;
  /** `X-Include: deletedCount` (a DELETE of a list answers `X-Include-Deleted-Count`). */
  readonly includeDeleted: boolean;
  /** The raw `X-Mode` header (the Batch API accepts exactly `sync` or `async`). */
  readonly mode: string | undefined;
  readonly contentType: string | undefined;
}

const JSON_API = 'application/vnd.api+json';

/** Oro's 404 for an id it does not have (`AssertHasResult`, `ValidateEntityExists`). */
const NOT_FOUND = 'An entity with the requested identifier does not exist.';

/** The `Allow` header of a collection or an item of a type: the actions it allows, in Oro's order. */
export function allowedMethods(ctx: ApiContext, spec: TypeSpec, item: boolean): string[] {
  const { create, update, delete: remove } = spec.actions;
  const when = (allowed: boolean, method: string): string[] => (allowed ? [method] : []);
  if (item) return ['OPTIONS', 'GET', ...when(update, 'PATCH'), ...when(remove, 'DELETE')];
  return ['OPTIONS', 'GET', ...when(spec.batch && !ctx.batchDisabled.has(spec.name), 'PATCH'), ...when(create, 'POST'), ...when(remove, 'DELETE')];
}

/** A 405 with `Allow`, for a method the route does not take. */
export function notAllowed(allow: readonly string[]): never {
  throw new ApiFailure([apiError(405, 'action not allowed exception', 'The action is not allowed.')], { Allow: allow.join(', ') });
}

/** Content-Type and non-empty body checks of a write request (415, then 400). */
export function checkWriteBody(req: ApiRequest): void {
  if (req.contentType !== JSON_API)
    fail(415, 'unsupported media type http exception', `The "Content-Type" request header must be "${JSON_API}". Given "${req.contentType ?? ''}".`);
  if (req.body.trim() === '') fail(400, 'request data constraint', 'The request data should not be empty.');
}

/** The request body as JSON, or Oro's 400 for a body that is not. */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return fail(400, 'bad request http exception', invalidJsonDetail(body));
  }
}

/** Splits a checked single-resource document into write items (primary data first, then included). */
function singleDocumentItems(doc: Record<string, unknown>, type: string, urlId?: string): WriteItem[] {
  const included = Array.isArray(doc['included']) ? doc['included'] : [];
  const primary: WriteItem = urlId === undefined ? { raw: doc['data'], pointer: '/data', metaBase: '', role: 'data', expectedType: type } : { raw: doc['data'], pointer: '/data', metaBase: '', role: 'data', expectedType: type, urlId };
  return [primary, ...included.map((raw, i): WriteItem => ({ raw, pointer: `/included/${i}`, metaBase: `/included/${i}`, role: 'included' }))];
}

/** How the request wants records rendered (links, sparse fieldsets). */
export function renderOptions(ctx: ApiContext, req: ApiRequest): RenderOptions {
  return { baseUrl: ctx.baseUrl, hateoas: req.hateoas, fields: parseFields(req.query) };
}

/** Writes a single-resource document; answers 201 (created) or 200 (updated / validated). */
function write(ctx: ApiContext, req: ApiRequest, type: string, urlId?: string): Reply {
  checkWriteBody(req);
  const doc = parseJson(req.body);
  const invalid = resourceDocumentErrors(doc, type, urlId);
  if (invalid.length > 0 || !isObject(doc)) return errorReply(invalid);
  const plan = planWrites(ctx.store, singleDocumentItems(doc, type, urlId), ctx.now());
  if (!plan.ok) return errorReply(plan.errors);
  const committed = commitWrites(ctx.store, plan.writes, ctx.now());
  const options = renderOptions(ctx, req);
  const primary = committed[0];
  if (!primary) return fail(500, 'runtime exception', 'Nothing was written.');
  const included: Resource[] = committed
    .slice(1)
    .map((c) => renderRecord(ctx.store, c.write.spec.name, savedRecord(ctx.store, c), options, c.write.requestId === undefined ? undefined : { includeId: c.write.requestId }));
  const data = renderRecord(ctx.store, type, savedRecord(ctx.store, primary), options);
  const body: Record<string, Json | Resource | Resource[]> = { data };
  if (included.length > 0) body['included'] = included;
  if (primary.write.validateOnly) return { status: 200, json: body };
  const created = primary.write.isNew && urlId === undefined;
  return { status: created ? 201 : 200, json: body, headers: created ? { Location: `${ctx.baseUrl}/${type}/${primary.record.id}` } : {} };
}

/** The table of a type; a type the fake has no table for is Oro's 404. */
export function tableOf(ctx: ApiContext, spec: TypeSpec): Table {
  const table = ctx.store.table(spec.name);
  if (!table) return fail(404, 'entity type constraint', `Unknown entity type: ${spec.name}.`);
  return table;
}

/** The filters of a list request, refused by the type's `listErrors` hook when it has one. */
function filtersOf(ctx: ApiContext, spec: TypeSpec, table: Table, query: URLSearchParams): Filter[] {
  const filters = parseFilters(spec, table, query);
  const views = filters.map((f) => ({ field: f.field, op: f.op, values: f.raw.split(','), parameter: f.parameter }));
  const errors = spec.hooks.listErrors?.(views, hookContext(ctx.store, ctx.now())) ?? [];
  if (errors.length > 0) throw new ApiFailure(errors);
  return filters;
}

/** A list page with links and the optional total header. */
function list(ctx: ApiContext, req: ApiRequest, spec: TypeSpec): Reply {
  const table = tableOf(ctx, spec);
  const filters = filtersOf(ctx, spec, table, req.query);
  const include = parseInclude(ctx.store, spec.name, req.query.get('include'));
  // A sorter Oro lacks is answered before the paging's errors.
  sortOrder(spec, req.query.get('sort'));
  const paging = parsePaging(req.query, ctx.maxPageSize[spec.name]);
  const page = listPage(table, spec, filters, req.query.get('sort'), (paging.number - 1) * Math.max(paging.size, 0), paging.size, req.includeTotal);
  const options = renderOptions(ctx, req);
  const body: Record<string, unknown> = { data: page.rows.map((r) => renderRecord(ctx.store, spec.name, r, options)) };
  if (include.length > 0) body['included'] = renderIncluded(ctx.store, spec.name, page.rows, include, options);
  if (req.hateoas) body['links'] = pageLinks(`${ctx.baseUrl}/${spec.name}`, req.rawQuery, paging, page.hasNext);
  return { status: 200, json: body, headers: page.total !== undefined ? { 'X-Include-Total-Count': String(page.total) } : {} };
}

/** Oro's default limit of a DELETE of a list (`max_results` of `delete_list`). */
export const DELETE_LIST_LIMIT = 100;

/**
 * `DELETE {base}/{type}?filter[...]`: filters required; removes the first 100 matching records
 * (id order) and answers 204, with `X-Include-Total-Count` / `X-Include-Deleted-Count` on request.
 */
function deleteList(ctx: ApiContext, req: ApiRequest, spec: TypeSpec): Reply {
  const table = tableOf(ctx, spec);
  const filters = filtersOf(ctx, spec, table, req.query);
  if (filters.length === 0) fail(400, 'filter constraint', 'At least one filter must be provided.');
  const records = selectRecords(table, filters);
  const deleted = records.slice(0, DELETE_LIST_LIMIT);
  for (const r of deleted) removeRecord(ctx.store, spec.name, r.id, ctx.now());
  const headers: Record<string, string> = {};
  if (req.includeTotal) headers['X-Include-Total-Count'] = String(records.length);
  if (req.includeDeleted) headers['X-Include-Deleted-Count'] = String(deleted.length);
  return { status: 204, headers };
}

/** The Batch API entry point: `X-Mode` must be exactly `sync` or `async` (absent = async). */
function batch(ctx: ApiContext, req: ApiRequest, spec: TypeSpec): Reply | Promise<Reply> {
  if (req.mode !== undefined && req.mode !== 'sync' && req.mode !== 'async')
    fail(400, 'bad request http exception', `The "X-Mode" request header value must be "sync" or "async". Given "${req.mode}".`);
  checkWriteBody(req);
  if (req.mode === 'sync') return syncBatch(ctx, req, spec);
  return accepted(ctx, ctx.operations.submit(spec.name, req.body));
}

/** 202 with `Content-Location` of an async operation. */
function accepted(ctx: ApiContext, op: AsyncOperation): Reply {
  const self = `${ctx.baseUrl}/asyncoperations/${op.id}`;
  return { status: 202, headers: { 'Content-Location': self }, json: { data: renderOperation(op, ctx.baseUrl, true, ctx.now()) } };
}

/**
 * `X-Mode: sync`: Oro hands the request to its message-queue consumer and waits for it. While the
 * consumer is down the request waits `syncWaitMs` (25 s on Oro), then falls back to async: 202 +
 * `Content-Location` of an operation that runs once the consumer is back.
 */
async function syncBatch(ctx: ApiContext, req: ApiRequest, spec: TypeSpec): Promise<Reply> {
  if (ctx.operations.consumerDown && !(await ctx.operations.consumerBack(ctx.syncWaitMs))) return accepted(ctx, ctx.operations.submit(spec.name, req.body));
  return handleSyncBatch(ctx.store, spec.name, req.body, ctx.now(), renderOptions(ctx, req));
}

/** `{base}/{type}` (collection). */
export function handleCollection(ctx: ApiContext, req: ApiRequest, spec: TypeSpec): Reply | Promise<Reply> {
  const allow = allowedMethods(ctx, spec, false);
  if (!allow.includes(req.method)) notAllowed(allow);
  switch (req.method) {
    case 'OPTIONS':
      return { status: 200, headers: { Allow: allow.join(', ') } };
    case 'GET':
      return list(ctx, req, spec);
    case 'POST':
      return write(ctx, req, spec.name);
    case 'DELETE':
      return deleteList(ctx, req, spec);
    default:
      return batch(ctx, req, spec);
  }
}

/** `{base}/{type}/{id}` (one record). */
export function handleItem(ctx: ApiContext, req: ApiRequest, spec: TypeSpec, id: string): Reply {
  const allow = allowedMethods(ctx, spec, true);
  if (!allow.includes(req.method)) notAllowed(allow);
  if (req.method === 'OPTIONS') return { status: 200, headers: { Allow: allow.join(', ') } };
  const table = tableOf(ctx, spec);
  const record = table.get(id);
  if (!record) fail(404, 'not found http exception', NOT_FOUND);
  switch (req.method) {
    case 'GET': {
      const options = renderOptions(ctx, req);
      const include = parseInclude(ctx.store, spec.name, req.query.get('include'));
      const body: Record<string, unknown> = { data: renderRecord(ctx.store, spec.name, record, options) };
      if (include.length > 0) body['included'] = renderIncluded(ctx.store, spec.name, [record], include, options);
      return { status: 200, json: body };
    }
    case 'PATCH':
      return write(ctx, req, spec.name, id);
    default:
      removeRecord(ctx.store, spec.name, id, ctx.now());
      return { status: 204 };
  }
}

/** `{base}/asyncoperations/{id}` and `{base}/asyncoperations/{id}/errors`. */
export function handleAsyncOperation(ctx: ApiContext, req: ApiRequest, id: string | undefined, sub: string | undefined): Reply {
  if (id === undefined || (sub !== undefined && sub !== 'errors')) fail(404, 'not found http exception', 'The requested resource does not exist.');
  if (req.method === 'OPTIONS') return { status: 200, headers: { Allow: 'OPTIONS, GET' } };
  if (req.method !== 'GET') notAllowed(['OPTIONS', 'GET']);
  const op = ctx.operations.get(id);
  if (!op) fail(404, 'not found http exception', NOT_FOUND);
  if (sub === undefined) return { status: 200, json: { data: renderOperation(op, ctx.baseUrl, req.hateoas, ctx.now()) } };
  const paging = parsePaging(req.query);
  const page = slicePage(op.errors, paging);
  const body: Record<string, unknown> = { data: page.rows.map(renderOperationError) };
  if (req.hateoas) body['links'] = pageLinks(`${ctx.baseUrl}/asyncoperations/${op.id}/errors`, req.rawQuery, paging, page.hasNext);
  return { status: 200, json: body, headers: req.includeTotal ? { 'X-Include-Total-Count': String(op.errors.length) } : {} };
}

/** Looks up a type; unknown types are 404 "entity type constraint". */
export function specOf(store: Store, type: string): TypeSpec {
  const spec = store.spec(type);
  if (!spec) fail(404, 'entity type constraint', `Unknown entity type: ${type}.`);
  return spec;
}
