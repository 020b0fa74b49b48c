import { expect } from 'chai';
import { DecodeError } from '../../src/errors/decode-error.js';
import { ErrorDocument } from '../../src/errors/errors-of.js';
import {
  AsyncOperationDocument, AsyncOperationErrorsDocument, ListDocument, SingleResourceDocument, decodeOrThrow,
} from '../../src/oro/codecs.js';

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(DecodeError);
    return (error as DecodeError).problems;
  }
  expect.fail('expected a DecodeError');
}

describe('oro/codecs', () => {
  it('decodes a single-resource document and tolerates unknown fields', () => {
    const doc = decodeOrThrow(SingleResourceDocument, {
      data: { type: 'customers', id: '1', attributes: { name: 'Acme', updatedAt: null }, relationships: { owner: { data: { type: 'users', id: '1' } }, children: { data: [] } }, links: { self: 'x' }, extra: 1 },
      jsonapi: { version: '1.0' },
    }, 'doc');
    expect(doc.data.attributes).to.deep.equal({ name: 'Acme', updatedAt: null });
  });

  it('accepts PHP\'s empty array for an empty object', () => {
    const doc = decodeOrThrow(SingleResourceDocument, { data: { type: 'customers', id: '1', attributes: [], relationships: [], meta: [] } }, 'doc');
    expect(doc.data.attributes).to.deep.equal({});
  });

  it('decodes a list document with included and links.next', () => {
    const doc = decodeOrThrow(ListDocument, { data: [{ type: 'customers', id: '1' }], included: [{ type: 'users', id: '2' }], links: { self: 's', next: 'n' } }, 'list');
    expect(doc.links?.next).to.equal('n');
    expect(doc.included).to.have.length(1);
  });

  it('names the path of each problem, without union/intersection index noise', () => {
    expect(problemsOf(() => decodeOrThrow(ListDocument, { data: [{ type: 'customers', id: 5 }] }, 'GET x'))).to.deep.equal(['data.0.id: expected string, got 5']);
    expect(problemsOf(() => decodeOrThrow(ListDocument, { data: [{ type: 'c', id: '1', relationships: { owner: { data: { type: 'users', id: 7 } } } }] }, 'x')))
      .to.deep.equal(['data.0.relationships.owner.data.id: expected string, got 7']);
    expect(problemsOf(() => decodeOrThrow(ListDocument, {}, 'x'))).to.deep.equal(['data: expected ReadonlyArray<Resource>, got undefined']);
    expect(problemsOf(() => decodeOrThrow(ListDocument, 5, 'x'))).to.deep.equal(['(root): expected ListDocument, got 5']);
  });

  it('puts what was decoded in the message', () => {
    expect(() => decodeOrThrow(ListDocument, { data: [{ type: 'c' }] }, 'GET https://shop/api/c response'))
      .to.throw(DecodeError, 'GET https://shop/api/c response: data.0.id: expected string, got undefined');
  });

  it('decodes an async operation', () => {
    const doc = decodeOrThrow(AsyncOperationDocument, {
      data: { type: 'asyncoperations', id: '1', attributes: { status: 'success', progress: 1, elapsedTime: 3, summary: { readCount: 2, writeCount: 2, errorCount: 1, createCount: 1, updateCount: 0, aggregateTime: 10 } } },
    }, 'op');
    expect(doc.data.attributes.status).to.equal('success');
    expect(problemsOf(() => decodeOrThrow(AsyncOperationDocument, { data: { type: 'asyncoperations', id: '1', attributes: { status: 'done' } } }, 'op')))
      .to.deep.equal(['data.attributes.status: expected AsyncOperationStatus, got "done"']);
  });

  it('decodes async operation errors with an integer status and a pointer or property path', () => {
    const doc = decodeOrThrow(AsyncOperationErrorsDocument, {
      data: [
        { type: 'asyncoperationerrors', id: '1-1-1', attributes: { status: 400, title: 'not blank constraint', detail: 'x', source: { pointer: '/data/3/attributes/name' } } },
        { type: 'asyncoperationerrors', id: '1-1-2', attributes: { status: 400, title: 't', source: { propertyPath: 'name' } } },
      ],
      links: { next: 'n' },
    }, 'errors');
    expect(doc.data).to.have.length(2);
    expect(problemsOf(() => decodeOrThrow(AsyncOperationErrorsDocument, { data: [{ id: '1', attributes: { status: '400', title: 't' } }] }, 'e')))
      .to.deep.equal(['data.0.attributes.status: expected Int, got "400"']);
  });

  it('decodes an error document with a string status and pointer or parameter', () => {
    const doc = decodeOrThrow(ErrorDocument, {
      errors: [
        { status: '400', title: 'not blank constraint', detail: 'd', source: { pointer: '/data/attributes/name' }, code: 'c', id: 'i', meta: {}, links: { about: 'a' } },
        { status: '400', title: 'filter constraint', source: { parameter: 'page[size]' } },
      ],
    }, 'err');
    expect(doc.errors[1]?.source?.parameter).to.equal('page[size]');
    expect(problemsOf(() => decodeOrThrow(ErrorDocument, { errors: [{ status: 400 }] }, 'e'))).to.deep.equal(['errors.0.status: expected string, got 400']);
  });
});
