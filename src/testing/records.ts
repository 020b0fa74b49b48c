/**
 * The shapes of stored and about-to-be-written records, shared by the store, the write planner
 * and the families' hooks.
 */
import type { Json } from '../types/index.js';

/** A stored relationship: a to-one id (null = none), or the member ids of an owned to-many one. */
export type StoredLink = string | null | readonly string[];

/** A stored record: attribute values plus relationship ids. */
export interface StoredRecord {
  readonly id: string;
  readonly attributes: Readonly<Record<string, Json>>;
  readonly relationships: Readonly<Record<string, StoredLink>>;
}

/** A reference to a record created in the same request, whose id is assigned at commit. */
export interface PendingRef {
  id: string | undefined;
}

/** A to-one relationship value after resolution: a stored id, a record of the same request, or none. */
export type RelValue = string | PendingRef | null;

/** A relationship value after resolution: to-one, or the members of an owned to-many one. */
export type FieldLink = RelValue | readonly RelValue[];

/** The validated, merged field values of one record to write. */
export interface Fields {
  readonly attributes: Record<string, Json>;
  readonly relationships: Record<string, FieldLink>;
}

/** The stored id of a resolved to-one value (a pending one has its id once committed). */
export const linkId = (value: RelValue): string | null => (value === null ? null : typeof value === 'string' ? value : (value.id ?? null));

/** `true` for the members of a to-many relationship. */
export const isLinkList = (value: FieldLink): value is readonly RelValue[] => Array.isArray(value);
