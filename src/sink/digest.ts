import { hash } from 'node:crypto';
import type { ResourceObject } from '../types/jsonapi.js';

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
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      out += (i > 0 ? ',' : '') + (item === undefined ? 'null' : canonicalJson(item));
    }
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length > 1) keys.sort();
  let out = '{';
  for (const key of keys) {
    const member = object[key];
    if (member === undefined) continue;
    out += (out.length > 1 ? ',' : '') + JSON.stringify(key) + ':' + canonicalJson(member);
  }
  return `${out}}`;
}

/** What a record's digest covers: what Oro is asked to hold for its key. */
export interface DigestInput {
  /** The target type (`target.type`). */
  readonly type: string;
  /** The resource as sent, relationships resolved to Oro ids (no `id`: the key finds the record). */
  readonly resource: ResourceObject;
  readonly included?: readonly ResourceObject[] | undefined;
}

/**
 * The sha256 (hex) of a record's canonical JSON: equal digests mean Oro would be sent the same
 * content again.
 */
export function digestOf(input: DigestInput): string {
  const { id: _id, ...resource } = input.resource;
  return hash('sha256', canonicalJson({ type: input.type, resource, included: input.included ?? [] }), 'hex');
}
