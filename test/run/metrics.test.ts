import { expect } from 'chai';
import { Registry } from 'prom-client';
import { createMetrics, type MetricsServer, startMetricsServer } from '../../src/run/metrics.js';

describe('run/metrics', () => {
  let servers: MetricsServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });

  async function start(ready: () => boolean = () => true, port = 0) {
    const metrics = createMetrics();
    const server = await startMetricsServer({ port, metrics, ready });
    servers.push(server);
    return { metrics, server, url: `http://127.0.0.1:${server.port}` };
  }

  it('registers every metric, plus default process metrics, in the given registry', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry);
    metrics.recordOutcome('customers', 'created');
    metrics.recordOutcome('customers', 'created');
    metrics.recordOutcome('customers', 'rejected');
    metrics.recordOutcome('customers', 'unchanged');
    metrics.recordRequest('PATCH', 200);
    metrics.recordRequest('POST', 'timeout');
    metrics.retries.inc({ target: 'customers' });
    metrics.tokenGrants.inc();
    metrics.inFlightRequests.set(3);
    metrics.queueDepth.set(42);
    metrics.batchDuration.observe(0.2);
    metrics.lastSuccess.set({ target: 'customers' }, 1700000000);
    const text = await registry.metrics();
    for (const line of [
      'oro_sync_records_total{target="customers",outcome="created"} 2',
      'oro_sync_records_total{target="customers",outcome="unchanged"} 1',
      'oro_sync_records_total{target="customers",outcome="rejected"} 1',
      'oro_sync_requests_total{method="PATCH",status="200"} 1',
      'oro_sync_requests_total{method="POST",status="timeout"} 1',
      'oro_sync_retries_total{target="customers"} 1',
      'oro_sync_token_grants_total 1',
      'oro_sync_in_flight_requests 3',
      'oro_sync_queue_depth 42',
      'oro_sync_batch_duration_seconds_bucket{le="0.01"} 0',
      'oro_sync_batch_duration_seconds_bucket{le="0.25"} 1',
      'oro_sync_batch_duration_seconds_bucket{le="60"} 1',
      'oro_sync_last_success_timestamp_seconds{target="customers"} 1700000000',
      'process_cpu_user_seconds_total',
    ]) {
      expect(text).to.contain(line);
    }
  });

  it('serves /metrics in the Prometheus text format over HTTP on 127.0.0.1 (port 0)', async () => {
    const { metrics, server, url } = await start();
    expect(server.port).to.be.greaterThan(0);
    metrics.recordOutcome('customers', 'updated');
    const res = await fetch(`${url}/metrics`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.contain('text/plain').and.to.contain('version=0.0.4');
    expect(await res.text()).to.contain('oro_sync_records_total{target="customers",outcome="updated"} 1');
  });

  it('answers /healthz 200 and /readyz by ready()', async () => {
    let ready = false;
    const { url } = await start(() => ready);
    expect((await fetch(`${url}/healthz`)).status).to.equal(200);
    expect((await fetch(`${url}/readyz`)).status).to.equal(503);
    ready = true;
    expect((await fetch(`${url}/readyz`)).status).to.equal(200);
  });

  it('answers 404 to other paths and 405 to other methods', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/nope`)).status).to.equal(404);
    const post = await fetch(`${url}/metrics`, { method: 'POST' });
    expect(post.status).to.equal(405);
    expect(post.headers.get('allow')).to.equal('GET, HEAD');
  });

  it('rejects with host:port when the port is taken', async () => {
    const { server } = await start();
    const error = await startMetricsServer({ port: server.port, metrics: createMetrics(), ready: () => true })
      .then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.contain(`127.0.0.1:${server.port}`).and.to.contain('EADDRINUSE');
  });

  it('close() stops listening even with a kept-alive connection', async () => {
    const metrics = createMetrics();
    const server = await startMetricsServer({ port: 0, metrics, ready: () => true });
    await fetch(`http://127.0.0.1:${server.port}/healthz`); // undici keeps the connection alive
    await server.close();
    const error = await fetch(`http://127.0.0.1:${server.port}/healthz`).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(Error);
  });
});
