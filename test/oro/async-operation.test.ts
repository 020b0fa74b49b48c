import { expect } from 'chai';
import { TimeoutError } from '../../src/errors/timeout-error.js';
import { createOroClient } from '../../src/oro/client.js';
import { createHttp, type Http } from '../../src/util/http.js';
import type { AsyncOperationHandle, OroClient } from '../../src/oro/types.js';
import { send, startScriptedServer, until, type ScriptedServer } from '../helpers/scripted-server.js';
import { staticTokens } from '../helpers/tokens.js';

const op = (status: string) => ({ data: { type: 'asyncoperations', id: '3', attributes: { status, progress: null, summary: null } } });

/** Virtual time: sleeping advances `now` by the delay and resumes on the next turn of the event loop. */
function virtualTimers() {
  const state = { now: 0, delays: [] as number[], pending: [] as (() => void)[] };
  return {
    state,
    timers: {
      now: () => state.now,
      setTimeout: (fn: () => void, ms: number) => {
        state.delays.push(ms);
        state.pending.push(() => {
          state.now += ms;
          fn();
        });
        setImmediate(() => state.pending.shift()?.());
        return state.delays.length;
      },
      clearTimeout: () => {
        state.pending.shift();
      },
    },
  };
}

describe('oro/async operation handle', () => {
  let server: ScriptedServer;
  let http: Http;
  let client: OroClient;
  let clock: ReturnType<typeof virtualTimers>;
  let statuses: string[];

  beforeEach(async () => {
    statuses = [];
    server = await startScriptedServer((req, res) => {
      if (req.method === 'PATCH') return send(res, 202, op('new'), { 'Content-Location': '/api/asyncoperations/3' });
      if (req.path === '/api/asyncoperations/3') return send(res, 200, op(statuses.shift() ?? 'running'));
      return send(res, 404);
    });
    http = createHttp({ concurrency: 2, timeoutMs: 5_000 });
    clock = virtualTimers();
    client = createOroClient({ baseUrl: `${server.origin}/api`, tokens: staticTokens(), http, timers: clock.timers });
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
    const result = await handle.settle({ intervalMs: 100, maxIntervalMs: 500 });
    expect(result.status).to.equal('failed');
    expect(clock.state.delays).to.deep.equal([100, 200, 400, 500, 500]);
    expect(server.requests.filter((r) => r.method === 'GET')).to.have.length(6);
  });

  it('ends on cancelled too', async () => {
    statuses = ['cancelled'];
    expect((await (await start()).settle()).status).to.equal('cancelled');
    expect(clock.state.delays).to.deep.equal([]);
  });

  it('gives up with a TimeoutError after timeoutMs of virtual time', async () => {
    const handle = await start();
    const error = await handle.settle({ intervalMs: 1_000, maxIntervalMs: 1_000, timeoutMs: 3_500 }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(TimeoutError);
    expect((error as TimeoutError).message).to.contain('/api/asyncoperations/3').and.contain('3500');
    expect(clock.state.delays).to.deep.equal([1_000, 1_000, 1_000, 500]);
  });

  it('stops when the signal aborts', async () => {
    const handle = await start();
    const controller = new AbortController();
    const settled = handle.settle({ intervalMs: 10, signal: controller.signal }).then(() => undefined, (e: unknown) => e);
    await until(() => clock.state.delays.length >= 2);
    controller.abort(new Error('run stopped'));
    expect(((await settled) as Error).message).to.equal('run stopped');
  });

  it('takes the id from the URL when the 202 has no body', async () => {
    server.handle = (req, res) => send(res, 202, '', { 'Content-Location': `${server.origin}/api/asyncoperations/77` });
    const handle = await start();
    expect(handle.id).to.equal('77');
  });
});
