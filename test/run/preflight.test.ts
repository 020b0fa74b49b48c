/**
 * The target probe `oro-sync check` and every run (before it writes) share: an unknown type, the
 * Batch API off for the mode, upsert where Oro allows none, a key field Oro lacks.
 */
import { expect } from 'chai';
import { loadConfig } from '../../src/config/config.js';
import { createOro, type Oro } from '../../src/oro/create-oro.js';
import { probeTarget, type ProbeFinding } from '../../src/run/preflight.js';
import { startFakeOro, type FakeOro, type FakeOroOptions } from '../../src/testing/index.js';
import { SECRET_ENV, workspace, type Workspace } from '../helpers/cli.js';

describe('run/probeTarget', () => {
  let oro: FakeOro;
  let ws: Workspace;
  let api: Oro;
  const start = async (options: FakeOroOptions = {}) => {
    oro = await startFakeOro(options);
    api = createOro({ baseUrl: oro.baseUrl, tokenUrl: oro.tokenUrl, clientId: oro.clientId, clientSecret: oro.clientSecret });
  };
  beforeEach(() => void (ws = workspace()));
  afterEach(async () => {
    api.close();
    await oro.close();
    ws.cleanup();
  });

  const probe = async (target: Record<string, unknown> = {}) => {
    const { config } = await loadConfig(ws.config('customers', oro, { target: { relationships: {}, ...target } }), { [SECRET_ENV]: oro.clientSecret });
    const findings: ProbeFinding[] = [];
    const result = await probeTarget(config, api.client, (f) => findings.push(f));
    return { ...result, findings };
  };

  it('a usable target: no problem, findings in the order check prints them', async () => {
    await start();
    const result = await probe({ mode: 'batch' });
    expect(result.problems).to.deep.equal([]);
    expect(result).to.include({ known: true, keyField: true });
    expect(result.findings.map((f) => f.check)).to.deep.equal(['target', 'batch api', 'lookup']);
  });

  it('an unknown type (a typo): one problem naming it, and no further probe', async () => {
    await start();
    oro.resetLog();
    const result = await probe({ type: 'customerz' });
    expect(result.known).to.equal(false);
    expect(result.problems).to.have.length(1);
    expect(result.problems[0]).to.match(/^target\.type: Oro at http:\/\/127\.0\.0\.1:\d+\/admin\/api has no type "customerz" \(OPTIONS answered 404 "entity type constraint/);
    expect(oro.requests.filter((r) => r.path.startsWith('/admin/api')).map((r) => r.method)).to.deep.equal(['OPTIONS']);
  });

  it('the Batch API off for a batch mode, and upsert on a type Oro refuses it for', async () => {
    await start({ batchDisabled: ['customers'] });
    const result = await probe({ mode: 'batch-sync', strategy: 'upsert' });
    expect(result.problems).to.have.length(2);
    expect(result.problems[0]).to.equal('target.mode is "batch-sync" but the Batch API is disabled for customers; use "single" or enable update_list for customers in Oro');
    expect(result.problems[1]).to.match(/^target\.strategy: Oro does not allow upsert for customers .*use "lookup"/);
  });

  it('a key field this Oro does not have (externalId before 6.1.10)', async () => {
    await start({ version: '6.0' });
    const result = await probe();
    expect(result.keyField).to.equal(false);
    expect(result.problems).to.have.length(1);
    expect(result.problems[0]).to.match(/^target\.key\.oro: this Oro has no filterable "externalId" on customers/);
  });

  it('rejects what is not an answer about the target (credentials, the network)', async () => {
    await start();
    await oro.close();
    const error = await probe().then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.match(/ECONNREFUSED|OPTIONS/);
  });
});
