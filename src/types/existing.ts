import type { Json, ResourceObject } from './jsonapi.js';

/**
 * What Oro holds for a record's key, as Oro answers a read of it: the resource and the related
 * resources read with it (a product's names and unit precisions), the shape of a JSON:API document
 * and of an `oro` source's records.
 *
 * @example
 * ```ts
 * const existing: ExistingRecord = {
 *   data: { type: 'products', id: '7', relationships: { names: { data: [{ type: 'productnames', id: '31' }] } } },
 *   included: [{ type: 'productnames', id: '31', attributes: { string: 'Widget', fallback: null } }],
 * };
 * ```
 */
export interface ExistingRecord {
  readonly data: ResourceObject & { readonly id: string };
  readonly included: readonly ResourceObject[];
}

/** How Oro's record is read for a record built from it: what to include, and which fields. */
export interface ExistingRead {
  /** Relationships read along (`include=names,unitPrecisions`). */
  readonly include: readonly string[];
  /** Sparse fieldsets per type; absent: every field of the record. */
  readonly fields?: Readonly<Record<string, readonly string[]>>;
}

/** A record's document, made once Oro's copy of it is known. */
export interface BuiltBody {
  readonly resource: ResourceObject;
  readonly included?: readonly ResourceObject[];
}

/**
 * A record whose document depends on what Oro holds for its key (a product's existing default
 * name and unit precisions are changed in place, a transform is told the record it updates). The
 * sink reads Oro's record with `read`, then calls `build`; change detection covers `basis`, which
 * is known before anything is read.
 */
export interface BuiltLater {
  /** What the record's digest covers besides its resource: the content `build` writes. */
  readonly basis: Json;
  readonly read: ExistingRead;
  /**
   * The document to send. `resource` is the record's resource as the sink holds it (source-keyed
   * relationships resolved); `existing` is Oro's record, undefined when it will be created. A
   * `problem` (an error detail: title, detail) rejects the record.
   */
  readonly build: (resource: ResourceObject, existing: ExistingRecord | undefined) => BuiltBody | BuildProblem;
}

/** Why a record built from Oro's copy cannot be written, in the shape of an error detail. */
export interface BuildProblem {
  readonly problem: { readonly title: string; readonly detail: string };
}
