/**
 * `oro-sync check`: config, token, OPTIONS probe of the target type (Batch API on or off).
 */
import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { ensureBuilt, runCli, SECRET_ENV, workspace, type Workspace } from '../helpers/cli.js';

describe('e2e: check', function () {
  this.timeout(30_000);
  let oro: FakeOro;
  let ws: Workspace;
  let env: Record<string, string>;

  before(() => ensureBuilt());
  beforeEach(async () => {
    oro = await startFakeOro({ batchDisabled: ['customergroups'] });
    env = { [SECRET_ENV]: oro.clientSecret };
    ws = workspace();
    ws.writeNdjson('source.ndjson', [{ id: 'K1', name: 'Alpha' }]);
  });
  afterEach(async () => {
    await oro.close();
    ws.cleanup();
  });

  it('exits 0 against the fake Oro and prints the Batch API status', async () => {
    const config = ws.config('customers', oro, { target: { mode: 'batch' } });
    const result = await runCli(['check', config], { env });
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.include('batch api: enabled for customers');
    expect(result.stdout).to.include('check: all usable');
    expect(oro.requests.some((r) => r.method === 'OPTIONS' && r.path === '/admin/api/customers')).to.equal(true);
  });

  it('exits non-zero for a batch-mode config whose type has the Batch API disabled, saying why', async () => {
    const config = ws.config('groups', oro, {
      target: { type: 'customergroups', mode: 'batch', key: { source: 'id', oro: 'name' }, attributes: { name: 'name' }, relationships: {} },
    });
    const result = await runCli(['check', config], { env });
    expect(result.code).to.equal(1);
    expect(result.stdout).to.include('batch api: disabled for customergroups');
    expect(result.stdout).to.match(/not usable: target\.mode is "batch" but the Batch API is disabled for customergroups/);
  });

  it('exits 2 with a wrong secret, naming the token URL, never the secret', async () => {
    const config = ws.config('customers', oro);
    const wrong = 'check-wrong-secret-value';
    const result = await runCli(['check', config], { env: { [SECRET_ENV]: wrong } });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include(oro.tokenUrl).and.include('invalid_client');
    expect(result.stdout + result.stderr).not.to.include(wrong);
  });
});
