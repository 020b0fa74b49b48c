/**
 * Prometheus metrics (prom-client) and the small HTTP server that exposes them, with liveness
 * and readiness probes for the daemon.
 *
 * Labels never carry secrets or record data: `target` is the Oro type, `outcome` an outcome
 * status, `method`/`status` the HTTP method and status (or `network` / `timeout`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OutcomeStatus } from '../types/outcome.js';

/** Buckets of `oro_sync_batch_duration_seconds`: 10 ms ... 60 s. */
export const BATCH_DURATION_BUCKETS: readonly number[] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The `status` label of a request that got no HTTP answer. */
export type NoAnswer = 'network' | 'timeout';

/**
 * Every metric of oro-sync, registered in `registry`.
 *
 * @example
 * ```ts
 * const metrics = createMetrics();
 * const runtime = createRuntime({ logger: pino(), metrics, concurrency: 8, timeoutMs: 30_000 });
 * console.log(await metrics.registry.metrics());   // Prometheus text format
 * ```
 */
export interface Metrics {
  readonly registry: Registry;
  /** Outcomes per record. */
  readonly records: Counter<'target' | 'outcome'>;
  /** Requests to Oro by method and status (`"200"`, `"429"`, `"network"`, `"timeout"`). */
  readonly requests: Counter<'method' | 'status'>;
  /** Retried attempts. */
  readonly retries: Counter<'target'>;
  /** Tokens obtained from the token endpoint. */
  readonly tokenGrants: Counter<string>;
  readonly inFlightRequests: Gauge<string>;
  /**
   * Requests the limiter allows in flight now: a fixed `pipeline.concurrency` (halved for a while
   * after a 429/503), or with `"auto"` what it has found Oro serves at once.
   */
  readonly concurrencyLimit: Gauge<string>;
  /** Records read but without an outcome yet. */
  readonly queueDepth: Gauge<string>;
  /** Time to write one batch (or one record in `single` mode). */
  readonly batchDuration: Histogram<string>;
  /** Pauses Oro (or a proxy in front of it) asked for with `Retry-After` on a 429/503. */
  readonly pauses: Counter<string>;
  /** Seconds new requests were held back by those pauses (an extended pause counts what it added). */
  readonly pauseSeconds: Counter<string>;
  /** Unix time of the last run of a target that ended without rejected or failed records. */
  readonly lastSuccess: Gauge<'target'>;
  /** Count one outcome. */
  recordOutcome(target: string, outcome: OutcomeStatus): void;
  /** Count one request; `status` is the HTTP status or why there was none. */
  recordRequest(method: string, status: number | NoAnswer): void;
}

/**
 * Create and register the metrics (and the default process metrics) in `registry`.
 * Use a fresh registry per test; the default is a new one, not prom-client's global registry,
 * so two pipelines in one process never collide.
 *
 * @example
 * const metrics = createMetrics();
 * metrics.recordOutcome('customers', 'created');
 * const end = metrics.batchDuration.startTimer(); ...; end();
 */
export function createMetrics(registry: Registry = new Registry()): Metrics {
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const records = new Counter({
    name: 'oro_sync_records_total', help: 'Records by target and outcome', labelNames: ['target', 'outcome'] as const, registers,
  });
  const requests = new Counter({
    name: 'oro_sync_requests_total',
    help: 'Requests to Oro by method and HTTP status (network/timeout when there was no answer)',
    labelNames: ['method', 'status'] as const,
    registers,
  });
  return {
    registry,
    records,
    requests,
    retries: new Counter({
      name: 'oro_sync_retries_total', help: 'Retried requests by target', labelNames: ['target'] as const, registers,
    }),
    tokenGrants: new Counter({ name: 'oro_sync_token_grants_total', help: 'Access tokens obtained', registers }),
    inFlightRequests: new Gauge({ name: 'oro_sync_in_flight_requests', help: 'Requests to Oro in flight', registers }),
    concurrencyLimit: new Gauge({
      name: 'oro_sync_concurrency_limit', help: 'Requests to Oro allowed in flight now (with concurrency "auto": what Oro was found to serve at once)', registers,
    }),
    queueDepth: new Gauge({ name: 'oro_sync_queue_depth', help: 'Records read and not yet finished', registers }),
    batchDuration: new Histogram({
      name: 'oro_sync_batch_duration_seconds',
      help: 'Time to write one batch to Oro',
      buckets: [...BATCH_DURATION_BUCKETS],
      registers,
    }),
    pauses: new Counter({ name: 'oro_sync_pauses_total', help: 'Pauses asked for by Oro or a proxy in front of it (429/503 with Retry-After)', registers }),
    pauseSeconds: new Counter({
      name: 'oro_sync_pause_seconds_total', help: 'Seconds no new request to Oro started because of those pauses', registers,
    }),
    lastSuccess: new Gauge({
      name: 'oro_sync_last_success_timestamp_seconds',
      help: 'Unix time of the last run that finished without rejected or failed records',
      labelNames: ['target'] as const,
      registers,
    }),
    recordOutcome: (target, outcome) => records.inc({ target, outcome }),
    recordRequest: (method, status) => requests.inc({ method, status: String(status) }),
  };
}

export interface MetricsServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Default `127.0.0.1`: metrics are not published beyond this machine unless asked. */
  readonly host?: string;
  readonly metrics: Pick<Metrics, 'registry'>;
  /** `/readyz` answers 200 while this returns true, else 503. */
  readonly ready: () => boolean;
}

export interface MetricsServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Stop listening and close open connections. */
  close(): Promise<void>;
}

/**
 * Serve `GET /metrics` (Prometheus text format), `/healthz` (200 while the process runs) and
 * `/readyz` (200 when `ready()`, else 503).
 *
 * @throws Error naming host:port when the port cannot be bound (in use, not permitted)
 *
 * @example
 * const server = await startMetricsServer({ port: 9464, metrics, ready: () => tokenOk });
 * ...
 * await server.close();
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const { registry } = options.metrics;

  const send = (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'method not allowed\n');
    }
    switch (path) {
      case '/metrics':
        return send(res, 200, await registry.metrics(), registry.contentType);
      case '/healthz':
        return send(res, 200, 'ok\n');
      case '/readyz':
        return options.ready() ? send(res, 200, 'ready\n') : send(res, 503, 'not ready\n');
      default:
        return send(res, 404, 'not found: try /metrics, /healthz or /readyz\n');
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, `metrics failed: ${e instanceof Error ? e.message : String(e)}\n`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(new Error(`metrics server cannot listen on ${host}:${options.port} (${e.code ?? e.message}); change metrics.port`));
    };
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        // Scrapers keep connections alive; without this, close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}
