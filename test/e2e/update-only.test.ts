/**
 * `target.strategy: "update-only"` through the CLI: find by key and update, never create; the only
 * strategy for a type Oro creates itself (inventorylevels).
 */
import { expect } from 'chai';
import { runCli, summaries, useFakeOroWorkspace } from '../helpers/cli.js';

describe('e2e: update-only', function () {
  this.timeout(60_000);
  const t = useFakeOroWorkspace({ asyncStepMs: 2 });

  for (const command of ['check', 'run'] as const) {
    it(`${command} exits 2 for inventorylevels with another strategy, naming update-only, before any request`, async () => {
      const { oro, ws, env } = t;
      ws.writeNdjson('source.ndjson', [{ sku: 'P-1', unit: 'item', qty: 5 }]);
      const config = ws.config('stock', oro, {
        target: { type: 'inventorylevels', mode: 'batch', strategy: 'lookup', key: { source: 'sku', oro: 'id' }, attributes: { quantity: 'qty' }, relationships: {} },
      });
      const result = await runCli(command === 'run' ? ['run', '--once', config] : ['check', config], { env });
      expect(result.code, result.stdout + result.stderr).to.equal(2);
      expect(result.stdout + result.stderr).to.match(/target\.strategy: expected "update-only" for inventorylevels .*got "lookup"/);
      expect(oro.requests.filter((r) => r.path.startsWith('/admin/api')), 'nothing asked of Oro').to.deep.equal([]);
    });
  }

  it('run updates the customers Oro has and rejects the others with exit 1, creating none', async () => {
    const { oro, ws, env } = t;
    oro.seed('customers', { name: 'Old 1', externalId: 'K1' });
    ws.writeNdjson('source.ndjson', [{ id: 'K1', name: 'New 1' }, { id: 'K2', name: 'New 2' }]);
    const config = ws.config('customers', oro, { target: { strategy: 'update-only', mode: 'batch', attributes: { name: 'name' }, relationships: {} } });
    const result = await runCli(['run', '--once', config], { env });
    expect(result.code, result.stdout + result.stderr).to.equal(1);
    expect(summaries(result.stdout)).to.deep.equal([{ created: 0, updated: 1, unchanged: 0, skipped: 0, rejected: 1, failed: 0 }]);
    expect(oro.records('customers').map((c) => c.attributes?.['name'])).to.deep.equal(['New 1']);
    const [letter] = ws.deadLetters();
    expect(letter?.['record']).to.deep.equal({ id: 'K2', name: 'New 2' });
    expect(JSON.stringify(letter?.['errors'])).to.include('customers externalId=K2 not found in Oro');
  });
});
