import { expect } from 'chai';
import { TimeoutError } from '../../src/errors/timeout-error.js';
import { createOroClient } from '../../src/oro/client.js';
import { createHttp, type Http } from '../../src/util/http.js';
import { backoffDelay } from '../../src/util/retry-policy.js';
import type { AsyncOperationHandle, OroClient } from '../../src/oro/types.js';
import { send, startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { staticTokens } from '../helpers/tokens.js';
import { turn, VirtualClock } from '../helpers/virtual-time.js';

const op = (status: string) => ({ data: { type: 'asyncoperations', id: '3', attributes: { status, progress: null, summary: null } } });

describe('oro/async operation handle', () => {
  let server: ScriptedServer;
  let http: Http;
  let client: OroClient;
  let clock: VirtualClock;
  let statuses: string[];

  beforeEach(async () => {
    statuses = [];
    server = await startScriptedServer((req, res) => {
      if (req.method === 'PATCH') return send(res, 202, op('new'), { 'Content-Location': '/api/asyncoperations/3' });
      if (req.path === '/api/asyncoperations/3') return send(res, 200, op(statuses.shift() ?? 'running'));
      return send(res, 404);
    });
    http = createHttp({ concurrency: 2, timeoutMs: 5_000 });
    clock = new VirtualClock();
    client = createOroClient({ baseUrl: `${server.origin}/api`, tokens: staticTokens(), http, scheduler: clock });
  });

  afterEach(async () => {
    client.close();
    http.close();
    await server.close();
  });

  const start = (): Promise<AsyncOperationHandle> => client.batch('customers', { data: [{ type: 'customers', attributes: { name: 'x' } }] });

  it('polls once with get()', async () => {
    statuses = ['running'];
    const handle = await start();
    expect(await handle.get()).to.deep.equal({ id: '3', status: 'running', progress: null, summary: null });
  });

  it('backs off between polls, doubling up to maxIntervalMs, until a final status', async () => {
    statuses = ['new', 'running', 'running', 'running', 'running', 'failed'];
    const handle = await start();
    const result = await clock.run(handle.settle({ intervalMs: 100, maxIntervalMs: 500 }));
    expect(result.status).to.equal('failed');
    expect(clock.delays).to.deep.equal([0, 1, 2, 3, 4].map((n) => backoffDelay(n, undefined, { baseMs: 100, maxMs: 500, jitter: 'none' })));
    expect(clock.delays).to.deep.equal([100, 200, 400, 500, 500]);
    expect(clock.now()).to.equal(1_700);
    expect(server.requests.filter((r) => r.method === 'GET')).to.have.length(6);
  });

  it('ends on cancelled too', async () => {
    statuses = ['cancelled'];
    expect((await clock.run((await start()).settle())).status).to.equal('cancelled');
    expect(clock.delays).to.deep.equal([]);
  });

  it('gives up with a TimeoutError after timeoutMs of virtual time', async () => {
    const handle = await start();
    const error = await clock.run(handle.settle({ intervalMs: 1_000, maxIntervalMs: 1_000, timeoutMs: 3_500 }).then(() => undefined, (e: unknown) => e));
    expect(error).to.be.instanceOf(TimeoutError);
    expect((error as TimeoutError).message).to.contain('/api/asyncoperations/3').and.contain('3500');
    expect(clock.delays).to.deep.equal([1_000, 1_000, 1_000, 500]);
  });

  it('stops when the signal aborts during a wait, leaving no timer behind', async () => {
    const handle = await start();
    const controller = new AbortController();
    const settled = handle.settle({ intervalMs: 10, signal: controller.signal }).then(() => undefined, (e: unknown) => e);
    while (clock.pending === 0) await turn();
    await clock.advance(10);
    while (clock.pending === 0) await turn();
    controller.abort(new Error('run stopped'));
    expect(((await settled) as Error).message).to.equal('run stopped');
    expect(clock.delays).to.deep.equal([10, 20]);
    expect(clock.pending).to.equal(0);
  });

  it('takes the id from the URL when the 202 has no body', async () => {
    server.handle = (req, res) => send(res, 202, '', { 'Content-Location': `${server.origin}/api/asyncoperations/77` });
    const handle = await start();
    expect(handle.id).to.equal('77');
  });
});
