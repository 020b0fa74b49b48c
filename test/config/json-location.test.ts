import { expect } from 'chai';
import { ConfigError } from '../../src/errors/config-error.js';
import { locateJsonError, parseJsonFile } from '../../src/config/json-location.js';

describe('config/json-location', () => {
  it('finds nothing wrong in valid JSON, whatever its shape', () => {
    for (const text of ['{}', '[]', ' {"a": [1, -2.5e+3, true, false, null, "\\u00e9\\n"]} ', '"x"', '0']) {
      expect(locateJsonError(text), text).to.equal(undefined);
      expect(() => JSON.parse(text)).not.to.throw();
    }
  });

  const cases: [string, number, number, string][] = [
    ['{\n  "a": }', 2, 8, 'expected a value, got "}"'],
    ['{\n  "a": 1,\n}', 3, 1, 'expected a property name in double quotes, got "}"'],
    ['[1 2]', 1, 4, 'expected "," or "]", got "2"'],
    ['{"a" 1}', 1, 6, 'expected ":", got "1"'],
    ['{"a": "x', 1, 9, 'expected a closing \'"\', got the end of the file'],
    ['{"a": tru}', 1, 10, 'expected "true", got "}"'],
    ['{"a": 01}', 1, 8, 'expected "," or "}", got "1"'],
    ['{} x', 1, 4, 'expected the end of the file, got "x"'],
    ['', 1, 1, 'expected a value, got the end of the file'],
    ['{"a": "\\q"}', 1, 9, 'expected an escape sequence (\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX), got "q"'],
  ];
  for (const [text, line, column, message] of cases) {
    it(`locates the error in ${JSON.stringify(text)} at ${line}:${column}`, () => {
      expect(() => JSON.parse(text)).to.throw();
      expect(locateJsonError(text)).to.include({ line, column, message });
    });
  }

  it('parseJsonFile throws a ConfigError naming file:line:column', () => {
    expect(() => parseJsonFile('{\n "a": }', '/x/c.json'))
      .to.throw(ConfigError)
      .with.property('problems')
      .that.deep.equals(['/x/c.json:2:7: invalid JSON: expected a value, got "}"']);
  });

  it('parseJsonFile accepts a byte order mark', () => {
    expect(parseJsonFile('\uFEFF{"a":1}', 'c.json')).to.deep.equal({ a: 1 });
  });
});
