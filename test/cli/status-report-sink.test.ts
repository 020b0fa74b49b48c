import { expect } from 'chai';
import type { SinkRunConfig } from '../../src/config/config-types.js';
import { formatStatus, statusJson, statusReport } from '../../src/cli/status-report.js';
import { openStateStore } from '../../src/state/sqlite-state-store.js';
import type { StateStore } from '../../src/state/state-store.js';
import { emptyCounts } from '../../src/run/summary.js';

const config = {
  name: 'orders-to-erp',
  sink: { kind: 'http', url: 'https://erp:pw@erp.example.com/api/orders', method: 'POST', headers: { Authorization: 'Bearer abc' }, batchSize: 1, allowInsecureHttp: false },
  state: { path: '/srv/sync/state.db' },
} as unknown as SinkRunConfig;

describe('cli/status-report: a pipeline out of Oro', () => {
  let store: StateStore;
  beforeEach(() => {
    store = openStateStore(':memory:', { now: () => new Date('2026-03-01T10:00:00Z') });
  });
  afterEach(() => store.close());

  it('names the sink without secrets and counts what its runs sent, not what they created', async () => {
    const id = await store.startRun('orders-to-erp');
    await store.finishRun(id, { status: 'partial', counts: { ...emptyCounts(), sent: 248, unchanged: 10, rejected: 1, failed: 1 } });
    await store.putKeyStates('orders-to-erp', [
      { key: 'orders/1', digest: 'd1', lastOutcome: 'confirmed' },
      { key: 'orders/2', lastOutcome: 'rejected', errors: [{ status: '400', title: 'POST https://erp.example.com/api/orders answered 400', detail: '{"error":"no customer"}' }] },
    ]);
    const report = await statusReport(store, config);
    const lines = formatStatus(report);
    expect(lines[0]).to.equal('pipeline   orders-to-erp (sink http POST https://erp.example.com/api/orders, state /srv/sync/state.db)');
    expect(lines.find((l) => l.includes('#1'))).to.match(/partial\s+exit 1\s+sent 248, unchanged 10, skipped 0, rejected 1, failed 1$/);
    expect(lines.join('\n')).to.contain('orders/2  rejected');
    expect(statusJson(report)).not.to.contain('Bearer abc');
  });
});
