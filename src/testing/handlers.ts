/**
 * The JSON:API actions of the fake Oro on a resource type: list, get, create (with compound
 * `included`), update, delete, OPTIONS and the Batch API entry point, plus async operation reads.
 */
import type { Json, Resource } from '../types/index.js';
import { AsyncOperations, handleSyncBatch, renderOperation, renderOperationError } from './batch.js';
import { ApiFailure, apiError, at, errorReply, fail, isObject, type Reply } from './json-api.js';
import { selectRecords, sortRecords, parseFilters } from './list.js';
import { pageLinks, parsePaging, slicePage } from './paging.js';
import { TYPES, type TypeSpec } from './resources.js';
import { parseFields, parseInclude, renderIncluded, renderRecord, type RenderOptions } from './serialize.js';
import type { Store, Table } from './store.js';
import { commitWrites, planWrites, type WriteItem } from './write.js';

/** What every handler needs from the server. */
export interface ApiContext {
  readonly store: Store;
  readonly operations: AsyncOperations;
  readonly baseUrl: string;
  readonly now: () => number;
  readonly batchDisabled: ReadonlySet<string>;
  readonly maxPageSize: Readonly<Record<string, number>>;
}

/** One API request after authentication and media-type checks. */
export interface ApiRequest {
  readonly method: string;
  readonly query: URLSearchParams;
  readonly body: string;
  readonly hateoas: boolean;
  readonly includeTotal: boolean;
  readonly syncMode: boolean;
  readonly contentType: string | undefined;
}

const JSON_API = 'application/vnd.api+json';

/** The `Allow` header of a collection or an item of a type. */
export function allowedMethods(ctx: ApiContext, spec: TypeSpec, item: boolean): string[] {
  if (spec.readOnly) return ['OPTIONS', 'GET'];
  if (item) return ['OPTIONS', 'GET', 'PATCH', 'DELETE'];
  return ['OPTIONS', 'GET', 'POST', ...(spec.batch && !ctx.batchDisabled.has(spec.name) ? ['PATCH'] : []), 'DELETE'];
}

function notAllowed(allow: readonly string[]): never {
  throw new ApiFailure([apiError(405, 'action not allowed exception', 'The action is not allowed.')], { Allow: allow.join(', ') });
}

/** Content-Type and non-empty body checks of a write request (415, then 400). */
function checkWriteBody(req: ApiRequest): void {
  if (req.contentType !== JSON_API)
    fail(415, 'unsupported media type http exception', `The "Content-Type" request header must be "${JSON_API}". Given "${req.contentType ?? ''}".`);
  if (req.body.trim() === '') fail(400, 'request data constraint', 'The request data should not be empty.');
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (e) {
    return fail(400, 'bad request http exception', `Invalid json message received. ${(e as Error).message}`);
  }
}

/** Splits a single-resource document into write items (primary data first, then included). */
function singleDocumentItems(doc: unknown, type: string, urlId?: string): WriteItem[] {
  if (!isObject(doc) || doc['data'] === undefined || doc['data'] === null) fail(400, 'request data constraint', 'The primary data object should exist.', at('/data'));
  if (!isObject(doc['data'])) fail(400, 'request data constraint', 'The primary data object should be an object.', at('/data'));
  const included = doc['included'] ?? [];
  if (!Array.isArray(included)) fail(400, 'request data constraint', "The 'included' property should be an array.", at('/included'));
  const primary: WriteItem = urlId === undefined ? { raw: doc['data'], pointer: '/data', metaBase: '', role: 'data', expectedType: type } : { raw: doc['data'], pointer: '/data', metaBase: '', role: 'data', expectedType: type, urlId };
  return [primary, ...included.map((raw, i): WriteItem => ({ raw, pointer: `/included/${i}`, metaBase: `/included/${i}`, role: 'included' }))];
}

function renderOptions(ctx: ApiContext, req: ApiRequest): RenderOptions {
  return { baseUrl: ctx.baseUrl, hateoas: req.hateoas, fields: parseFields(req.query) };
}

/** Writes a single-resource document; answers 201 (created) or 200 (updated / validated). */
function write(ctx: ApiContext, req: ApiRequest, type: string, urlId?: string): Reply {
  checkWriteBody(req);
  const plan = planWrites(ctx.store, singleDocumentItems(parseJson(req.body), type, urlId));
  if (!plan.ok) return errorReply(plan.errors);
  const committed = commitWrites(ctx.store, plan.writes, ctx.now());
  const options = renderOptions(ctx, req);
  const primary = committed[0];
  if (!primary) return fail(500, 'runtime exception', 'Nothing was written.');
  const included: Resource[] = committed
    .slice(1)
    .map((c) => renderRecord(ctx.store, c.write.spec.name, c.record, options, c.write.requestId === undefined ? undefined : { includeId: c.write.requestId }));
  const data = renderRecord(ctx.store, type, primary.record, options);
  const body: Record<string, Json | Resource | Resource[]> = { data };
  if (included.length > 0) body['included'] = included;
  if (primary.write.validateOnly) return { status: 200, json: body };
  const created = primary.write.isNew && urlId === undefined;
  return { status: created ? 201 : 200, json: body, headers: created ? { Location: `${ctx.baseUrl}/${type}/${primary.record.id}` } : {} };
}

function tableOf(ctx: ApiContext, spec: TypeSpec): Table {
  const table = ctx.store.table(spec.name);
  if (!table) return fail(404, 'entity type constraint', `Unknown entity type: ${spec.name}.`);
  return table;
}

/** A list page with links and the optional total header. */
function list(ctx: ApiContext, req: ApiRequest, spec: TypeSpec): Reply {
  const table = tableOf(ctx, spec);
  const filters = parseFilters(spec, table, req.query);
  const include = parseInclude(spec.name, req.query.get('include'));
  const records = sortRecords(spec, selectRecords(table, filters), req.query.get('sort'));
  const paging = parsePaging(req.query, ctx.maxPageSize[spec.name]);
  const page = slicePage(records, paging);
  const options = renderOptions(ctx, req);
  const body: Record<string, unknown> = { data: page.rows.map((r) => renderRecord(ctx.store, spec.name, r, options)) };
  if (include.length > 0) body['included'] = renderIncluded(ctx.store, spec.name, page.rows, include, options);
  if (req.hateoas) body['links'] = pageLinks(`${ctx.baseUrl}/${spec.name}`, req.query, paging, page.hasNext);
  return { status: 200, json: body, headers: req.includeTotal ? { 'X-Include-Total-Count': String(records.length) } : {} };
}

/** `DELETE {base}/{type}?filter[...]`: at most 100 records, filters required. */
function deleteList(ctx: ApiContext, req: ApiRequest, spec: TypeSpec): Reply {
  const table = tableOf(ctx, spec);
  const filters = parseFilters(spec, table, req.query);
  if (filters.length === 0) fail(400, 'filter constraint', 'At least one filter must be provided.');
  const records = selectRecords(table, filters);
  if (records.length > 100) fail(400, 'filter constraint', `The number of records to delete (${records.length}) exceeds the limit of 100.`);
  for (const r of records) table.delete(r.id);
  return { status: 204 };
}

/** `{base}/{type}` (collection). */
export function handleCollection(ctx: ApiContext, req: ApiRequest, spec: TypeSpec): Reply {
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
    default: {
      checkWriteBody(req);
      if (req.syncMode) return handleSyncBatch(ctx.store, spec.name, req.body, ctx.now(), renderOptions(ctx, req));
      const op = ctx.operations.submit(spec.name, req.body);
      const self = `${ctx.baseUrl}/asyncoperations/${op.id}`;
      return { status: 202, headers: { 'Content-Location': self }, json: { data: renderOperation(op, ctx.baseUrl, true, ctx.now()) } };
    }
  }
}

/** `{base}/{type}/{id}` (one record). */
export function handleItem(ctx: ApiContext, req: ApiRequest, spec: TypeSpec, id: string): Reply {
  const allow = allowedMethods(ctx, spec, true);
  if (!allow.includes(req.method)) notAllowed(allow);
  if (req.method === 'OPTIONS') return { status: 200, headers: { Allow: allow.join(', ') } };
  const table = tableOf(ctx, spec);
  const record = table.get(id);
  if (!record) fail(404, 'not found http exception', 'The entity does not exist.');
  switch (req.method) {
    case 'GET': {
      const options = renderOptions(ctx, req);
      const include = parseInclude(spec.name, req.query.get('include'));
      const body: Record<string, unknown> = { data: renderRecord(ctx.store, spec.name, record, options) };
      if (include.length > 0) body['included'] = renderIncluded(ctx.store, spec.name, [record], include, options);
      return { status: 200, json: body };
    }
    case 'PATCH':
      return write(ctx, req, spec.name, id);
    default:
      table.delete(id);
      return { status: 204 };
  }
}

/** `{base}/asyncoperations/{id}` and `{base}/asyncoperations/{id}/errors`. */
export function handleAsyncOperation(ctx: ApiContext, req: ApiRequest, id: string | undefined, sub: string | undefined): Reply {
  if (id === undefined || (sub !== undefined && sub !== 'errors')) fail(404, 'not found http exception', 'The requested resource does not exist.');
  if (req.method === 'OPTIONS') return { status: 200, headers: { Allow: 'OPTIONS, GET' } };
  if (req.method !== 'GET') notAllowed(['OPTIONS', 'GET']);
  const op = ctx.operations.get(id);
  if (!op) fail(404, 'not found http exception', 'The entity does not exist.');
  if (sub === undefined) return { status: 200, json: { data: renderOperation(op, ctx.baseUrl, req.hateoas, ctx.now()) } };
  const paging = parsePaging(req.query);
  const page = slicePage(op.errors, paging);
  const body: Record<string, unknown> = { data: page.rows.map(renderOperationError) };
  if (req.hateoas) body['links'] = pageLinks(`${ctx.baseUrl}/asyncoperations/${op.id}/errors`, req.query, paging, page.hasNext);
  return { status: 200, json: body, headers: req.includeTotal ? { 'X-Include-Total-Count': String(op.errors.length) } : {} };
}

/** Looks up a type; unknown types are 404 "entity type constraint". */
export function specOf(type: string): TypeSpec {
  const spec = TYPES.get(type);
  if (!spec) fail(404, 'entity type constraint', `Unknown entity type: ${type}.`);
  return spec;
}
