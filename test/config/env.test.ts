import { expect } from 'chai';
import { hasEnvReference, substituteEnv } from '../../src/config/env.js';

describe('config/env', () => {
  it('substitutes in nested strings and arrays, leaving other values alone', () => {
    const result = substituteEnv({ a: { b: ['x-${A}-${B}', 1, true, null] } }, { A: '1', B: '' });
    expect(result).to.deep.equal({ value: { a: { b: ['x-1-', 1, true, null] } }, problems: [] });
  });

  it('reports each unset variable with the path that uses it', () => {
    const { value, problems } = substituteEnv({ list: ['${NOPE}'], k: '${ALSO}' }, {});
    expect(value).to.deep.equal({ list: ['${NOPE}'], k: '${ALSO}' });
    expect(problems).to.deep.equal([
      { path: 'list.0', variable: 'NOPE', message: 'environment variable NOPE is not set' },
      { path: 'k', variable: 'ALSO', message: 'environment variable ALSO is not set' },
    ]);
  });

  it('$${NAME} is a literal ${NAME}, not a reference', () => {
    expect(substituteEnv('$${X}', {}).value).to.equal('${X}');
    expect(hasEnvReference('$${X}')).to.equal(false);
    expect(hasEnvReference('a${X}')).to.equal(true);
    expect(hasEnvReference('plain')).to.equal(false);
  });
});
