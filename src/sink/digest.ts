import { hash } from 'node:crypto';
import type { Json, ResourceObject } from '../types/jsonapi.js';

/**
 * JSON with every object's keys sorted (arrays keep their order), so that two equal values give
 * the same text whatever order a mapping or transform built them in. `undefined` members are
 * left out, as `JSON.stringify` does.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }); // '{"a":[{"c":3,"d":2}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  // Written for speed: it runs once per record, and for unchanged records it is most of the work.
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      out += (i > 0 ? ',' : '') + (item === undefined ? 'null' : canonicalJson(item));
    }
    return `${out}]`;
  }
  return members(value as Record<string, unknown>, undefined);
}

/** The object's members in key order, `skip` (and `undefined` members) left out. */
function members(object: Record<string, unknown>, skip: string | undefined): string {
  const keys = Object.keys(object);
  if (skip === undefined && isFlatInOrder(object, keys)) return JSON.stringify(object);
  if (keys.length > 1) keys.sort();
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const member = object[key];
    if (member === undefined || key === skip) continue;
    out += (out === '' ? '{' : ',') + quoted(key) + ':' + canonicalJson(member);
  }
  return out === '' ? '{}' : `${out}}`;
}

/**
 * Whether the object's members are in key order and none is an object, an array or something
 * JSON cannot hold: then `JSON.stringify` (native) writes exactly what `members` would. A mapping
 * builds its records' objects in one order, so most of them are, record after record.
 */
function isFlatInOrder(object: Record<string, unknown>, keys: readonly string[]): boolean {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0 && (keys[i - 1] as string) > key) return false;
    const member = object[key];
    const type = typeof member;
    if (!(type === 'string' || type === 'number' || type === 'boolean' || member === null || member === undefined)) return false;
  }
  return true;
}

/** Member names repeat from record to record: each is quoted (escaped) once. Bounded. */
const QUOTED = new Map<string, string>();
const QUOTED_MAX = 10_000;

function quoted(key: string): string {
  let text = QUOTED.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (QUOTED.size < QUOTED_MAX) QUOTED.set(key, text);
  }
  return text;
}

/** What a record's digest covers: what Oro is asked to hold for its key. */
export interface DigestInput {
  /** The target type (`target.type`). */
  readonly type: string;
  /** The resource as sent, relationships resolved to Oro ids (no `id`: the key finds the record). */
  readonly resource: ResourceObject;
  readonly included?: readonly ResourceObject[] | undefined;
  /** What a record built once Oro's copy is read will write (`MappedRecord.later.basis`). */
  readonly basis?: Json | undefined;
}

/**
 * The sha256 (hex) of a record's canonical JSON: equal digests mean Oro would be sent the same
 * content again.
 */
export function digestOf(input: DigestInput): string {
  // canonicalJson({ basis, type, resource: resource without its id, included }), written out: no
  // copy of the resource, and the members already in key order. A record without a basis digests
  // as it always did, so the digests stored before there were bases stay valid.
  const basis = input.basis === undefined ? '' : `"basis":${canonicalJson(input.basis)},`;
  const text = `{${basis}"included":${canonicalJson(input.included ?? [])},"resource":${members(input.resource as unknown as Record<string, unknown>, 'id')},"type":${JSON.stringify(input.type)}}`;
  return hash('sha256', text, 'hex');
}
