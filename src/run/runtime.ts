import type { Logger } from 'pino';
import type { TokenStream } from '../auth/types.js';
import { createOro, type Oro } from '../oro/create-oro.js';
import { createHttp, type Http } from '../util/http.js';
import type { OroClient } from '../oro/types.js';
import type { RequestEvent } from '../util/http.js';
import { openStateStore } from '../state/sqlite-state-store.js';
import type { StateStore } from '../state/state-store.js';
import { openPgStateStore } from '../state/pg-state-store.js';
import { createPgKeyLocks, type PgKeyLocks } from '../state/pg-key-locks.js';
import type { KeyClaims } from '../types/key-claims.js';
import type { OroConfig, PipelineConfig, StateConfig } from '../config/config-types.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import type { Metrics } from './metrics.js';
import { requestLogger } from './request-log.js';

/** One Oro credential's shared token stream and client. */
export interface Credential {
  readonly tokens: TokenStream;
  readonly client: OroClient;
}

/**
 * The retry budget a config's pipeline sets (`pipeline.retries`, `retryBaseMs`, `retryMaxMs`) as
 * a retry policy: for Oro requests, the source and the token endpoint alike.
 */
export function retryBudgetOf(pipeline: PipelineConfig): RetryPolicy {
  return { retries: pipeline.retries, baseMs: pipeline.retryBaseMs, maxMs: pipeline.retryMaxMs };
}

/**
 * What every config run in one process shares (`oro-sync run a.json b.json`): one HTTP stack,
 * one token stream per credential (invariant 3) and one state store per file or database.
 *
 * @example
 * ```ts
 * const runtime = createRuntime({ logger: pino(), metrics: createMetrics(), concurrency: 8, timeoutMs: 30_000 });
 * for (const file of ['groups.json', 'customers.json']) await runConfig((await loadConfig(file)).config, runtime);
 * await runtime.close();
 * ```
 */
export interface Runtime {
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /**
   * The credential's shared token stream and client (created on first use). `retry` is the token
   * endpoint's retry budget (the config's `pipeline.retries`/`retryBaseMs`/`retryMaxMs`), so an
   * unreachable Oro fails after the budget the user set; the first config of a credential sets it.
   */
  credential(oro: OroConfig, retry?: RetryPolicy): Credential;
  /**
   * The state store a config names (`state.path`: a SQLite file; `state.url`: PostgreSQL), opened
   * on first use and shared by every config of the process that names the same one.
   * @throws StateStoreError (rejects) when it cannot be opened, naming `state.url` without its password.
   */
  stateStore(state: StateConfig): Promise<StateStore>;
  /**
   * Per-key locks shared by every worker of the PostgreSQL state store at `url`, for the keys of
   * one target (`namespace`: its type and key field, so that two configs writing one Oro type
   * keep out of each other's way too). One set of connections per url and namespace, created on
   * first use; `connections` bounds it (the first caller sets it).
   */
  keyClaims(url: string, namespace: string, connections: number): KeyClaims;
  close(): Promise<void>;
}

/**
 * What several configs run in one process share, as `oro-sync run a.json b.json` does: one HTTP stack
 * (`concurrency` connections, `timeoutMs` per request), one token per credential, one state store per
 * file. `metrics` (from `createMetrics`) counts records, requests and token grants. `close()` releases
 * all of it.
 *
 * @example
 * ```ts
 * const runtime = createRuntime({ logger: pino({ level: 'info' }), concurrency: 8, timeoutMs: 30_000 });
 * const result = await runConfig((await loadConfig('customers.json')).config, runtime);
 * await runtime.close();
 * ```
 */
export function createRuntime(options: { logger: Logger; metrics?: Metrics; concurrency: number; timeoutMs: number }): Runtime {
  const { logger, metrics } = options;
  const onRequest = (event: RequestEvent) => metrics?.recordRequest(event.method, event.status ?? 'network');
  // Each Oro request is logged (debug) where the client ends it: with what it carried.
  const logRequest = requestLogger(logger);
  const http: Http = createHttp({ concurrency: options.concurrency, timeoutMs: options.timeoutMs, onRequest });
  const credentials = new Map<string, Oro>();
  const stores = new Map<string, Promise<StateStore>>();
  const claims = new Map<string, PgKeyLocks>();
  return {
    logger,
    ...(metrics ? { metrics } : {}),
    credential(oro, retry) {
      const id = `${oro.tokenUrl}\u0000${oro.clientId}\u0000${oro.baseUrl}`;
      let credential = credentials.get(id);
      if (!credential) {
        // Every credential over the one HTTP stack; its requests are bounded per config (runConfig's limiter).
        credential = createOro({
          baseUrl: oro.baseUrl,
          tokenUrl: oro.tokenUrl,
          clientId: oro.clientId,
          clientSecret: oro.clientSecret,
          allowInsecureHttp: oro.allowInsecureHttp,
          http,
          ...(retry ? { retry } : {}),
          onWarning: (message) => logger.warn({ baseUrl: oro.baseUrl }, message),
          onRequest: logRequest,
          onGrant: () => {
            metrics?.tokenGrants.inc();
            logger.debug({ tokenUrl: oro.tokenUrl }, 'token granted');
          },
        });
        credentials.set(id, credential);
      }
      return credential;
    },
    stateStore(state) {
      const id = state.url ?? state.path;
      let store = stores.get(id);
      if (!store) {
        const { url, path } = state;
        store = url !== undefined ? openPgStateStore(url) : Promise.resolve().then(() => openStateStore(path));
        // Seen by the run that asked; `close()` must not fail again on it.
        store.catch(() => undefined);
        stores.set(id, store);
      }
      return store;
    },
    keyClaims(url, namespace, connections) {
      const id = `${url}\u0000${namespace}`;
      let locks = claims.get(id);
      if (!locks) {
        locks = createPgKeyLocks({
          url,
          namespace,
          connections,
          onError: (error) => logger.warn({ namespace, error: error.message }, 'key lock connection lost: PostgreSQL released its locks'),
        });
        claims.set(id, locks);
      }
      return locks;
    },
    async close() {
      // Before the stores: a claim still held is released (its write is over or abandoned).
      await Promise.all([...claims.values()].map((locks) => locks.close()));
      claims.clear();
      for (const credential of credentials.values()) credential.close();
      http.close();
      for (const store of stores.values()) await store.then((opened) => opened.close(), () => undefined);
      credentials.clear();
      stores.clear();
    },
  };
}
