import { expect } from 'chai';
import { errorsOf } from '../../src/errors/errors-of.js';

describe('errors/errors-of', () => {
  it('reads every error of a body with its status, title, detail and pointer or parameter', () => {
    const body = JSON.stringify({
      errors: [
        { status: '400', title: 'not blank constraint', detail: 'This value should not be blank.', source: { pointer: '/data/3/attributes/name' } },
        { status: '400', title: 'filter constraint', source: { parameter: 'filter[externalId]' }, meta: [] },
      ],
    });
    expect(errorsOf(body)).to.deep.equal([
      { status: '400', title: 'not blank constraint', detail: 'This value should not be blank.', pointer: '/data/3/attributes/name' },
      { status: '400', title: 'filter constraint', parameter: 'filter[externalId]' },
    ]);
  });

  it('titles an error without one by its code, else by its status', () => {
    expect(errorsOf('{"errors":[{"status":"409","code":"conflict"},{"status":"500"}]}')).to.deep.equal([
      { status: '409', title: 'conflict' },
      { status: '500', title: 'http 500' },
    ]);
  });

  it('gives no errors for a body that is empty, not JSON or not a JSON:API error document', () => {
    for (const body of ['', '  \n', '<html>502 Bad Gateway</html>', '{}', '{"errors":[{"status":400,"title":"t"}]}', '{"errors":[{"status":"400","meta":"x"}]}']) {
      expect(errorsOf(body), body).to.deep.equal([]);
    }
  });
});
