import { expect } from 'chai';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { checkConfig, type CheckFinding } from '../../src/run/check.js';
import { createRuntime, type Runtime } from '../../src/run/runtime.js';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { SECRET_ENV, workspace, type Workspace } from '../helpers/cli.js';

describe('run/checkConfig (fake Oro)', () => {
  let oro: FakeOro;
  let ws: Workspace;
  let runtime: Runtime;
  beforeEach(async () => {
    oro = await startFakeOro({ batchDisabled: ['customergroups'] });
    ws = workspace();
    ws.writeNdjson('source.ndjson', [{ id: 'K1', name: 'Alpha' }]);
    runtime = createRuntime({ logger: pino({ level: 'silent' }), concurrency: 2, timeoutMs: 5_000 });
  });
  afterEach(async () => {
    await runtime.close();
    await oro.close();
    ws.cleanup();
  });

  const check = async (overrides: Record<string, unknown> = {}) => {
    const { config } = await loadConfig(ws.config('customers', oro, overrides), { [SECRET_ENV]: oro.clientSecret });
    const findings: CheckFinding[] = [];
    const problems = await checkConfig(config, runtime, (finding) => findings.push(finding));
    return { findings, problems };
  };

  it('reports each probe as it answers, in the order a run meets them, and no problem for a usable config', async () => {
    const { findings, problems } = await check({ target: { mode: 'batch' } });
    expect(problems).to.deep.equal([]);
    expect(findings.map((f) => f.check)).to.deep.equal(['token', 'target', 'batch api', 'lookup', 'read', 'source']);
    expect(findings.find((f) => f.check === 'batch api')?.text).to.equal('enabled for customers');
    expect(findings.find((f) => f.check === 'lookup')?.text).to.equal('ok (filter[externalId] works)');
  });

  it('returns the problems a run would stop on (Batch API disabled, an unreadable source) instead of throwing', async () => {
    const { findings, problems } = await check({
      source: { kind: 'ndjson', path: ws.path('missing.ndjson') },
      target: { type: 'customergroups', mode: 'batch', key: { source: 'id', oro: 'name' }, attributes: { name: 'name' }, relationships: {} },
    });
    expect(findings.find((f) => f.check === 'batch api')?.text).to.equal('disabled for customergroups');
    expect(findings.some((f) => f.check === 'source')).to.equal(false);
    expect(problems).to.have.length(2);
    expect(problems[0]).to.match(/^target\.mode is "batch" but the Batch API is disabled for customergroups/);
    expect(problems[1]).to.equal(`source.path: cannot read ${ws.path('missing.ndjson')}`);
  });

  it('rejects when the credentials fail, before any other probe', async () => {
    const { config } = await loadConfig(ws.config('customers', oro), { [SECRET_ENV]: 'check-wrong-secret-value' });
    const findings: CheckFinding[] = [];
    const error = await checkConfig(config, runtime, (finding) => findings.push(finding)).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.include('invalid_client');
    expect(findings).to.deep.equal([]);
  });
});
