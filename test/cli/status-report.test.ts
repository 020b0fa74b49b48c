import { expect } from 'chai';
import type { Config } from '../../src/config/config-types.js';
import { exitCodeOfRun, formatKey, formatStatus, keyReport, statusJson, statusReport } from '../../src/cli/status-report.js';
import { openStateStore } from '../../src/state/sqlite-state-store.js';
import type { RunRecord, StateStore } from '../../src/state/state-store.js';
import { emptyCounts } from '../../src/run/summary.js';

const config = { name: 'customers', target: { type: 'customers' }, state: { path: '/srv/sync/state.db' } } as unknown as Config;
const blank = { status: '422', title: 'not blank constraint', detail: 'This value should not be blank.', pointer: '/data/attributes/name' };

describe('cli/status-report: what `oro-sync status` says of a pipeline', () => {
  let clock: number;
  let store: StateStore;
  beforeEach(() => {
    clock = Date.parse('2026-03-01T10:00:00Z');
    store = openStateStore(':memory:', { now: () => new Date(clock) });
  });
  afterEach(() => store.close());

  /** A run that took `ms` and ended `status` with `counts`. */
  const run = async (status: 'ok' | 'partial' | 'failed' | 'stopped', counts: Partial<ReturnType<typeof emptyCounts>>, ms = 1500, error?: string) => {
    const id = await store.startRun('customers');
    clock += ms;
    await store.finishRun(id, { status, counts: { ...emptyCounts(), ...counts }, ...(error ? { error } : {}) });
    clock += 60_000;
  };

  it('gives every run the exit code `run --once` had: ok 0, partial 1, failed 2, stopped by its counts, running none', async () => {
    const finished = (status: RunRecord['status'], rejected = 0) =>
      ({ status, counts: { ...emptyCounts(), rejected }, finishedAt: 'x', error: null, id: 1, pipeline: 'p', startedAt: 'x', meta: null }) as RunRecord;
    expect(['ok', 'partial', 'failed'].map((s) => exitCodeOfRun(finished(s as RunRecord['status'])))).to.deep.equal([0, 1, 2]);
    expect(exitCodeOfRun(finished('stopped'))).to.equal(0);
    expect(exitCodeOfRun(finished('stopped', 2))).to.equal(1);
    expect(exitCodeOfRun({ ...finished('ok'), status: 'running', finishedAt: null, counts: null } as RunRecord)).to.equal(null);
  });

  it('reports runs newest first, the checkpoint, the keys, and the first waiting keys of how many, aligned', async () => {
    await run('ok', { created: 3 }, 1200);
    await run('partial', { unchanged: 1, updated: 1, rejected: 2, failed: 1 }, 800);
    await store.startRun('customers');
    await store.saveCheckpoint('customers', {
      seq: 4, resume: { line: 5 }, watermark: null, complete: true,
      sourceMark: { dev: '2049', ino: '131', size: 512, head: 'a1b2c3d4e5f6a7b8', tail: 'ff' },
    });
    await store.putKeyStates('customers', [
      { key: 'C1', digest: 'd1', oroId: '1', lastOutcome: 'confirmed' },
      { key: 'C2', digest: 'd2', lastOutcome: 'rejected', errors: [blank] },
      { key: 'C3', digest: 'd3', lastOutcome: 'rejected', errors: [blank, { title: 'other' }] },
      { key: 'C4', oroId: '4', lastOutcome: 'failed' },
    ]);
    const report = await statusReport(store, config, { waiting: 2 });
    expect(report.keys).to.deep.equal({ known: 4, confirmed: 1, rejected: 2, failed: 1 });
    expect(report.runs.map((r) => [r.status, r.exitCode])).to.deep.equal([['running', null], ['partial', 1], ['ok', 0]]);
    expect(formatStatus(report)).to.deep.equal([
      'pipeline   customers (target customers, state /srv/sync/state.db)',
      'checkpoint seq 4, last run complete, resume {"line":5}, saved 2026-03-01T10:02:02.000Z',
      '           source mark file device 2049 inode 131, 512 bytes, head a1b2c3d4e5f6…',
      'keys       4 known: 1 confirmed, 2 rejected, 1 failed',
      'runs       last 3, newest first',
      '  #3  2026-03-01T10:02:02.000Z  -      running',
      '  #2  2026-03-01T10:01:01.200Z  0.8 s  partial  exit 1  created 0, updated 1, unchanged 1, skipped 0, rejected 2, failed 1',
      '  #1  2026-03-01T10:00:00.000Z  1.2 s  ok       exit 0  created 3, updated 0, unchanged 0, skipped 0, rejected 0, failed 0',
      'waiting    2 rejected (sent again when their content changes), 1 failed (sent again next run); the first 2:',
      '  C2  rejected  2026-03-01T10:02:02.000Z  422 not blank constraint: This value should not be blank. (/data/attributes/name)',
      '  C3  rejected  2026-03-01T10:02:02.000Z  422 not blank constraint: This value should not be blank. (/data/attributes/name) (+1 more)',
    ]);
  });

  it('says so when nothing is known yet, and names an interrupted run\'s checkpoint and a failed run\'s error', async () => {
    expect(formatStatus(await statusReport(store, config))).to.deep.equal([
      'pipeline   customers (target customers, state /srv/sync/state.db)',
      'checkpoint none (the next run reads the source from its start)',
      'keys       0 known: 0 confirmed, 0 rejected, 0 failed',
      'runs       none recorded',
      'waiting    none',
    ]);
    await run('failed', {}, 100, 'token endpoint answered 401 invalid_client');
    await store.saveCheckpoint('customers', { seq: 9, resume: { page: 2, skip: 3 }, watermark: '2026-02-01T00:00:00Z' });
    const lines = formatStatus(await statusReport(store, config));
    expect(lines).to.include('checkpoint seq 9, last run interrupted (the next run resumes here), resume {"page":2,"skip":3}, saved 2026-03-01T10:01:00.100Z');
    expect(lines).to.include('           watermark 2026-02-01T00:00:00Z');
    expect(lines).to.include('  #1 error: token endpoint answered 401 invalid_client');
  });

  it('--key: the key\'s Oro id, last outcome, when, digest and errors; an unknown key says so', async () => {
    await store.putKeyStates('customers', [{ key: 'C2', digest: 'd2', oroId: '7', lastOutcome: 'rejected', errors: [blank, { title: 'other', detail: 'second' }] }]);
    expect(formatKey(await keyReport(store, config, 'C2'))).to.deep.equal([
      'key        C2 (pipeline customers)',
      'oro id     7',
      'outcome    rejected at 2026-03-01T10:00:00.000Z',
      'digest     d2',
      'errors     422 not blank constraint: This value should not be blank. (/data/attributes/name)',
      '           other: second',
    ]);
    expect(formatKey(await keyReport(store, config, 'NOPE'))).to.deep.equal(['key NOPE: not known to the state store for pipeline customers (never sent, or forgotten)']);
    expect(JSON.parse(statusJson(await keyReport(store, config, 'NOPE')))).to.deep.equal({ pipeline: 'customers', key: 'NOPE', known: false });
    expect(JSON.parse(statusJson(await keyReport(store, config, 'C2')))).to.deep.include({ pipeline: 'customers', key: 'C2', known: true, oroId: '7', lastOutcome: 'rejected' });
  });

  it('--json: one document with the runs (and their exit codes), checkpoint, key counts and waiting keys', async () => {
    await run('partial', { created: 1, rejected: 1 });
    await store.putKeyStates('customers', [{ key: 'C2', digest: 'd2', lastOutcome: 'rejected', errors: [blank] }]);
    const doc = JSON.parse(statusJson(await statusReport(store, config))) as Record<string, unknown>;
    expect(doc).to.deep.include({ pipeline: 'customers', target: 'customers', statePath: '/srv/sync/state.db', checkpoint: null });
    expect(doc['keys']).to.deep.equal({ known: 1, confirmed: 0, rejected: 1, failed: 0 });
    expect(doc['runs']).to.have.length(1);
    expect((doc['runs'] as Record<string, unknown>[])[0]).to.deep.include({ status: 'partial', exitCode: 1, finishedAt: '2026-03-01T10:00:01.500Z' });
    expect(doc['waiting']).to.deep.equal({ limit: 20, shown: [{ key: 'C2', digest: 'd2', lastOutcome: 'rejected', at: '2026-03-01T10:01:01.500Z', errors: [blank] }] });
  });

  it('prints no secret a resume token or an error may carry', async () => {
    await store.saveCheckpoint('customers', { seq: 1, resume: { url: 'https://erp.example.com/export?page=2&api_key=s3cr3t-value', skip: 1 }, watermark: null });
    await store.putKeyStates('customers', [{ key: 'C1', lastOutcome: 'failed', errors: [{ title: 'upstream', detail: 'Authorization: Bearer abc.def.ghi' }] }]);
    const text = [...formatStatus(await statusReport(store, config)), statusJson(await statusReport(store, config)), ...formatKey(await keyReport(store, config, 'C1'))].join('\n');
    expect(text).not.to.contain('s3cr3t-value');
    expect(text).not.to.contain('abc.def.ghi');
  });
});
