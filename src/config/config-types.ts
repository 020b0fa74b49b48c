import type { ConflictPolicy, Strategy as TargetStrategy, WriteMode as TargetMode } from '../sink/options.js';
import type { ConstantRelationship, RelationshipMapping, UnitPrecisionMapping, ValueSource } from '../operators/map.js';

/**
 * The decoded config, with every default applied and every relative path resolved
 * (docs/architecture.md, "Config file"). Produced by `loadConfig`; the field names are the contract.
 */

/** Where Oro is and how to get a token. */
export interface OroConfig {
  /** JSON:API base, e.g. `https://shop.example.com/admin/api` (no trailing slash). */
  readonly baseUrl: string;
  /** OAuth token endpoint; default: origin of `baseUrl` + `/oauth2-token`. */
  readonly tokenUrl: string;
  readonly clientId: string;
  /** Never print this: use `redactConfig` before showing a config. */
  readonly clientSecret: string;
  /** Allow plain `http://` to a non-loopback host. Default false. */
  readonly allowInsecureHttp: boolean;
}

/** `?page=1&per_page=100`, then page 2, ...; stops at an empty or short page. */
export interface PagePagination {
  readonly kind: 'page';
  /** Default `page`. */
  readonly pageParam: string;
  /** Default `per_page`. */
  readonly sizeParam: string;
  /** Default 100. */
  readonly size: number;
  /** Default 1. */
  readonly firstPage: number;
}

/** `?offset=0&limit=100`, then offset 100, ...; stops at an empty or short page. */
export interface OffsetPagination {
  readonly kind: 'offset';
  /** Default `offset`. */
  readonly offsetParam: string;
  /** Default `limit`. */
  readonly limitParam: string;
  /** Default 100. */
  readonly limit: number;
}

/** `?cursor=<value at cursorPath>&limit=100`; stops when `cursorPath` is null or absent. */
export interface CursorPagination {
  readonly kind: 'cursor';
  /** Default `cursor`. */
  readonly cursorParam: string;
  /** Dot path of the next cursor in the response; default `meta.next_cursor`. */
  readonly cursorPath: string;
  /** Default `limit`. */
  readonly sizeParam: string;
  /** Default 100. */
  readonly size: number;
}

/** Follow the next link found in the body (`nextPath`) ... */
export interface NextLinkInBody {
  readonly kind: 'next-link';
  /** Dot path of the next URL in the response; default `links.next`. */
  readonly nextPath: string;
  readonly nextHeader?: undefined;
}

/** ... or in an RFC 8288 header (`Link: <...>; rel="next"`); exactly one of the two. */
export interface NextLinkInHeader {
  readonly kind: 'next-link';
  /** Header name, e.g. `Link`. */
  readonly nextHeader: string;
  readonly nextPath?: undefined;
}

export type NextLinkPagination = NextLinkInBody | NextLinkInHeader;
export type Pagination = PagePagination | OffsetPagination | CursorPagination | NextLinkPagination;

/**
 * How a run after a complete one starts (`source.changes`): `auto` (a file grown in place continues
 * after the last record, a replaced or rewritten one is read whole; an http export is read whole
 * unless `schedule.watermark`), `append` (always continue after the last record), `snapshot`
 * (always read whole). An interrupted run is resumed in every case.
 */
export type SourceChanges = 'auto' | 'append' | 'snapshot';

/** One JSON object per line, in a file. */
export interface NdjsonSource {
  readonly kind: 'ndjson';
  /** Absolute (resolved against the config file's directory). */
  readonly path: string;
  /** Default `auto`. */
  readonly changes: SourceChanges;
}

/** A JSON file: a top-level array, or the array at `itemsPath`. */
export interface JsonSource {
  readonly kind: 'json';
  readonly path: string;
  /** Default `auto`. */
  readonly changes: SourceChanges;
  /** Dot path of the records array. */
  readonly itemsPath?: string;
}

/** A CSV file; the first row is the header; values are strings. */
export interface CsvSource {
  readonly kind: 'csv';
  readonly path: string;
  /** Default `auto`. */
  readonly changes: SourceChanges;
  /** Default `,`. */
  readonly delimiter: string;
  /** Default `"`. */
  readonly quote: string;
}

/** NDJSON on standard input. */
export interface StdinSource {
  readonly kind: 'stdin';
}

/** A JSON API, paginated or not. */
export interface HttpSource {
  readonly kind: 'http';
  readonly url: string;
  /** Default `auto`. */
  readonly changes: SourceChanges;
  /** Dot path of the records in each response; absent: the response is the array. */
  readonly itemsPath?: string;
  /** Extra request headers (values may come from `${ENV}`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Absent: one request. */
  readonly pagination?: Pagination;
}

/** A RabbitMQ queue. */
export interface AmqpSource {
  readonly kind: 'amqp';
  /** `amqp://` or `amqps://`. */
  readonly url: string;
  readonly queue: string;
  /** Default 32. */
  readonly prefetch: number;
  /** With `--once`, end after the queue has been empty this long. Default 5. */
  readonly idleExitSeconds: number;
}

/**
 * A type read out of the config's Oro (same credentials and token stream), incrementally by
 * `updatedAt`: each record is `{data, included}` for one resource (see `oroSource`).
 */
export interface OroSource {
  readonly kind: 'oro';
  /** Oro JSON:API type, e.g. `orders`. */
  readonly type: string;
  /** Relationships whose records come in `included`, e.g. `["lineItems"]`. */
  readonly include?: readonly string[];
  /** More filters, each sent as `filter[field]=value`. */
  readonly filter?: Readonly<Record<string, string>>;
  /** Records per request; default 100. */
  readonly pageSize: number;
  /** Where the first run starts (ISO 8601 time); absent: every record. */
  readonly since?: string;
}

export type SourceConfig = NdjsonSource | JsonSource | CsvSource | StdinSource | HttpSource | AmqpSource | OroSource;

// The sink's own vocabulary: the config names what the sink does, nothing more.
export type { WriteMode as TargetMode, Strategy as TargetStrategy, ConflictPolicy } from '../sink/options.js';
export type { ConstantRelationship, RelationshipMapping, UnitPrecisionMapping, ValueSource } from '../operators/map.js';

/** What is written into Oro, and how. */
export interface TargetConfig {
  /** Oro JSON:API type, e.g. `customers`. */
  readonly type: string;
  /** Default `single`. */
  readonly mode: TargetMode;
  /** Default `lookup`. */
  readonly strategy: TargetStrategy;
  /**
   * How a source record and an Oro record are matched. Required for every strategy: `lookup` and
   * `create-only` filter on `key.oro`; `upsert` uses `[key.oro]` as the upsert fields. `key.source`
   * also identifies the record in checkpoints and dead letters.
   */
  readonly key: { readonly source: string; readonly oro: string };
  /** Default `source-wins`. */
  readonly conflict: ConflictPolicy;
  /** Oro attribute <- source field dot path or constant `{value}`. `{}` when only `transform` is given. */
  readonly attributes: Readonly<Record<string, ValueSource>>;
  /** Oro relationship <- related record, or a constant `{type, id}`. `{}` when absent. */
  readonly relationships: Readonly<Record<string, RelationshipMapping | ConstantRelationship>>;
  /** Products: the source of the default name, changed in place on update. */
  readonly names?: { readonly default: ValueSource };
  /** Products: the unit precisions, the first primary, changed in place on update. */
  readonly unitPrecisions?: readonly UnitPrecisionMapping[];
  /** Absolute path of a JS module whose default export maps a record (replaces the declarative mapping). */
  readonly transform?: string;
  /** Absent: keys missing from a snapshot run are left alone. */
  readonly onMissing?: OnMissingConfig;
}

/**
 * What happens to the keys this pipeline wrote before that a complete snapshot run did not see:
 * deleted in Oro, or updated with `attributes` (e.g. deactivated). When more than `maxFraction`
 * of the pipeline's known keys would go, nothing happens and the run exits 1.
 */
export type OnMissingConfig =
  | { readonly action: 'delete'; readonly maxFraction: number }
  | { readonly action: 'update'; readonly attributes: Readonly<Record<string, unknown>>; readonly maxFraction: number };

/**
 * Where records go when Oro is the source (`sink`, instead of `target`): one JSON line per record
 * appended to a file, flushed to disk (fsync) before the checkpoint moves past it.
 */
export interface NdjsonSink {
  readonly kind: 'ndjson';
  /** Absolute (resolved against the config file's directory). */
  readonly path: string;
  /** Absolute path of a JS module whose default export maps a record to what is delivered. */
  readonly transform?: string;
}

/**
 * Each record as JSON (an array of `batchSize` records when above 1) to an HTTP endpoint, with an
 * `Idempotency-Key` that is the same for the same content. 2xx: sent; 408, 429, 5xx and network
 * errors: retried as `pipeline` says, then failed; any other answer: rejected.
 */
export interface HttpSink {
  readonly kind: 'http';
  readonly url: string;
  /** Default `POST`. */
  readonly method: 'POST' | 'PUT' | 'PATCH';
  /** Extra request headers (values may come from `${ENV}`; never logged). `{}` when absent. */
  readonly headers: Readonly<Record<string, string>>;
  /** Records per request; default 1 (the body is the record itself, not an array). */
  readonly batchSize: number;
  /** Allow plain `http://` to a non-loopback host. Default false. */
  readonly allowInsecureHttp: boolean;
  readonly transform?: string;
}

/** Persistent messages with publisher confirms to a RabbitMQ queue, as `oro-sync publish` sends them. */
export interface AmqpSink {
  readonly kind: 'amqp';
  /** `amqp://` or `amqps://`. */
  readonly url: string;
  readonly queue: string;
  readonly transform?: string;
}

export type SinkConfig = NdjsonSink | HttpSink | AmqpSink;

export interface PipelineConfig {
  /** Default 100; at most 100 with `target.mode: "batch-sync"`. */
  readonly batchSize: number;
  /** A batch is sent after this long even if not full. Default 500. */
  readonly batchMs: number;
  /**
   * Requests in flight: a fixed number, or `"auto"`: the limiter finds how many Oro serves at once
   * from the latencies it sees (docs/architecture.md, "Concurrency that finds Oro's capacity"). Default 8.
   */
  readonly concurrency: number | 'auto';
  /** With `concurrency: "auto"`, the most requests in flight it may allow. Default 64. */
  readonly maxConcurrency: number;
  /** Requests per second; 0 = no limit (default). */
  readonly ratePerSecond: number;
  /** Default 6. */
  readonly retries: number;
  /** Default 200. */
  readonly retryBaseMs: number;
  /** Default 30000. */
  readonly retryMaxMs: number;
  /** Default 30000. */
  readonly requestTimeoutMs: number;
  /** Longest pause a 429/503's `Retry-After` may impose on every request of the pipeline. Default 300. */
  readonly maxPauseSeconds: number;
}

export interface ScheduleConfig {
  /** Daemon: wait between runs. Default 60. */
  readonly intervalSeconds: number;
  /** Source field holding the record's change time (checkpoints, `skip-if-target-newer`). */
  readonly watermark?: string;
}

export interface MetricsConfig {
  /** 0 picks a free port. */
  readonly port: number;
  /** Default `127.0.0.1`. */
  readonly host: string;
}

export interface PublishConfig {
  readonly url: string;
  readonly queue: string;
}

/**
 * A whole decoded config file.
 *
 * @example
 * ```ts
 * const { config } = await loadConfig('customers.json');
 * console.log(config.name, config.target.type, config.pipeline.batchSize);
 * ```
 */
/**
 * Where the state store is: `{path}` a SQLite file, for one process (default
 * `.oro-sync/state.db`, resolved); or `{url}` (`postgres://...`) a PostgreSQL database that
 * several workers on several hosts share. One or the other, never both.
 */
export type StateConfig =
  | { readonly path: string; readonly url?: undefined }
  | { readonly url: string; readonly path?: undefined };

export interface Config {
  /** Pipeline name for checkpoints; default: the config file's base name without extension. */
  readonly name: string;
  readonly oro: OroConfig;
  readonly source: SourceConfig;
  readonly target: TargetConfig;
  readonly pipeline: PipelineConfig;
  readonly schedule: ScheduleConfig;
  /** The state store (checkpoints, ids, digests, runs): a SQLite file or a PostgreSQL database. */
  readonly state: StateConfig;
  /** Default path `dead-letters.ndjson` (resolved). */
  readonly deadLetter: { readonly path: string };
  /** Absent: no metrics server. */
  readonly metrics?: MetricsConfig;
  /** Where `oro-sync publish` sends records. */
  readonly publish?: PublishConfig;
}

/** `pipeline.maxConcurrency` when the config does not say. */
export const DEFAULT_MAX_CONCURRENCY = 64;

/**
 * The most requests a pipeline may have in flight: its fixed `concurrency`, or `maxConcurrency`
 * with `"auto"`. What HTTP sockets, memory bounds and other per-request resources are sized for.
 *
 * @example
 * concurrencyBound({ concurrency: 'auto', maxConcurrency: 32 }); // 32
 * concurrencyBound({ concurrency: 8 });                          // 8
 */
export function concurrencyBound(pipeline: Pick<PipelineConfig, 'concurrency'> & Partial<Pick<PipelineConfig, 'maxConcurrency'>>): number {
  return pipeline.concurrency === 'auto' ? (pipeline.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY) : pipeline.concurrency;
}

/**
 * A config whose records go out of Oro into a sink (`sink` instead of `target`): everything of
 * {@link Config} but the target.
 *
 * @example
 * ```ts
 * const { config } = await loadAnyConfig('orders-to-erp.json');
 * if ('sink' in config) console.log(config.name, config.sink.kind);
 * ```
 */
export interface SinkRunConfig extends Omit<Config, 'target'> {
  readonly sink: SinkConfig;
}

/** Any config file: records into Oro (`target`, a {@link Config}) or out of it (`sink`). */
export type AnyConfig = Config | SinkRunConfig;
