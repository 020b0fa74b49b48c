import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createLogger, LOG_CENSOR } from '../../src/cli/logger.js';

/** A stream that keeps what is written to it. */
function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}

const SECRETS = {
  clientSecret: 'S1-client-secret',
  oro: { clientSecret: 'S2-nested-secret' },
  config: { oro: { clientSecret: 'S3-deep-secret' } },
  authorization: 'Bearer S4',
  headers: { authorization: 'Bearer S5', Authorization: 'Bearer S6' },
  request: { headers: { authorization: 'Bearer S7', Authorization: 'Bearer S8' } },
  token: 'S9-token',
  access_token: 'S10-access',
  grant: { access_token: 'S11-nested-access' },
  password: 'S12-password',
  amqp: { password: 'S13-nested-password' },
};

describe('cli/logger', () => {
  it('writes JSON lines with level, name and message', () => {
    const out = sink();
    createLogger({ pretty: false, destination: out }).info({ target: 'customers' }, 'hello');
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(line).to.include({ level: 30, name: 'oro-sync', msg: 'hello', target: 'customers' });
  });

  it('redacts secrets at every listed path, keeping other fields', () => {
    const out = sink();
    createLogger({ pretty: false, destination: out }).info({ ...SECRETS, clientId: 'visible-id' }, 'secrets');
    const text = out.text();
    expect(text).not.to.match(/S\d+/);
    const line = JSON.parse(text) as Record<string, unknown>;
    expect(line).to.include({ clientSecret: LOG_CENSOR, token: LOG_CENSOR, password: LOG_CENSOR, clientId: 'visible-id' });
    expect(line.request).to.deep.equal({ headers: { authorization: LOG_CENSOR, Authorization: LOG_CENSOR } });
  });

  it('redacts in pretty output too', () => {
    const out = sink();
    createLogger({ pretty: true, destination: out }).warn(SECRETS, 'pretty secrets');
    const text = out.text();
    expect(text).to.contain('pretty secrets').and.to.contain(LOG_CENSOR);
    expect(text).not.to.match(/S\d+/);
    expect(() => JSON.parse(text)).to.throw();
  });

  it('honours the level', () => {
    const out = sink();
    const log = createLogger({ pretty: false, level: 'warn', destination: out });
    log.info('hidden');
    log.warn('shown');
    expect(out.text()).not.to.contain('hidden');
    expect(out.text()).to.contain('shown');
  });
});
