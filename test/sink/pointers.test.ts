import { expect } from 'chai';
import { attributeErrors, pointerTarget } from '../../src/sink/pointers.js';

describe('sink/pointers', () => {
  it('reads the item index from /data/N and /included/N pointers', () => {
    expect(pointerTarget('/data/3/attributes/name')).to.deep.equal({ in: 'data', index: 3 });
    expect(pointerTarget('/data/12')).to.deep.equal({ in: 'data', index: 12 });
    expect(pointerTarget('/included/0/attributes/street')).to.deep.equal({ in: 'included', index: 0 });
    expect(pointerTarget('/data/attributes/name')).to.equal(undefined);
    expect(pointerTarget('/meta/upsert')).to.equal(undefined);
    expect(pointerTarget(undefined)).to.equal(undefined);
  });

  it('gives an included item\'s error to the record that carried it, and keeps the rest apart', () => {
    const { byItem, unattributed } = attributeErrors(
      [
        { status: 400, title: 'not blank constraint', pointer: '/data/1/attributes/name' },
        { status: 400, title: 'not blank constraint', pointer: '/included/2/attributes/city' },
        { status: 400, title: 'bad', detail: 'Failed to parse the data file' },
      ],
      [0, 0, 4],
    );
    expect(byItem.get(1)?.[0]?.title).to.equal('not blank constraint');
    expect(byItem.get(4)?.[0]?.pointer).to.equal('/included/2/attributes/city');
    expect(byItem.has(0)).to.equal(false);
    expect(unattributed).to.have.length(1);
  });

  it('attributes nothing to a pointer that does not start at an item index', () => {
    for (const pointer of ['', '/', 'data/3', '/data', '/data/', '/data/-1', '/data/3abc', '/data/x/attributes/name', '/relationships/0', '/included', '/Data/1']) {
      expect(pointerTarget(pointer), pointer).to.equal(undefined);
    }
    expect(pointerTarget('/data/0')).to.deep.equal({ in: 'data', index: 0 });
    expect(pointerTarget('/included/7/relationships/customer/data')).to.deep.equal({ in: 'included', index: 7 });
  });

  it('keeps errors without an item pointer (a parameter, a property path, none) apart', () => {
    const errors = [
      { status: 400, title: 'filter constraint', parameter: 'filter[externalId]' },
      // An async operation's `source.propertyPath` arrives as the pointer.
      { status: 400, title: 'not blank constraint', pointer: 'name' },
      { status: '500', title: 'runtime exception' },
    ];
    const { byItem, unattributed } = attributeErrors(errors, [0]);
    expect(byItem.size).to.equal(0);
    expect(unattributed).to.deep.equal(errors);
  });

  it('keeps an error at an included item no record carried apart', () => {
    const error = { status: 400, title: 'not blank constraint', pointer: '/included/3/attributes/street' };
    const { byItem, unattributed } = attributeErrors([error], [0, 1]);
    expect(byItem.size).to.equal(0);
    expect(unattributed).to.deep.equal([error]);
  });

  it('files /data/N under N even past the records sent: it does not know how many were', () => {
    const error = { status: 400, title: 'x', pointer: '/data/9/attributes/name' };
    expect([...attributeErrors([error], []).byItem]).to.deep.equal([[9, [error]]]);
  });

  it('gives a record all its errors, its own and its included items\', in Oro\'s order', () => {
    const errors = [
      { status: '400', title: 'email constraint', pointer: '/data/2/attributes/email' },
      { status: '400', title: 'not blank constraint', pointer: '/included/1/attributes/city' },
      { status: '400', title: 'not blank constraint', pointer: '/data/0/attributes/name' },
      { status: '400', title: 'length constraint', pointer: '/data/2/attributes/name' },
    ];
    const { byItem, unattributed } = attributeErrors(errors, [0, 2]);
    expect(byItem.get(2)).to.deep.equal([errors[0], errors[1], errors[3]]);
    expect(byItem.get(0)).to.deep.equal([errors[2]]);
    expect(unattributed).to.deep.equal([]);
  });

  it('attributes nothing when there are no errors', () => {
    const { byItem, unattributed } = attributeErrors([], [0, 1]);
    expect(byItem.size).to.equal(0);
    expect(unattributed).to.deep.equal([]);
  });
});
