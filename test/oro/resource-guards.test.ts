import { expect } from 'chai';
import { isRight } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { ListDocument, ListDocumentCodec, SingleResourceDocument, SingleResourceDocumentCodec } from '../../src/oro/codecs.js';
import { isListDocument, isSingleResourceDocument } from '../../src/oro/resource-guards.js';

const customer = {
  type: 'customers',
  id: '1',
  links: { self: 'https://shop/admin/api/customers/1' },
  meta: { dataId: 'new-0' },
  attributes: { name: 'Acme', externalId: 'C1', createdAt: '2026-01-01T00:00:00Z', parent: null },
  relationships: { group: { data: null }, children: { data: [] }, owner: { data: { type: 'users', id: '1' } }, addresses: { data: [{ type: 'customeraddresses', id: '3' }] } },
};

/** Each a change to a valid resource: some still valid, some rewritten by the codec (`[]`), some invalid. */
const resourceVariants: Record<string, unknown>[] = [
  customer,
  { type: 'customers', id: '2' },
  { ...customer, extra: [1, 2] },
  { ...customer, attributes: [] },
  { ...customer, relationships: [] },
  { ...customer, meta: [] },
  { ...customer, links: [] },
  { ...customer, id: 2 },
  { ...customer, type: null },
  { ...customer, attributes: null },
  { ...customer, attributes: 'x' },
  { ...customer, relationships: { group: {} } },
  { ...customer, relationships: { group: { data: { type: 'customergroups' } } } },
  { ...customer, relationships: { group: { data: [{ type: 'customergroups', id: 1 }] } } },
  { ...customer, relationships: { group: { data: 'x' } } },
  { ...customer, relationships: { group: [] } },
  { ...customer, relationships: { group: null } },
];
const resources: unknown[] = [...resourceVariants, null, 'x', [], [customer]];
const extras: Record<string, unknown>[] = [
  {},
  { included: [customer] },
  { included: [{ type: 'users' }] },
  { included: customer },
  { links: { self: 's', next: 'n', first: 'f', prev: 'p', last: 3 } },
  { links: { next: 5 } },
  { links: [] },
  { links: null },
  { meta: { total: 1 } },
  { meta: [] },
  { jsonapi: { version: '1.0' } },
];

/** What the guard must say: the codec accepts the value and returns it unchanged. */
function codecKeeps<A>(codec: t.Decoder<unknown, A>, value: unknown): boolean {
  const decoded = codec.decode(value);
  return isRight(decoded) && (decoded.right as unknown) === value;
}

describe('oro/resource-guards', () => {
  it('accepts a list document exactly when the io-ts codec returns it unchanged', () => {
    const documents: unknown[] = [null, [], { data: customer }, ...extras.map((e) => ({ data: [customer, customer], ...e }))];
    for (const r of resources) documents.push({ data: [customer, r] });
    for (const document of documents) expect(isListDocument(document), JSON.stringify(document)).to.equal(codecKeeps(ListDocumentCodec, document));
    expect(documents.filter(isListDocument)).to.have.length.above(5);
  });

  it('accepts a single-resource document exactly when the io-ts codec returns it unchanged', () => {
    const documents: unknown[] = [null, { data: [customer] }, ...extras.map((e) => ({ data: customer, ...e }))];
    for (const r of resources) documents.push({ data: r });
    for (const document of documents) expect(isSingleResourceDocument(document), JSON.stringify(document)).to.equal(codecKeeps(SingleResourceDocumentCodec, document));
    expect(documents.filter(isSingleResourceDocument)).to.have.length.above(5);
  });

  it('leaves what the guard refuses to the codec: PHP\'s [] becomes {}, errors name their path', () => {
    const rewritten = ListDocument.decode({ data: [{ ...customer, attributes: [] }] });
    expect(isRight(rewritten) && rewritten.right.data[0]?.attributes).to.deep.equal({});
    const refused = SingleResourceDocument.decode({ data: { ...customer, id: 2 } });
    expect(isRight(refused)).to.equal(false);
    if (!isRight(refused)) expect(refused.left[0]?.context.map((entry) => entry.type.name)).to.include('SingleResourceDocument');
  });
});
