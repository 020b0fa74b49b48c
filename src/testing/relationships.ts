/**
 * Relationship routes: `{base}/{type}/{id}/{name}` (the related records, read-only) and
 * `{base}/{type}/{id}/relationships/{name}` (resource identifiers): read with GET, replaced with
 * PATCH, and for a to-many relationship extended with POST and shrunk with DELETE, answered 204,
 * as Oro's `update_relationship`, `add_relationship` and `delete_relationship` do.
 */
import type { Resource } from '../types/index.js';
import type { RelationshipSpec, TypeSpec } from './family.js';
import { checkWriteBody, notAllowed, parseJson, renderOptions, tableOf, type ApiContext, type ApiRequest } from './handlers.js';
import { apiError, at, errorReply, fail, isObject, type ApiError, type Reply } from './json-api.js';
import { mutationContext } from './mutations.js';
import type { StoredRecord } from './records.js';
import { renderRecord } from './serialize.js';
import { commitWrites, planWrites } from './write.js';

const requestData = (pointer: string, detail: string): ApiError => apiError(400, 'request data constraint', detail, at(pointer));

/** Whether the relationship can be changed through its route: the type allows updates. */
const writable = (spec: TypeSpec): boolean => spec.actions.update;

/** The `Allow` header of a relationship route (Oro's OptionsRequestTest). */
function allowed(spec: TypeSpec, rel: RelationshipSpec): string[] {
  if (!writable(spec) || rel.updateRelationship === false) return ['OPTIONS', 'GET'];
  return rel.toMany ? ['OPTIONS', 'GET', 'PATCH', 'POST', 'DELETE'] : ['OPTIONS', 'GET', 'PATCH'];
}

/** Oro's `RelationshipRequestDataValidator`: `data` is null or an identifier (to-one), or a list of identifiers (to-many). */
function bodyErrors(doc: unknown, toMany: boolean): ApiError[] {
  if (!isObject(doc) || !('data' in doc)) return [requestData('/data', 'The "data" top-level section should exist')];
  const data = doc['data'];
  const identifier = (value: unknown, pointer: string): ApiError[] => {
    if (!isObject(value)) return [requestData(pointer, 'The resource identifier object should be an object')];
    if (Object.keys(value).length === 0) return [requestData(pointer, 'The resource identifier object should be not empty object')];
    return ['type', 'id'].flatMap((name) => {
      const v = value[name];
      if (v === undefined) return [requestData(`${pointer}/${name}`, `The '${name}' property is required`)];
      if (typeof v !== 'string') return [requestData(`${pointer}/${name}`, `The '${name}' property should be a string`)];
      return v.trim() === '' ? [requestData(`${pointer}/${name}`, `The '${name}' property should not be blank`)] : [];
    });
  };
  if (!toMany) return data === null ? [] : isObject(data) ? identifier(data, '/data') : [requestData('/data', 'The resource identifier object should be NULL or an object')];
  if (!Array.isArray(data)) return [requestData('/data', 'The list of resource identifier objects should be an array')];
  return data.flatMap((member, k) => identifier(member, `/data/${k}`));
}

/** Ids of a relationship's members now. */
function memberIds(ctx: ApiContext, spec: TypeSpec, record: StoredRecord, name: string): string[] {
  const linked = renderRecord(ctx.store, spec.name, record, { baseUrl: ctx.baseUrl, hateoas: false }).relationships?.[name]?.data;
  return Array.isArray(linked) ? linked.map((ref) => ref.id) : [];
}

/** Errors of the parent's planned update, their pointers moved from the relationship's place in a resource to the route's `/data`. */
const moved = (errors: readonly ApiError[], name: string): ApiError[] =>
  errors.map((e) => {
    const prefix = `/data/relationships/${name}/data`;
    const pointer = e.source && 'pointer' in e.source ? e.source.pointer : undefined;
    return pointer?.startsWith(prefix) ? { ...e, source: { pointer: `/data${pointer.slice(prefix.length)}` } } : e;
  });

/**
 * Changes a relationship through its route. The new value is checked as an update of the parent
 * record would be (types, ids, existence, the family's rules such as a cycle of parents); an
 * inverse to-many relationship (`children`, `users`) is then changed on its members, whose own
 * to-one side (`parent`, `customer`) is set or cleared.
 */
function change(ctx: ApiContext, req: ApiRequest, spec: TypeSpec, record: StoredRecord, name: string, rel: RelationshipSpec): Reply {
  checkWriteBody(req);
  const doc = parseJson(req.body);
  const invalid = bodyErrors(doc, rel.toMany !== undefined);
  if (invalid.length > 0 || !isObject(doc)) return errorReply(invalid);
  const sent = doc['data'];
  let data = sent;
  if (rel.toMany && req.method !== 'PATCH') {
    const given = (sent as { type: string; id: string }[]).map((m) => m.id);
    const current = memberIds(ctx, spec, record, name);
    const ids = req.method === 'POST' ? [...current, ...given.filter((id) => !current.includes(id))] : current.filter((id) => !given.includes(id));
    // Members of another type stay in, so the update refuses them as Oro does.
    const foreign = (sent as { type: string }[]).filter((m) => m.type !== rel.target);
    data = [...ids.map((id) => ({ type: rel.target, id })), ...foreign];
  }
  const now = ctx.now();
  const update = { raw: { type: spec.name, id: record.id, relationships: { [name]: { data } } }, pointer: '/data', metaBase: '', role: 'data' as const, expectedType: spec.name, urlId: record.id };
  const plan = planWrites(ctx.store, [update], now);
  if (!plan.ok) return errorReply(moved(plan.errors, name));
  if (rel.toMany && 'inverseOf' in rel.toMany) {
    const inverse = rel.toMany.inverseOf;
    const wanted = (data as { id: string }[]).map((m) => m.id);
    const mutate = mutationContext(ctx.store, now);
    for (const id of memberIds(ctx, spec, record, name))
      if (!wanted.includes(id)) {
        const member = ctx.store.get(rel.target, id);
        if (member) mutate.replace(rel.target, { ...member, relationships: { ...member.relationships, [inverse]: null } });
      }
    for (const id of wanted) {
      const member = ctx.store.get(rel.target, id);
      if (member && member.relationships[inverse] !== record.id) mutate.replace(rel.target, { ...member, relationships: { ...member.relationships, [inverse]: record.id } });
    }
  } else commitWrites(ctx.store, plan.writes, now);
  return { status: 204 };
}

/** `{base}/{type}/{id}/relationships/{name}` (`identifiersOnly`) and `{base}/{type}/{id}/{name}`. */
export function handleRelated(ctx: ApiContext, req: ApiRequest, spec: TypeSpec, id: string, name: string, identifiersOnly: boolean): Reply {
  const rel = spec.relationships[name];
  if (!rel) fail(404, 'not found http exception', 'The requested resource does not exist.');
  const allow = identifiersOnly ? allowed(spec, rel) : ['OPTIONS', 'GET'];
  if (req.method === 'OPTIONS') return { status: 200, headers: { Allow: allow.join(', ') } };
  if (!allow.includes(req.method)) notAllowed(allow);
  const record = tableOf(ctx, spec).get(id);
  if (!record) fail(404, 'not found http exception', 'The parent entity does not exist.');
  if (req.method !== 'GET') return change(ctx, req, spec, record, name, rel);
  const options = renderOptions(ctx, req);
  const linked = renderRecord(ctx.store, spec.name, record, { baseUrl: ctx.baseUrl, hateoas: false }).relationships?.[name]?.data ?? null;
  if (identifiersOnly) return { status: 200, json: { data: linked } };
  const target = ctx.store.table(rel.target);
  const full = (ref: { type: string; id: string }): Resource | null => {
    const row = target?.get(ref.id);
    return row ? renderRecord(ctx.store, rel.target, row, options) : null;
  };
  const data = linked === null ? null : 'type' in linked ? full(linked) : linked.flatMap((ref) => full(ref) ?? []);
  return { status: 200, json: { data } };
}
