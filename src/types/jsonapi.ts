/**
 * JSON:API document shapes as Oro's API uses them (`docs/oro-api.md` §2–§6).
 *
 * These are the plain types; the io-ts codecs that check what Oro sends back live in
 * `src/oro/codecs.ts` and decode to these shapes.
 */

/** Any JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** `{type, id}`: how JSON:API names one resource. */
export interface ResourceIdentifier {
  readonly type: string;
  readonly id: string;
}

/** A relationship value: to-one (possibly null) or to-many. */
export interface Relationship {
  readonly data: ResourceIdentifier | null | readonly ResourceIdentifier[];
}

/**
 * A resource object as we send it. `id` is absent on a create (or is a temporary id inside a
 * batch / `included`); `meta` carries Oro's `upsert` / `update` / `includeId` options.
 */
export interface ResourceObject {
  readonly type: string;
  readonly id?: string;
  readonly attributes?: Readonly<Record<string, Json>>;
  readonly relationships?: Readonly<Record<string, Relationship>>;
  readonly meta?: Readonly<Record<string, Json>>;
}

/** A resource object as Oro returns it: always with an id. */
export interface Resource extends ResourceObject {
  readonly id: string;
  readonly links?: Readonly<Record<string, Json>>;
}

/** The body we send on a POST/PATCH of one resource. */
export interface SingleDocument {
  readonly data: ResourceObject;
  readonly included?: readonly ResourceObject[];
}

/** The body we send to the Batch API (`PATCH {base}/{type}`). */
export interface BatchDocument {
  readonly data: readonly ResourceObject[];
  readonly included?: readonly ResourceObject[];
}
