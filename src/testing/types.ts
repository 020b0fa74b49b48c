/**
 * Public types of the fake Oro server (`oro-sync/testing`).
 */
import type { Json, Resource } from '../types/index.js';
import type { CapacityOptions, CapacityStats } from './capacity.js';
import type { RateLimit } from './rate-limit.js';
import type { Family } from './family.js';
import type { StoreSnapshot } from './store.js';
import type { OroVersion } from './versions.js';

/** A fixed delay in ms, or a uniform range drawn from the seeded PRNG. */
export type Latency = number | { readonly min: number; readonly max: number };

/**
 * Fault injection, drawn per request from the seeded PRNG (one draw per request, in the order
 * 429, 503, 500, reset). A faulted request has no effect on the store.
 */
export interface FaultOptions {
  /** Probability of `429 Too Many Requests` with `Retry-After`. */
  readonly rate429: number;
  /** Probability of `503 Service Unavailable` with `Retry-After`. */
  readonly rate503: number;
  /** Probability of `500` with a JSON:API "runtime exception" body. */
  readonly rate500: number;
  /** Probability of destroying the socket without answering. */
  readonly resetRate: number;
  /** `Retry-After` as delta seconds or as an HTTP date. */
  readonly retryAfter: 'seconds' | 'date';
  /** The delay announced by `Retry-After` (default 1). */
  readonly retryAfterSeconds: number;
  /** Revoke every token on each N-th API request (0 = never). */
  readonly revokeEvery: number;
  /** Apply the rate faults to the token endpoint too (default false). */
  readonly onToken: boolean;
}

/** Options of `startFakeOro`; every field has a default. */
export interface FakeOroOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  readonly port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  readonly host?: string;
  /** Back-office API prefix; default `/admin/api`. */
  readonly apiPrefix?: string;
  /** OAuth client id; default `oro-sync-demo`. */
  readonly clientId?: string;
  /** OAuth client secret; default `oro-sync-demo-secret`. */
  readonly clientSecret?: string;
  /** Token lifetime; default 3600. */
  readonly tokenTtlSeconds?: number;
  /** Delay before answering each API request; default 0. */
  readonly latency?: Latency;
  /** Fault injection; default none. */
  readonly faults?: Partial<FaultOptions>;
  /** PRNG seed for faults, latency and batch processing order; default 1. */
  readonly seed?: number;
  /**
   * Types whose Batch API is off (405 on `PATCH` of the collection, no `PATCH` in `Allow`).
   * Default `['customergroups']` (Oro enables it for customers, customer users, their addresses
   * and products, docs/oro-api.md §6); pass `[]` to enable it everywhere.
   */
  readonly batchDisabled?: readonly string[];
  /**
   * The Oro version to play, default `'7.0'` (the newest). `'6.0'` has no `externalId` on
   * customers and customer users (6.1.10+ / 7.0.2+ do; `'6.1'` is the latest 6.1 patch).
   */
  readonly version?: OroVersion;
  /** How long an async operation stays `new` and then `running`; default 20 ms. */
  readonly asyncStepMs?: number;
  /**
   * Oro's message-queue consumer is down: async operations stay `new`, sync batches wait
   * `syncWaitMs` and fall back to 202 + `Content-Location`. Toggle with `setConsumerDown`.
   */
  readonly consumerDown?: boolean;
  /** The earlier name of `consumerDown`. */
  readonly queueDown?: boolean;
  /** How long a sync batch waits for a stopped consumer before it turns async; default 25000 (Oro's 25 s). */
  readonly syncWaitMs?: number;
  /**
   * A token bucket per client (the bearer token's OAuth client, else the remote address), as a
   * proxy or CDN in front of Oro would apply: 429 + `Retry-After` past it. Default none.
   */
  readonly rateLimit?: RateLimit;
  /**
   * Oro's capacity: at most `workers` API requests served at once, each for `perRequestMs +
   * perRecordMs x records`; the rest wait first come, first served; past `queueLimit` waiting,
   * 503 with `Retry-After`. Default: no limit. Change it with `setCapacity`.
   */
  readonly capacity?: CapacityOptions;
  /** Per-type maximum `page[size]` (larger, or `-1`, is a 400). */
  readonly maxPageSize?: Readonly<Record<string, number>>;
  /** Clock for `createdAt`/`updatedAt`, token expiry and the request log; default `Date.now`. */
  readonly now?: () => number;
  /**
   * Oro's system configuration options that change what the API does, by name, e.g.
   * `{"oro_order.order_enable_external_status_management": true}` (an order's `status` becomes
   * writable). Change them later with `setConfig`.
   */
  readonly config?: Readonly<Record<string, Json>>;
  /** Called before each API request is handled (see `setBeforeRequest`). */
  readonly beforeRequest?: BeforeRequest;
  /**
   * More resource families to serve besides the built-in ones (a custom entity, a type the fake
   * lacks): see docs/fake-oro.md, "Adding an Oro type". A type declared twice is an error.
   */
  readonly families?: readonly Family[];
}

/**
 * Called with each API request (not the token endpoint's, nor one a fault or the rate limit
 * answers) before it is handled, and awaited: the moment between two requests of a client, where
 * a test changes records (`touch`, `seed`) while a client pages through a list.
 */
export type BeforeRequest = (request: { readonly method: string; readonly path: string; readonly query: string }) => void | Promise<void>;

/** One API or token request as the fake saw it (fault answers included). */
export interface RequestLogEntry {
  readonly method: string;
  /** The path without the query string, e.g. `/admin/api/customers`. */
  readonly path: string;
  /** The raw query string without `?` (`''` when none). */
  readonly query: string;
  /** The status answered; 0 when the connection was reset by fault injection. */
  readonly status: number;
  /** `now()` when the request arrived, in ms. */
  readonly at: number;
}

/** A to-one or to-many relationship value as `seed` accepts it. */
export interface SeedRelationship {
  readonly data: { readonly type: string; readonly id: string } | null;
}

/** A running fake Oro. */
/** Every record of a fake Oro at one moment (`FakeOro.snapshot`), for `FakeOro.restore`. */
export type FakeOroSnapshot = StoreSnapshot;

export interface FakeOro {
  /** `http://127.0.0.1:<port>/admin/api` */
  readonly baseUrl: string;
  /** `http://127.0.0.1:<port>/oauth2-token` */
  readonly tokenUrl: string;
  readonly port: number;
  /** The Oro version it plays. */
  readonly version: OroVersion;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Successful token grants so far. */
  readonly tokenGrants: number;
  /** Every API and token request so far (since the last `resetLog`). */
  readonly requests: readonly RequestLogEntry[];
  /** The current content of a type, id ascending, as deep copies. */
  records(type: string): Resource[];
  /**
   * Inserts a record directly (no HTTP, no faults). Validated like a POST (throws on invalid
   * data); `createdAt`/`updatedAt` may be given to simulate older or newer records.
   */
  seed(type: string, attributes: Record<string, Json>, relationships?: Record<string, SeedRelationship>): Resource;
  /**
   * Changes a stored record as Oro's own code would (no HTTP, no faults): the attributes and
   * relationships given, validated as a PATCH is, with what Oro sets itself (an order's
   * `internalStatus`) allowed; `updatedAt` is bumped to now unless given. Throws on invalid data.
   */
  touch(type: string, id: string, changes?: { readonly attributes?: Record<string, Json>; readonly relationships?: Record<string, SeedRelationship> }): Resource;
  /**
   * Every record and id counter as they are now: what a backup of Oro's database holds. Give it
   * to `restore` to play an Oro restored from that backup.
   */
  snapshot(): FakeOroSnapshot;
  /**
   * Back to `snapshot`, as Oro restored from a backup: records written since are gone, records
   * changed or deleted since are as they were, and the id counters go back too, so the next
   * records created (by a `seed`, or a client) get the ids that the records written since had.
   * A client's stored ids then name other records: what oro-sync must notice.
   */
  restore(snapshot: FakeOroSnapshot): void;
  /** Sets one of Oro's system configuration options (see `FakeOroOptions.config`). */
  setConfig(name: string, value: Json): void;
  /** Sets (or, with `undefined`, removes) the hook called before each API request (see `BeforeRequest`). */
  setBeforeRequest(hook: BeforeRequest | undefined): void;
  /** Every token issued so far now gets 401. */
  revokeTokens(): void;
  /** Changes fault injection from now on (merged into the current settings). */
  setFaults(faults: Partial<FaultOptions>): void;
  /** Changes the latency from now on. */
  setLatency(latency: Latency): void;
  /** Changes the capacity from now on (merged into the current one); requests in service finish. */
  setCapacity(capacity: CapacityOptions): void;
  /** What the capacity has seen: served, refused, busy and waiting time, requests in Oro. */
  capacityStats(): CapacityStats;
  /** Stops (`true`) or restarts Oro's message-queue consumer; a restart runs what waited. */
  setConsumerDown(down: boolean): void;
  /** Empties `requests`. */
  resetLog(): void;
  /** Closes the server, every socket and every timer. */
  close(): Promise<void>;
}
