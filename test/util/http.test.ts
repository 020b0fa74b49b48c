import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import { NetworkError } from '../../src/errors/network-error.js';
import { TimeoutError } from '../../src/errors/timeout-error.js';
import { createHttp, type Http } from '../../src/util/http.js';
import type { RequestEvent } from '../../src/util/http.js';
import { send, startScriptedServer, until, type ScriptedServer } from '../helpers/scripted-server.js';
import { VirtualClock } from '../helpers/virtual-time.js';

describe('oro/createHttp', () => {
  let server: ScriptedServer;
  let http: Http | undefined;

  beforeEach(async () => {
    server = await startScriptedServer((_req, res) => send(res, 200, { ok: true }));
  });

  afterEach(async () => {
    http?.close();
    http = undefined;
    await server.close();
  });

  it('returns a standard Response with the body already read', async () => {
    http = createHttp({ concurrency: 2, timeoutMs: 5_000 });
    const response = await http.fetch(`${server.origin}/x`, { method: 'POST', headers: { 'X-A': '1' }, body: 'hello' });
    expect(response).to.be.instanceOf(Response);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ ok: true });
    expect(server.requests[0]?.body).to.equal('hello');
    expect(server.requests[0]?.headers['x-a']).to.equal('1');
  });

  it('keeps connections alive and opens at most `concurrency` sockets', async () => {
    const held: ServerResponse[] = [];
    const ports = new Set<number>();
    server.handle = (req, res) => {
      void req;
      held.push(res);
      ports.add(res.socket?.remotePort ?? 0);
    };
    http = createHttp({ concurrency: 2, timeoutMs: 5_000 });
    const all = Promise.all(Array.from({ length: 6 }, (_, i) => http!.fetch(`${server.origin}/${i}`)));
    await until(() => held.length === 2);
    // Only two sockets: the other four wait in the agent's queue.
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.requests).to.have.length(2);
    const release = (): void => {
      for (const res of held.splice(0)) send(res, 204);
    };
    server.handle = (_req, res) => {
      ports.add(res.socket?.remotePort ?? 0);
      send(res, 204);
    };
    release();
    await all;
    expect(server.requests).to.have.length(6);
    expect(ports.size).to.equal(2);
  });

  it('turns an unanswered request into a TimeoutError after timeoutMs of the scheduler\'s time', async () => {
    const clock = new VirtualClock();
    let arrived = false;
    server.handle = () => {
      arrived = true; // never answers
    };
    const events: RequestEvent[] = [];
    http = createHttp({ concurrency: 1, timeoutMs: 1_234, scheduler: clock, onRequest: (e) => events.push(e) });
    const error = http.fetch(`${server.origin}/slow`, { method: 'GET' }).then(() => undefined, (e: unknown) => e);
    await until(() => arrived);
    await clock.advance(1_233);
    expect(events).to.have.length(0);
    await clock.advance(1);
    expect(await error).to.be.instanceOf(TimeoutError);
    expect(((await error) as TimeoutError).message).to.equal(`GET ${server.origin}/slow timed out after 1234 ms`);
    expect(events).to.deep.equal([{ method: 'GET', url: `${server.origin}/slow`, status: undefined, durationMs: 1_234 }]);
  });

  it('cancels the timeout once the answer is read', async () => {
    const clock = new VirtualClock();
    http = createHttp({ concurrency: 1, timeoutMs: 1_234, scheduler: clock });
    await http.fetch(`${server.origin}/x`);
    expect(clock.delays).to.deep.equal([1_234]);
    expect(clock.pending).to.equal(0);
  });

  it('a per-request timeoutMs replaces the stack\'s timeout for that request only', async () => {
    const clock = new VirtualClock();
    let arrived = false;
    server.handle = (req, res) => {
      if (req.url === '/slow') arrived = true; // never answers
      else send(res, 204);
    };
    http = createHttp({ concurrency: 1, timeoutMs: 1_234, scheduler: clock });
    await http.send(`${server.origin}/quick`);
    let settled = false;
    const error = http.send(`${server.origin}/slow`, { method: 'PATCH', timeoutMs: 60_000 }).then(() => undefined, (e: unknown) => e).finally(() => (settled = true));
    await until(() => arrived);
    await clock.advance(59_999);
    expect(settled, 'timed out before its own timeout').to.equal(false);
    await clock.advance(1);
    expect(((await error) as TimeoutError).message).to.equal(`PATCH ${server.origin}/slow timed out after 60000 ms`);
  });

  it('turns a reset connection into a NetworkError', async () => {
    server.handle = (_req, res) => {
      res.socket?.destroy();
    };
    http = createHttp({ concurrency: 1, timeoutMs: 5_000 });
    const error = await http.fetch(`${server.origin}/reset`, { method: 'DELETE' }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(NetworkError);
    expect((error as Error).message).to.match(new RegExp(`^DELETE ${server.origin}/reset failed: `));
    expect((error as NetworkError).errorClass).to.equal('transient');
  });

  it('turns a refused connection into a NetworkError', async () => {
    const origin = server.origin;
    await server.close();
    server = await startScriptedServer();
    http = createHttp({ concurrency: 1, timeoutMs: 5_000 });
    const error = await http.fetch(`${origin}/gone`).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(NetworkError);
    expect((error as Error).message).to.contain('ECONNREFUSED');
  });

  it('passes the caller\'s own abort through', async () => {
    const controller = new AbortController();
    server.handle = () => controller.abort(new Error('stop'));
    http = createHttp({ concurrency: 1, timeoutMs: 5_000 });
    const error = await http.fetch(`${server.origin}/x`, { signal: controller.signal }).then(() => undefined, (e: unknown) => e);
    expect((error as Error).message).to.equal('stop');
  });

  it('reports every request to onRequest, without headers', async () => {
    const events: RequestEvent[] = [];
    const clock = new VirtualClock();
    server.handle = (_req, res) => {
      clock.frame += 5; // the answer takes 5 ms of the scheduler's time
      send(res, 200, { ok: true });
    };
    http = createHttp({ concurrency: 1, timeoutMs: 5_000, onRequest: (e) => events.push(e), scheduler: clock });
    await http.fetch(`${server.origin}/x?a=1`, { method: 'get', headers: { Authorization: 'Bearer secret-token' } });
    expect(events).to.deep.equal([{ method: 'GET', url: `${server.origin}/x?a=1`, status: 200, durationMs: 5 }]);
  });

  it('refuses requests after close()', async () => {
    http = createHttp({ concurrency: 1, timeoutMs: 5_000 });
    http.close();
    const error = await http.fetch(`${server.origin}/x`).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(NetworkError);
  });
});
