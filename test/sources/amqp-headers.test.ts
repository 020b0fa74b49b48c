import { expect } from 'chai';
import { errorsHeader, MAX_ERRORS_HEADER_CHARS } from '../../src/sources/amqp-headers.js';

describe('x-oro-sync-errors', () => {
  it('is the JSON of the dead-letter errors: status, title, detail, pointer', () => {
    const header = errorsHeader([{ status: '400', title: 'not blank constraint', detail: 'This value should not be blank.', pointer: '/data/attributes/name', parameter: 'x' }]);
    expect(JSON.parse(header)).to.deep.equal([{ status: '400', title: 'not blank constraint', detail: 'This value should not be blank.', pointer: '/data/attributes/name' }]);
  });

  it('scrubs secrets', () => {
    expect(errorsHeader([{ title: 'x', detail: 'sent Authorization: Bearer abc.def' }])).to.not.contain('abc.def');
  });

  it('stays under the size limit, saying how many errors were left out', () => {
    const errors = Array.from({ length: 500 }, (_, i) => ({ title: `error ${i}`, detail: 'd'.repeat(200) }));
    const parsed = JSON.parse(errorsHeader(errors)) as Array<{ title: string }>;
    expect(JSON.stringify(parsed).length).to.be.at.most(MAX_ERRORS_HEADER_CHARS);
    expect(parsed.at(-1)!.title).to.match(/^\d+ more error\(s\) left out/);
  });
});
