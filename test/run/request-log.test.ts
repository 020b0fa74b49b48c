/**
 * `--log-level debug` logs every request to Oro: method, path and query, status, duration, how
 * many records and which keys; never a body's secret or a token. (It logged none before.)
 */
import { expect } from 'chai';
import { pino } from 'pino';
import { createOro, type Oro } from '../../src/oro/create-oro.js';
import { requestLogger } from '../../src/run/request-log.js';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';

describe('run/requestLogger', () => {
  let oro: FakeOro;
  let api: Oro;
  let lines: string[];
  const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l['msg'] === 'request');

  const start = async (level: string) => {
    lines = [];
    const logger = pino({ level }, { write: (line: string) => void lines.push(line) });
    api = createOro({ baseUrl: oro.baseUrl, tokenUrl: oro.tokenUrl, clientId: oro.clientId, clientSecret: oro.clientSecret, onRequest: requestLogger(logger) });
  };
  beforeEach(async () => {
    oro = await startFakeOro();
  });
  afterEach(async () => {
    api.close();
    await oro.close();
  });

  it('one line per request: method, path, query, status, ms, records and keys of a write', async () => {
    await start('debug');
    const created = await api.client.create({ data: { type: 'customers', attributes: { name: 'Acme', externalId: 'C-1' } } }, { keys: ['C-1'] });
    await api.client.list('customers', { filter: { externalId: ['C-1', 'C-2'] }, fields: { customers: ['externalId'] } });
    await api.client.batchSync('customers', { data: [
      { type: 'customers', id: created.resource.id, attributes: { name: 'Acme 2' }, meta: { update: true } },
      { type: 'customers', attributes: { name: 'Beta', externalId: 'C-2' } },
    ] }, { keys: ['C-1', 'C-2'] });
    await api.client.get('customers', '999999').catch(() => undefined);
    const [post, get, patch, missing] = logged();
    expect(post).to.deep.include({ level: 20, method: 'POST', path: '/admin/api/customers', status: 201, records: 1, keys: ['C-1'] });
    expect(post?.['ms']).to.be.a('number');
    expect(get).to.deep.include({ method: 'GET', path: '/admin/api/customers', query: 'filter[externalId]=C-1,C-2&fields[customers]=externalId', status: 200 });
    expect(get).to.not.have.property('records');
    expect(patch).to.deep.include({ method: 'PATCH', status: 200, records: 2, keys: ['C-1', 'C-2'] });
    expect(missing).to.deep.include({ method: 'GET', path: '/admin/api/customers/999999', status: 404 });
    const all = lines.join('\n');
    expect(all).to.not.include(oro.clientSecret);
    expect(all).to.not.include(await api.tokens.current());
    expect(all).to.not.match(/Bearer|authorization/i);
  });

  it('a request with no answer says why; nothing is logged above debug', async () => {
    await start('debug');
    await api.tokens.current();
    await oro.close();
    await api.client.list('customers').catch(() => undefined);
    const failed = logged().at(-1);
    expect(failed).to.deep.include({ method: 'GET', path: '/admin/api/customers', status: null });
    expect(String(failed?.['error'])).to.match(/^GET http:\/\/127\.0\.0\.1:\d+\/admin\/api\/customers/).and.match(/ECONNREFUSED|refused|reset|closed|socket/i);
    oro = await startFakeOro();
    api.close();
    await start('info');
    await api.client.list('customers');
    expect(lines).to.deep.equal([]);
  });
});
