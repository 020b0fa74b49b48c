/**
 * `oro-sync check`: config, token, OPTIONS probe of the target type (Batch API on or off).
 */
import { expect } from 'chai';
import { runCli, SECRET_ENV, useFakeOroWorkspace } from '../helpers/cli.js';

describe('e2e: check', function () {
  this.timeout(30_000);
  const t = useFakeOroWorkspace({ batchDisabled: ['customergroups'] }, (t) => {
    t.ws.writeNdjson('source.ndjson', [{ id: 'K1', name: 'Alpha' }]);
  });

  it('exits 0 against the fake Oro and prints the Batch API status', async () => {
    const { oro, ws, env } = t;
    const config = ws.config('customers', oro, { target: { mode: 'batch' } });
    const result = await runCli(['check', config], { env });
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.include('batch api: enabled for customers');
    expect(result.stdout).to.include('check: all usable');
    expect(oro.requests.some((r) => r.method === 'OPTIONS' && r.path === '/admin/api/customers')).to.equal(true);
  });

  it('exits 2 for a batch-mode config whose type has the Batch API disabled, saying why (a run would stop there too)', async () => {
    const { oro, ws, env } = t;
    const config = ws.config('groups', oro, {
      target: { type: 'customergroups', mode: 'batch', key: { source: 'id', oro: 'name' }, attributes: { name: 'name' }, relationships: {} },
    });
    const result = await runCli(['check', config], { env });
    expect(result.code).to.equal(2);
    expect(result.stdout).to.include('batch api: disabled for customergroups');
    expect(result.stdout).to.match(/not usable: target\.mode is "batch" but the Batch API is disabled for customergroups/);
  });

  it('exits 2 for strategy upsert on customers, which Oro refuses, saying to use lookup', async () => {
    const { oro, ws, env } = t;
    const config = ws.config('customers', oro, { target: { strategy: 'upsert' } });
    const result = await runCli(['check', config], { env });
    expect(result.code, result.stdout + result.stderr).to.equal(2);
    expect(result.stdout).to.match(/not usable: target\.strategy: Oro does not allow upsert for customers .*use "lookup"/);
  });

  it('exits 2 with a wrong secret, naming the token URL, never the secret', async () => {
    const { oro, ws } = t;
    const config = ws.config('customers', oro);
    const wrong = 'check-wrong-secret-value';
    const result = await runCli(['check', config], { env: { [SECRET_ENV]: wrong } });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include(oro.tokenUrl).and.include('invalid_client');
    expect(result.stdout + result.stderr).not.to.include(wrong);
  });
});
