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
});
