import { expect } from 'chai';
import { pino } from 'pino';
import type { LimitEvent } from '../../src/oro/limiter.js';
import { createMetrics } from '../../src/run/metrics.js';
import { reportLimit } from '../../src/run/limit-report.js';

/** A pino logger writing its JSON lines into `lines`. */
function capturingLogger() {
  const lines: { level: number; msg: string; limit?: number }[] = [];
  const logger = pino({ base: null, timestamp: false }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  return { logger, lines };
}

const auto = (previous: number, limit: number, reason: LimitEvent['reason'], latencyRatio?: number): LimitEvent => ({
  previous, limit, reason, adaptive: true, ...(latencyRatio !== undefined ? { latencyRatio } : {}),
});

async function gauge(metrics: ReturnType<typeof createMetrics>): Promise<number | undefined> {
  return (await metrics.concurrencyLimit.get()).values[0]?.value;
}

describe('run/reportLimit', () => {
  it("sets oro_sync_concurrency_limit on every change; logs an 'auto' limit when it settles and when it moves a lot", async () => {
    const { logger, lines } = capturingLogger();
    const metrics = createMetrics();
    const report = reportLimit(logger, metrics);
    // The search at the start of a run: not logged.
    report(auto(8, 16, 'headroom', 1));
    report(auto(16, 32, 'headroom', 1));
    report(auto(32, 38, 'queueing', 2));
    expect(await gauge(metrics)).to.equal(38);
    report(auto(38, 38, 'settled', 1.2));
    // Steps of a few in steady state: not news.
    report(auto(38, 44, 'headroom', 1.05));
    report(auto(44, 38, 'queueing', 1.45));
    // Oro lost workers: news.
    report(auto(38, 19, 'overload'));
    report(auto(19, 9, 'queueing', 4.26));
    report(auto(9, 9, 'settled', 1.25));
    expect(lines.map((l) => [l.level, l.msg])).to.deep.equal([
      [30, "concurrency limit settled at 38 requests in flight (latency 1.2x Oro's unloaded)"],
      [30, 'concurrency limit 38 -> 19: Oro answered 503'],
      [30, "concurrency limit 19 -> 9: requests queued in Oro (latency 4.3x Oro's unloaded)"],
    ]);
    expect(await gauge(metrics)).to.equal(9);
    expect(await metrics.registry.metrics()).to.include('oro_sync_concurrency_limit 9');
  });

  it('logs nothing for a fixed limit (its halving on a 429/503 is a pause, logged as such), yet sets the gauge', async () => {
    const { logger, lines } = capturingLogger();
    const metrics = createMetrics();
    const report = reportLimit(logger, metrics);
    report({ previous: 8, limit: 4, reason: 'overload', adaptive: false });
    report({ previous: 4, limit: 5, reason: 'recovered', adaptive: false });
    expect(lines).to.deep.equal([]);
    expect(await gauge(metrics)).to.equal(5);
  });
});
