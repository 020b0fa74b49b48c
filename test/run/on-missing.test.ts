/**
 * target.onMissing through runConfig against the fake Oro: after a complete snapshot run, the
 * keys the pipeline confirmed before and this run did not read are deleted (or updated), with the
 * safety limit `maxFraction`, and never after a run that did not read the whole snapshot.
 */
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/config/config.js';
import { createMetrics } from '../../src/run/metrics.js';
import { runConfig, type RunOptions } from '../../src/run/run-config.js';
import { createRuntime, type Runtime } from '../../src/run/runtime.js';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import type { Outcome } from '../../src/types/outcome.js';
import { SECRET_ENV, workspace, type Workspace } from '../helpers/cli.js';

describe('run/on-missing: target.onMissing after a complete snapshot run', function () {
  this.timeout(20_000);
  let oro: FakeOro;
  let ws: Workspace;
  let runtime: Runtime;
  let registry: Registry;
  let logs: { level: number; msg: string }[];

  beforeEach(async () => {
    oro = await startFakeOro();
    ws = workspace();
    registry = new Registry();
    logs = [];
    const logger = pino({ base: null, timestamp: false }, { write: (line: string) => void logs.push(JSON.parse(line) as (typeof logs)[number]) });
    runtime = createRuntime({ logger, metrics: createMetrics(registry), concurrency: 4, timeoutMs: 5_000 });
  });
  afterEach(async () => {
    await runtime.close();
    await oro.close();
    ws.cleanup();
  });

  const people = (...ids: string[]) => ids.map((id) => ({ id, name: `Name ${id}` }));
  const setup = async (onMissing: Record<string, unknown> | undefined, overrides: Record<string, unknown> = {}) => {
    const file = ws.config('customers', oro, {
      source: { kind: 'ndjson', path: 'source.ndjson', changes: 'snapshot' },
      target: { relationships: {}, ...(onMissing ? { onMissing } : {}) },
      pipeline: { batchSize: 50, batchMs: 5, concurrency: 4, retries: 2, retryBaseMs: 1, retryMaxMs: 5, requestTimeoutMs: 5000 },
      ...overrides,
    });
    return (await loadConfig(file, { [SECRET_ENV]: oro.clientSecret })).config;
  };
  const run = async (config: Awaited<ReturnType<typeof setup>>, options: RunOptions = {}) => {
    const outcomes: Outcome[] = [];
    const result = await runConfig(config, runtime, { ...options, onOutcome: (o) => { outcomes.push(o); options.onOutcome?.(o); } });
    return { ...result, outcomes };
  };
  const externalIds = () => oro.records('customers').map((r) => r.attributes?.['externalId']).sort();
  const requests = (method: string) => oro.requests.filter((r) => r.method === method && r.path.includes('/customers'));

  it('delete: the key missing from the export is deleted in Oro (one DELETE), counted, in the metrics, and its state and id forgotten', async () => {
    const config = await setup({ action: 'delete' });
    ws.writeNdjson('source.ndjson', people('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K'));
    expect((await run(config)).counts.created).to.equal(11);
    const doomed = oro.records('customers').find((r) => r.attributes?.['externalId'] === 'K');
    ws.writeNdjson('source.ndjson', people('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'));
    oro.resetLog();
    const second = await run(config);
    expect(second.counts).to.deep.include({ unchanged: 10, deleted: 1, rejected: 0, failed: 0 });
    expect(second.onMissingRefused).to.equal(undefined);
    expect(requests('DELETE').map((r) => r.path)).to.deep.equal([`/admin/api/customers/${doomed!.id}`]);
    expect(requests('DELETE').map((r) => r.status)).to.deep.equal([204]);
    expect(externalIds()).to.have.length(10);
    expect(externalIds()).to.not.include('K');
    const deleted = second.outcomes.filter((o) => o.status === 'deleted');
    expect(deleted).to.have.length(1);
    expect(deleted[0]).to.deep.include({ id: doomed!.id });
    expect(deleted[0]!.record.position.where).to.equal('onMissing customers K');
    const store = (await runtime.stateStore(config.state));
    expect(await store.keyState(config.name, 'K')).to.equal(undefined);
    expect((await store.getIds(oro.baseUrl, 'customers', 'externalId', ['K', 'A'])).has('K')).to.equal(false);
    expect(await registry.metrics()).to.contain('oro_sync_records_total{target="customers",outcome="deleted"} 1');
    // Gone from the state store: the next run has nothing to delete.
    oro.resetLog();
    expect((await run(config)).counts).to.deep.include({ unchanged: 10, deleted: 0 });
    expect(requests('DELETE')).to.have.length(0);
  });

  // Oro is not asked to delete or update a stored id it has not just shown to hold the key: an
  // Oro restored from a backup gives ids to other records (docs/architecture.md, "Which state
  // belongs to which Oro").
  const asOro = async (config: Awaited<ReturnType<typeof setup>>, method: 'DELETE' | 'PATCH', id: string, body?: unknown) => {
    const token = await runtime.credential(config.oro, { retries: 0 }).tokens.current();
    return fetch(`${oro.baseUrl}/customers/${id}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.api+json', 'Content-Type': 'application/vnd.api+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  };
  const readBacks = () => oro.requests.filter((r) => r.method === 'GET' && r.path === '/admin/api/customers' && r.query.includes('filter%5Bid%5D'));

  it('delete: a record already gone from Oro is not deleted again: the run start finds its stored id gone and trusts no stored id', async () => {
    const config = await setup({ action: 'delete', maxFraction: 0.5 });
    ws.writeNdjson('source.ndjson', people('A', 'B', 'C'));
    await run(config);
    const gone = oro.records('customers').find((r) => r.attributes?.['externalId'] === 'C')!;
    // Deleted in Oro behind the sync's back.
    expect((await asOro(config, 'DELETE', gone.id)).status).to.equal(204);
    ws.writeNdjson('source.ndjson', people('A', 'B'));
    oro.resetLog();
    logs.length = 0;
    const second = await run(config);
    expect(requests('DELETE')).to.deep.equal([]);
    expect(second.counts).to.deep.include({ updated: 2, deleted: 0, rejected: 0, failed: 0 });
    expect(await (await runtime.stateStore(config.state)).keyState(config.name, 'C')).to.not.have.property('oroId');
    expect(logs.map((l) => l.msg)).to.include(`Oro at ${oro.baseUrl} no longer holds 1 of 3 stored customers ids with their externalId (restored from a backup?): ` +
      'stored ids and digests are dropped; every key is looked up again and the source is read whole');
  });

  it('delete: a stored id Oro gave to another record is not deleted, nor the record overwritten', async () => {
    const config = await setup({ action: 'delete', maxFraction: 0.5 });
    ws.writeNdjson('source.ndjson', people('A', 'B', 'C'));
    await run(config);
    const reused = oro.records('customers').find((r) => r.attributes?.['externalId'] === 'C')!;
    // The id now holds another customer (as after a restore from a backup that reused it).
    const patched = await asOro(config, 'PATCH', reused.id, { data: { type: 'customers', id: reused.id, attributes: { externalId: 'OTHER', name: 'Not ours' } } });
    expect(patched.status).to.equal(200);
    ws.writeNdjson('source.ndjson', people('A', 'B', 'C').map((p) => ({ ...p, name: `${p.name} again` })).slice(0, 2));
    oro.resetLog();
    const second = await run(config);
    expect(requests('DELETE')).to.deep.equal([]);
    expect(second.counts).to.deep.include({ updated: 2, deleted: 0 });
    expect(oro.records('customers').find((r) => r.id === reused.id)?.attributes).to.deep.include({ externalId: 'OTHER', name: 'Not ours' });
  });

  it('update: the missing key is PATCHed with the configured attributes (once: not again on the next run)', async () => {
    const config = await setup({ action: 'update', attributes: { name: 'inactive' }, maxFraction: 0.5 });
    ws.writeNdjson('source.ndjson', people('A', 'B', 'C'));
    await run(config);
    ws.writeNdjson('source.ndjson', people('A', 'B'));
    oro.resetLog();
    const second = await run(config);
    expect(second.counts).to.deep.include({ unchanged: 2, updated: 1, deleted: 0 });
    expect(requests('PATCH')).to.have.length(1);
    expect(requests('DELETE')).to.have.length(0);
    const names = new Map(oro.records('customers').map((r) => [r.attributes?.['externalId'], r.attributes?.['name']]));
    expect(names).to.deep.equal(new Map([['A', 'Name A'], ['B', 'Name B'], ['C', 'inactive']]));
    oro.resetLog();
    expect((await run(config)).counts).to.deep.include({ unchanged: 2, updated: 0 });
    expect(requests('PATCH')).to.have.length(0);
    // It comes back: its content differs from what the update left, so it is sent.
    ws.writeNdjson('source.ndjson', people('A', 'B', 'C'));
    expect((await run(config)).counts).to.deep.include({ unchanged: 2, updated: 1 });
    expect(oro.records('customers').find((r) => r.attributes?.['externalId'] === 'C')?.attributes?.['name']).to.equal('Name C');
  });

  it('an onMissing write Oro refuses is rejected and dead-lettered once: not sent again each run, only with --full', async () => {
    const config = await setup({ action: 'update', attributes: { name: '' }, maxFraction: 0.5 });
    ws.writeNdjson('source.ndjson', people('A', 'B', 'C'));
    await run(config);
    ws.writeNdjson('source.ndjson', people('A', 'B'));
    const second = await run(config);
    expect(second.counts).to.deep.include({ unchanged: 2, updated: 0, rejected: 1 });
    expect(ws.deadLetters().map((l) => [l['status'], l['where']])).to.deep.equal([['rejected', 'onMissing customers C']]);
    expect(await (await runtime.stateStore(config.state)).keyState(config.name, 'C')).to.deep.include({ lastOutcome: 'rejected' });
    oro.resetLog();
    const third = await run(config);
    expect(third.counts).to.deep.include({ unchanged: 2, rejected: 0 });
    expect(requests('PATCH')).to.have.length(0);
    expect(ws.deadLetters()).to.have.length(1);
    const full = await run(config, { full: true });
    expect(full.counts).to.deep.include({ updated: 2, rejected: 1 });
  });

  it('turning onMissing on does not send every record again (it is not part of the mapping); other update attributes update a key again', async () => {
    const plain = await setup(undefined);
    ws.writeNdjson('source.ndjson', people('A', 'B', 'C'));
    await run(plain);
    ws.writeNdjson('source.ndjson', people('A', 'B'));
    const first = await run(await setup({ action: 'update', attributes: { name: 'inactive' }, maxFraction: 0.5 }));
    expect(first.counts).to.deep.include({ unchanged: 2, updated: 1 });
    const again = await run(await setup({ action: 'update', attributes: { name: 'archived' }, maxFraction: 0.5 }));
    expect(again.counts).to.deep.include({ unchanged: 2, updated: 1 });
    expect(oro.records('customers').find((r) => r.attributes?.['externalId'] === 'C')?.attributes?.['name']).to.equal('archived');
  });

  it('over maxFraction nothing is deleted: one line says how many of how many and what to check', async () => {
    const config = await setup({ action: 'delete' });
    ws.writeNdjson('source.ndjson', people('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'));
    await run(config);
    // A truncated export: 6 of the 10 known keys missing.
    ws.writeNdjson('source.ndjson', people('A', 'B', 'C', 'D'));
    oro.resetLog();
    const second = await run(config);
    expect(second.onMissingRefused).to.equal(
      'onMissing: 6 of 10 known keys (60 %) are missing from this run, over maxFraction 0.1: nothing was deleted; ' +
      'check the export is complete, or raise target.onMissing.maxFraction');
    expect(second.counts).to.deep.include({ unchanged: 4, deleted: 0 });
    expect(requests('DELETE')).to.have.length(0);
    expect(externalIds()).to.have.length(10);
    const [last] = await (await runtime.stateStore(config.state)).lastRuns(config.name, 1);
    expect(last).to.deep.include({ status: 'partial', error: second.onMissingRefused });
  });

  it('a dry run lists what it would delete and counts it, and writes nothing (no request, no state, no seen marks left)', async () => {
    const config = await setup({ action: 'delete', maxFraction: 0.5 });
    ws.writeNdjson('source.ndjson', people('A', 'B', 'C'));
    await run(config);
    const gone = oro.records('customers').find((r) => r.attributes?.['externalId'] === 'C')!;
    ws.writeNdjson('source.ndjson', people('A', 'B'));
    oro.resetLog();
    const printed: string[] = [];
    const dry = await run(config, { dryRun: true, print: (line) => printed.push(line) });
    expect(dry.counts).to.deep.include({ unchanged: 2, deleted: 1 });
    expect(printed.map((line) => JSON.parse(line) as unknown)).to.deep.equal([{ action: 'delete', where: 'onMissing customers C', id: gone.id }]);
    expect(oro.requests.filter((r) => r.method !== 'GET' && r.path !== '/oauth2-token')).to.have.length(0);
    expect(externalIds()).to.include('C');
    expect(await (await runtime.stateStore(config.state)).keyState(config.name, 'C')).to.deep.include({ oroId: gone.id });
    const raw = new Database(ws.path('state.db'), { readonly: true });
    try {
      expect(raw.prepare('SELECT count(*) AS n FROM seen_keys').get()).to.deep.equal({ n: 0 });
    } finally {
      raw.close();
    }
  });

  it('a delete (and its read-back) goes through the retry policy; one that still fails is a failed outcome and a dead letter, and the key is tried again next run', async () => {
    const config = await setup({ action: 'delete', maxFraction: 0.5 });
    ws.writeNdjson('source.ndjson', people('A', 'B', 'C'));
    await run(config);
    ws.writeNdjson('source.ndjson', people('A', 'B'));
    oro.resetLog();
    // Oro fails from the first record on (the run's start checked its stored ids before that).
    const second = await run(config, { onOutcome: () => oro.setFaults({ rate500: 1 }) });
    expect(second.counts).to.deep.include({ unchanged: 2, deleted: 0, failed: 1 });
    // The key's id is read back before it is deleted: the first attempt and pipeline.retries (2)
    // retries failed, so nothing was deleted.
    expect(readBacks().map((r) => r.status)).to.deep.equal([200, 500, 500, 500]);
    expect(requests('DELETE')).to.deep.equal([]);
    expect(ws.deadLetters()).to.have.length(1);
    expect(ws.deadLetters()[0]).to.deep.include({ status: 'failed', where: 'onMissing customers C' });
    oro.setFaults({ rate500: 0 });
    expect((await run(config)).counts).to.deep.include({ deleted: 1, failed: 0 });
    expect(externalIds()).to.deep.equal(['A', 'B']);
  });

  describe('nothing is deleted after a run that did not read the whole snapshot', () => {
    it('a run stopped by a signal', async () => {
      const config = await setup({ action: 'delete', maxFraction: 1 });
      ws.writeNdjson('source.ndjson', people('A', 'B', 'C', 'D'));
      await run(config);
      ws.writeNdjson('source.ndjson', people('A', 'B', 'C'));
      const controller = new AbortController();
      oro.resetLog();
      const second = await run(config, { signal: controller.signal, onOutcome: () => controller.abort() });
      expect(second.stopped).to.equal(true);
      expect(second.counts.deleted).to.equal(0);
      expect(requests('DELETE')).to.have.length(0);
      expect(externalIds()).to.include('D');
    });

    it('a source that failed (a JSON export cut short)', async () => {
      const config = await setup({ action: 'delete', maxFraction: 1 }, { source: { kind: 'json', path: 'source.json', changes: 'snapshot' } });
      ws.write('source.json', JSON.stringify(people('A', 'B', 'C')));
      await run(config);
      ws.write('source.json', `${JSON.stringify(people('A', 'B')).slice(0, -1)}, {"id": "C", "na`);
      oro.resetLog();
      let error: unknown;
      await run(config).catch((e: unknown) => void (error = e));
      expect(error).to.be.instanceOf(Error);
      expect(requests('DELETE')).to.have.length(0);
      expect(externalIds()).to.deep.equal(['A', 'B', 'C']);
    });

    it('a run that read only what was appended to the file (source.changes "auto")', async () => {
      const config = await setup({ action: 'delete', maxFraction: 1 }, { source: { kind: 'ndjson', path: 'source.ndjson' } });
      ws.writeNdjson('source.ndjson', people('A', 'B'));
      await run(config);
      ws.appendNdjson('source.ndjson', people('C'));
      oro.resetLog();
      const second = await run(config);
      expect(second.counts).to.deep.include({ created: 1, deleted: 0 });
      expect(requests('DELETE')).to.have.length(0);
      expect(externalIds()).to.deep.equal(['A', 'B', 'C']);
    });

    it('a run that read a record whose key cannot be read (it may be a known key): a warning says so', async () => {
      const config = await setup({ action: 'delete', maxFraction: 1 });
      ws.writeNdjson('source.ndjson', people('A', 'B', 'C'));
      await run(config);
      ws.write('source.ndjson', `${JSON.stringify({ id: 'A', name: 'Name A' })}\n{"id": "B", "name": \n`);
      oro.resetLog();
      const second = await run(config);
      expect(second.counts).to.deep.include({ unchanged: 1, rejected: 1, deleted: 0 });
      expect(requests('DELETE')).to.have.length(0);
      expect(logs.map((l) => l.msg).join('\n'), JSON.stringify(logs)).to.match(/target\.onMissing: nothing was deleted or updated: 1 record\(s\) without a readable key \(first at \S*source\.ndjson:2\)/);
    });
  });

  it('rejected records count as seen: a key Oro refuses this time is not deleted', async () => {
    const config = await setup({ action: 'delete', maxFraction: 1 });
    ws.writeNdjson('source.ndjson', people('A', 'B'));
    await run(config);
    ws.writeNdjson('source.ndjson', [{ id: 'A', name: 'Name A' }, { id: 'B', name: '' }]);
    oro.resetLog();
    const second = await run(config);
    expect(second.counts).to.deep.include({ unchanged: 1, rejected: 1, deleted: 0 });
    expect(requests('DELETE')).to.have.length(0);
    expect(externalIds()).to.deep.equal(['A', 'B']);
  });
});
