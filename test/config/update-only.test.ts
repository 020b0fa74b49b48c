import { expect } from 'chai';
import { decodeConfig } from '../../src/config/config-codec.js';

const base = (target: Record<string, unknown>): unknown => ({
  oro: { baseUrl: 'https://shop.example.com/admin/api', clientId: 'id', clientSecret: 'secret' },
  source: { kind: 'stdin' },
  target: { key: { source: 'id', oro: 'identifier' }, attributes: { externalId: 'erp' }, ...target },
});

function problemsOf(target: Record<string, unknown>): readonly string[] {
  const result = decodeConfig(base(target));
  return 'problems' in result ? result.problems : [];
}

describe('config: target.strategy "update-only"', () => {
  it('is a strategy of its own, for any type', () => {
    const result = decodeConfig(base({ type: 'orders', strategy: 'update-only' }));
    expect('config' in result && 'target' in result.config && result.config.target.strategy).to.equal('update-only');
  });

  it('is the only strategy for inventorylevels: any other is a problem naming update-only', () => {
    for (const strategy of ['lookup', 'create-only', 'upsert']) {
      expect(problemsOf({ type: 'inventorylevels', strategy }), strategy).to.deep.equal([
        `target.strategy: expected "update-only" for inventorylevels (Oro makes one per product unit precision (quantity 0) and its API refuses to create one: a sync can only update them), got "${strategy}"`,
      ]);
    }
    expect(problemsOf({ type: 'inventorylevels', strategy: 'update-only' })).to.deep.equal([]);
  });

  it('says so when inventorylevels left the strategy to its default', () => {
    expect(problemsOf({ type: 'inventorylevels' })).to.have.length(1);
    expect(problemsOf({ type: 'inventorylevels' })[0]).to.match(/expected "update-only" for inventorylevels .*got "lookup" \(the default\)$/);
  });
});
