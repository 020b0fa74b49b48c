import { createHash } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { canonicalJson, digestOf } from '../../src/sink/digest.js';
import type { ResourceObject } from '../../src/types/jsonapi.js';

/** The definition canonicalJson is written for speed against: plain recursion, keys sorted at every depth. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : reference(item))).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).filter((key) => object[key] !== undefined).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${reference(object[key])}`).join(',')}}`;
}

const json = fc.jsonValue();
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('digest: canonical JSON and the sha256 of what a record asks Oro to hold', () => {
  it('canonicalJson is the JSON of the value with keys sorted at every depth (integer-like keys too)', () => {
    fc.assert(fc.property(json, (value) => canonicalJson(value) === reference(value)), { numRuns: 300 });
  });

  it('canonicalJson leaves undefined members out and writes undefined array items as null, as JSON.stringify does', () => {
    expect(canonicalJson({ b: undefined, a: [1, undefined], '"q"': 'x' })).to.equal('{"\\"q\\"":"x","a":[1,null]}');
    expect(canonicalJson({})).to.equal('{}');
    expect(canonicalJson({ a: undefined })).to.equal('{}');
    expect(canonicalJson([])).to.equal('[]');
  });

  it('digestOf is the sha256 of canonicalJson({ type, resource without its id, included })', () => {
    const resource = fc.record({
      id: fc.option(fc.string(), { nil: undefined }),
      type: fc.string(),
      attributes: fc.dictionary(fc.string(), json),
    });
    fc.assert(fc.property(fc.string(), resource, fc.option(fc.array(fc.record({ type: fc.string(), id: fc.string() })), { nil: undefined }), (type, r, included) => {
      const { id: _id, ...withoutId } = r;
      const expected = sha256(canonicalJson({ type, resource: withoutId, included: included ?? [] }));
      return digestOf({ type, resource: r as ResourceObject, included }) === expected;
    }), { numRuns: 300 });
  });

  it('digests stored by earlier versions still match (the same text is hashed, key order aside)', () => {
    // Computed by the first implementation (object spread + canonicalJson of the wrapper): a
    // digest that changed with an optimisation would send every record of every pipeline again.
    const input = {
      type: 'customers',
      resource: {
        id: '17', type: 'customers',
        attributes: { name: 'Ä "q"', externalId: 'C1', n: 1.5, none: null, gone: undefined, list: [3, { b: 1, a: 2 }, undefined] },
        relationships: { group: { data: { type: 'customergroups', id: '4' } } },
      },
      included: [{ type: 'addresses', id: 'a1', attributes: { z: 1, a: true } }],
    };
    expect(digestOf(input as unknown as Parameters<typeof digestOf>[0])).to.equal('d993890674ff42a03f404672878e0d2f6e0baeecc37bf4f1eb7d5be9dc0d4dd9');
    expect(digestOf({ type: 't', resource: { type: 't' } })).to.equal('1431d77ffe47221ca5130933660976788fcd444d1368bac7144007984e0aa75c');
  });

  it('member order does not change the digest; the id does not count, the target type does', () => {
    const a = digestOf({ type: 'customers', resource: { type: 'customers', attributes: { name: 'A', externalId: 'C1' } } });
    const b = digestOf({ type: 'customers', resource: { attributes: { externalId: 'C1', name: 'A' }, type: 'customers', id: '9' } });
    expect(a).to.equal(b);
    expect(digestOf({ type: 'accounts', resource: { type: 'customers', attributes: { name: 'A', externalId: 'C1' } } })).not.to.equal(a);
  });
});
