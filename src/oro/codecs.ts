import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { DecodeError } from '../errors/decode-error.js';
import { locateIoTsError } from '../errors/describe-io-ts.js';
import { shortJson } from '../errors/short-json.js';
import type { Json, Relationship, Resource, ResourceIdentifier } from '../types/jsonapi.js';
import { isListDocument, isSingleResourceDocument } from './resource-guards.js';

/*
 * io-ts codecs for every document read from Oro (`docs/oro-api.md` §2–§6), except its error
 * document (§4), which `errors/errors-of.ts` reads. `t.type`/`t.partial` let unknown fields
 * through, so a newer Oro that adds members still decodes; the fields we rely on are checked.
 */

/**
 * Any JSON value. What we decode always comes from `JSON.parse`, so every defined value is JSON;
 * checking attribute values recursively would cost time on every page for nothing.
 */
export const JsonValue = new t.Type<Json, Json, unknown>(
  'Json',
  (u): u is Json => u !== undefined,
  (u, c) => (u === undefined ? t.failure(u, c) : t.success(u as Json)),
  t.identity,
);

/**
 * A JSON object where PHP may have written an empty one as `[]` (an empty PHP array encodes as a
 * list): `[]` decodes to `{}`.
 */
function phpObject<A>(codec: t.Type<A, A, unknown>): t.Type<A, A, unknown> {
  return new t.Type<A, A, unknown>(
    codec.name,
    codec.is,
    (u, c) => (Array.isArray(u) && u.length === 0 ? codec.validate({}, c) : codec.validate(u, c)),
    t.identity,
  );
}

const JsonObject = phpObject(t.record(t.string, JsonValue, 'JsonObject'));

export const ResourceIdentifierCodec: t.Type<ResourceIdentifier> = t.type({ type: t.string, id: t.string }, 'ResourceIdentifier');

export const RelationshipCodec: t.Type<Relationship> = t.type(
  { data: t.union([t.null, ResourceIdentifierCodec, t.readonlyArray(ResourceIdentifierCodec)], 'null | ResourceIdentifier | ResourceIdentifier[]') },
  'Relationship',
);

/** A resource object as Oro returns it (always with an `id`). */
export const ResourceCodec: t.Type<Resource> = t.intersection(
  [
    t.type({ type: t.string, id: t.string }),
    t.partial({
      attributes: JsonObject,
      relationships: phpObject(t.record(t.string, RelationshipCodec, 'Relationships')),
      meta: JsonObject,
      links: JsonObject,
    }),
  ],
  'Resource',
);

const Links = t.partial({ self: t.string, first: t.string, prev: t.string, next: t.string }, 'Links');

/**
 * `codec` behind a hand-written check: a value `accepts` passes is the codec's result as it is
 * (the check must accept only values the codec returns unchanged); anything else is decoded by
 * the codec, which converts it or reports where it is wrong, exactly as without the check.
 */
function withFastPath<A>(codec: t.Type<A, A, unknown>, accepts: (u: unknown) => boolean): t.Type<A, A, unknown> {
  return new t.Type<A, A, unknown>(
    codec.name,
    codec.is,
    // The codec takes this codec's place in the context, so error paths read as they did without it.
    (u, c) => (accepts(u) ? t.success(u as A) : codec.validate(u, [...c.slice(0, -1), { key: c[c.length - 1]?.key ?? '', type: codec, actual: u }])),
    codec.encode,
  );
}

/** The io-ts codec alone (the guard is tested against it). */
export const SingleResourceDocumentCodec = t.intersection(
  [t.type({ data: ResourceCodec }), t.partial({ included: t.readonlyArray(ResourceCodec), links: Links, meta: JsonObject })],
  'SingleResourceDocument',
);
export type SingleResourceDocument = t.TypeOf<typeof SingleResourceDocumentCodec>;
/** `{ data: Resource, included? }`: GET item, POST, PATCH item. */
export const SingleResourceDocument = withFastPath(SingleResourceDocumentCodec, isSingleResourceDocument);

/** The io-ts codec alone (the guard is tested against it). */
export const ListDocumentCodec = t.intersection(
  [t.type({ data: t.readonlyArray(ResourceCodec) }), t.partial({ included: t.readonlyArray(ResourceCodec), links: Links, meta: JsonObject })],
  'ListDocument',
);
export type ListDocument = t.TypeOf<typeof ListDocumentCodec>;
/** `{ data: Resource[], included?, links?: { next? } }`: GET list, sync batch. */
export const ListDocument = withFastPath(ListDocumentCodec, isListDocument);

export const AsyncOperationStatus = t.keyof(
  { new: null, running: null, success: null, failed: null, cancelled: null },
  'AsyncOperationStatus',
);

const NullableNumber = t.union([t.number, t.null], 'number | null');

export const AsyncOperationSummaryCodec = t.partial(
  {
    aggregateTime: t.number,
    readCount: t.number,
    writeCount: t.number,
    errorCount: t.number,
    createCount: t.number,
    updateCount: t.number,
  },
  'AsyncOperationSummary',
);

/** `GET {base}/asyncoperations/{id}` (and the body of a 202 from the Batch API). */
export const AsyncOperationDocument = t.type(
  {
    data: t.type({
      type: t.literal('asyncoperations'),
      id: t.string,
      attributes: t.intersection([
        t.type({ status: AsyncOperationStatus }),
        t.partial({ progress: NullableNumber, summary: t.union([AsyncOperationSummaryCodec, t.null]), entityType: t.string }),
      ]),
    }),
  },
  'AsyncOperationDocument',
);
export type AsyncOperationDocument = t.TypeOf<typeof AsyncOperationDocument>;

const AsyncErrorSource = t.partial({ pointer: t.string, propertyPath: t.string }, 'AsyncErrorSource');

/** One `asyncoperationerrors` resource: `status` is an integer here, unlike in error documents. */
export const AsyncOperationErrorResource = t.intersection(
  [
    t.type({
      id: t.string,
      attributes: t.intersection([
        t.type({ status: t.Int, title: t.string }),
        t.partial({ detail: t.string, source: t.union([AsyncErrorSource, t.null]) }),
      ]),
    }),
    // Tolerated at the top level too: JSON:API puts `source` on error objects, not on resources.
    t.partial({ type: t.string, source: t.union([AsyncErrorSource, t.null]) }),
  ],
  'AsyncOperationErrorResource',
);

/** `GET {base}/asyncoperations/{id}/errors`: a paginated list. */
export const AsyncOperationErrorsDocument = t.intersection(
  [t.type({ data: t.readonlyArray(AsyncOperationErrorResource) }), t.partial({ links: Links })],
  'AsyncOperationErrorsDocument',
);
export type AsyncOperationErrorsDocument = t.TypeOf<typeof AsyncOperationErrorsDocument>;

/**
 * Decode `value` with `codec` or throw a {@link DecodeError} whose problems each name the path:
 * `data.0.id: expected string, got 5`.
 *
 * @param what where the value came from, e.g. `GET https://shop/admin/api/customers response`
 */
export function decodeOrThrow<A, O>(codec: t.Type<A, O, unknown>, value: unknown, what: string): A {
  const result = codec.decode(value);
  if (isLeft(result)) throw new DecodeError(what, reportErrors(result.left));
  return result.right;
}

/**
 * One line per problem, `path: expected Type, got value` (the path from the shared io-ts walk,
 * which skips union and intersection member indexes; `(root)` for the document itself).
 * When a union fails both at its own level and deeper inside one member, only the deeper (more
 * specific) problem is kept.
 */
export function reportErrors(errors: t.Errors, limit = 10): string[] {
  const problems = new Map<string, string>();
  for (const error of errors) {
    const { path: keys, expected } = locateIoTsError(error.context);
    const path = keys.length > 0 ? keys.join('.') : '(root)';
    if (!problems.has(path)) problems.set(path, `${path}: expected ${expected ?? 'unknown'}, got ${shortJson(error.value, 60, '...')}`);
  }
  const paths = [...problems.keys()];
  const specific = paths.filter((p) => !paths.some((q) => q !== p && (p === '(root)' || q.startsWith(`${p}.`))));
  const lines = specific.map((p) => problems.get(p) as string);
  return lines.length > limit ? [...lines.slice(0, limit), `and ${lines.length - limit} more`] : lines;
}
