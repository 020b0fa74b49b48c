/**
 * io-ts codecs for the config file (docs/architecture.md, "Config file"): the names and defaults are
 * the contract. `decodeConfig` checks a parsed (and env-substituted) document and returns every
 * problem at once, each as `path: expected X, got Y`; path resolution and the default `name`
 * (which need the file's location) are done by `loadConfig`.
 */
import { isRight } from 'fp-ts/lib/Either.js';
import { defaultTokenUrl, isLoopbackUrl } from '../util/url.js';
import {
  alsoCheck, type AnyCodec, type CheckProblem, type Checked, type Codec, isRecord, oneOf, optional, primitive, recordOf,
  refine, section, strict, taggedUnion, withDefault,
} from './codec-kit.js';
import type {
  AmqpSource, Config, CsvSource, CursorPagination, HttpSource, JsonSource, MetricsConfig, NdjsonSource,
  NextLinkPagination, OffsetPagination, OnMissingConfig, OroConfig, OroSource, PagePagination, Pagination, PipelineConfig, PublishConfig,
  ScheduleConfig, SinkRunConfig, SourceConfig, StateConfig, StdinSource, TargetConfig,
} from './config-types.js';
import { DEFAULT_MAX_CONCURRENCY } from './config-types.js';
import { formatValidationErrors } from './format-errors.js';
import { NamesCodec, RelationshipCodec, UnitPrecisionsCodec, ValueSourceCodec } from './mapping-codec.js';
import {
  AmqpUrl, Bool, Concurrency, HttpUrl, isNumber, NonEmptyString, NonNegativeInt, NonNegativeNumber, Port, PositiveInt, PositiveNumber, PostgresUrl, SingleChar, tag,
} from './scalars.js';
import { directionProblems, SinkCodec, TARGET_OR_SINK } from './sink-codec.js';
import { SYNC_MAX_DATA } from '../sink/write-batch-sync.js';
import { strategyProblem } from '../sink/oro-creates.js';

/** The largest batch Oro accepts in one synchronous Batch API request (`X-Mode: sync`). */
/** Oro's limit for `X-Mode: sync` (the sink's own constant). */
export const BATCH_SYNC_MAX = SYNC_MAX_DATA;

// ---- oro -------------------------------------------------------------------------------------

const INSECURE = 'plain http:// is only allowed for loopback hosts; use https:// or set oro.allowInsecureHttp: true';

/** The URL a string parses to, if it does. */
function parseUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** `http://` to a host that is not loopback, for `oro.baseUrl` and the (default) token URL. */
function insecureUrlProblems(oro: Record<string, unknown>): CheckProblem[] {
  if (oro.allowInsecureHttp === true) return [];
  const base = parseUrl(oro.baseUrl);
  const token = oro.tokenUrl === undefined && base ? new URL(defaultTokenUrl(base)) : parseUrl(oro.tokenUrl);
  const problems: CheckProblem[] = [];
  for (const [key, url] of [['baseUrl', base], ['tokenUrl', token]] as const) {
    if (url?.protocol === 'http:' && !isLoopbackUrl(url)) problems.push({ path: [key], message: INSECURE });
  }
  return problems;
}

export const OroCodec: Codec<OroConfig> = refine(
  alsoCheck(
    strict('oro settings {baseUrl, clientId, clientSecret, ...}', {
      baseUrl: HttpUrl,
      tokenUrl: optional(HttpUrl),
      clientId: NonEmptyString,
      clientSecret: NonEmptyString,
      allowInsecureHttp: withDefault(Bool, false),
    }),
    insecureUrlProblems,
  ),
  (oro): Checked<OroConfig> => {
    // Trailing slashes would double up when paths are appended (`.../api//customers`).
    const baseUrl = oro.baseUrl.replace(/\/+$/, '');
    return { value: { ...oro, baseUrl, tokenUrl: oro.tokenUrl ?? defaultTokenUrl(baseUrl) } };
  },
);

// ---- source ----------------------------------------------------------------------------------

export const PagePaginationCodec: Codec<PagePagination> = strict('page pagination', {
  kind: tag('page'),
  pageParam: withDefault(NonEmptyString, 'page'),
  sizeParam: withDefault(NonEmptyString, 'per_page'),
  size: withDefault(PositiveInt, 100),
  firstPage: withDefault(NonNegativeInt, 1),
});

export const OffsetPaginationCodec: Codec<OffsetPagination> = strict('offset pagination', {
  kind: tag('offset'),
  offsetParam: withDefault(NonEmptyString, 'offset'),
  limitParam: withDefault(NonEmptyString, 'limit'),
  limit: withDefault(PositiveInt, 100),
});

export const CursorPaginationCodec: Codec<CursorPagination> = strict('cursor pagination', {
  kind: tag('cursor'),
  cursorParam: withDefault(NonEmptyString, 'cursor'),
  cursorPath: withDefault(NonEmptyString, 'meta.next_cursor'),
  sizeParam: withDefault(NonEmptyString, 'limit'),
  size: withDefault(PositiveInt, 100),
});

export const NextLinkPaginationCodec: Codec<NextLinkPagination> = refine(
  strict('next-link pagination', {
    kind: tag('next-link'),
    nextPath: optional(NonEmptyString),
    nextHeader: optional(NonEmptyString),
  }),
  (p): Checked<NextLinkPagination> => {
    if (p.nextPath !== undefined && p.nextHeader !== undefined) {
      return { problems: [{ path: ['nextHeader'], message: 'expected either nextPath or nextHeader, got both' }] };
    }
    if (p.nextHeader !== undefined) return { value: { kind: 'next-link', nextHeader: p.nextHeader } };
    return { value: { kind: 'next-link', nextPath: p.nextPath ?? 'links.next' } };
  },
);

export const PaginationCodec: Codec<Pagination> = taggedUnion<Pagination>('pagination {kind, ...}', 'kind', {
  page: PagePaginationCodec,
  offset: OffsetPaginationCodec,
  cursor: CursorPaginationCodec,
  'next-link': NextLinkPaginationCodec,
});

const Changes = withDefault(oneOf(['auto', 'append', 'snapshot'] as const), 'auto');

const Headers = recordOf('object of header name -> string', NonEmptyString);

/** A time as Oro reads one (`2026-01-01T00:00:00Z`; an offset is taken as the instant it names). */
const IsoDateTime = primitive('ISO 8601 date and time (e.g. 2026-01-01T00:00:00Z)', (u): u is string =>
  typeof u === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(u) && !Number.isNaN(Date.parse(u)));

const Includes = primitive('array of relationship names', (u): u is readonly string[] =>
  Array.isArray(u) && u.every((name) => typeof name === 'string' && name !== ''));

/** `source.filter`: the fields the Oro source filters by itself are refused with the reason. */
const OroFilter = refine(recordOf('object of Oro filter field -> value', NonEmptyString), (filter): Checked<Readonly<Record<string, string>>> => {
  const own = ['updatedAt', 'id'].filter((field) => field in filter);
  return own.length === 0
    ? { value: filter }
    : { problems: own.map((field) => ({ path: [field], message: `expected a field other than ${field}: the oro source filters by ${field} itself to read what changed (source.since sets where the first run starts)` })) };
});

const OroSourceCodec: Codec<OroSource> = strict('oro source {type, include?, filter?, pageSize?, since?}', {
  kind: tag('oro'),
  type: NonEmptyString,
  include: optional(Includes),
  filter: optional(OroFilter),
  pageSize: withDefault(PositiveInt, 100),
  since: optional(IsoDateTime),
});

export const SourceCodec: Codec<SourceConfig> = taggedUnion<SourceConfig>('source {kind, ...}', 'kind', {
  ndjson: strict('ndjson source', { kind: tag('ndjson'), path: NonEmptyString, changes: Changes }) satisfies Codec<NdjsonSource>,
  json: strict('json source', {
    kind: tag('json'),
    path: NonEmptyString,
    changes: Changes,
    itemsPath: optional(NonEmptyString),
  }) satisfies Codec<JsonSource>,
  csv: strict('csv source', {
    kind: tag('csv'),
    path: NonEmptyString,
    changes: Changes,
    delimiter: withDefault(SingleChar, ','),
    quote: withDefault(SingleChar, '"'),
  }) satisfies Codec<CsvSource>,
  stdin: strict('stdin source', { kind: tag('stdin') }) satisfies Codec<StdinSource>,
  http: strict('http source', {
    kind: tag('http'),
    url: HttpUrl,
    changes: Changes,
    itemsPath: optional(NonEmptyString),
    headers: optional(Headers),
    pagination: optional(PaginationCodec),
  }) satisfies Codec<HttpSource>,
  amqp: strict('amqp source', {
    kind: tag('amqp'),
    url: AmqpUrl,
    queue: NonEmptyString,
    prefetch: withDefault(PositiveInt, 32),
    idleExitSeconds: withDefault(PositiveNumber, 5),
  }) satisfies Codec<AmqpSource>,
  oro: OroSourceCodec,
});

// ---- target ----------------------------------------------------------------------------------

const Fraction = primitive('number from 0 to 1', (u): u is number => isNumber(u) && u >= 0 && u <= 1);
const AnyValue = primitive('any JSON value', (u): u is unknown => u !== undefined);

export const OnMissingCodec: Codec<OnMissingConfig> = taggedUnion<OnMissingConfig>('onMissing {action: "delete" | "update", ...}', 'action', {
  delete: strict('onMissing delete {action, maxFraction?}', { action: tag('delete'), maxFraction: withDefault(Fraction, 0.1) }),
  update: strict('onMissing update {action, attributes, maxFraction?}', {
    action: tag('update'),
    attributes: recordOf('object of Oro attribute -> value', AnyValue),
    maxFraction: withDefault(Fraction, 0.1),
  }),
});

export const TargetCodec: Codec<TargetConfig> = refine(
  alsoCheck(strict('target settings {type, key, attributes, ...}', {
    type: NonEmptyString,
    mode: withDefault(oneOf(['single', 'batch', 'batch-sync'] as const), 'single'),
    strategy: withDefault(oneOf(['upsert', 'lookup', 'create-only', 'update-only'] as const), 'lookup'),
    key: strict('key {source, oro}', { source: NonEmptyString, oro: NonEmptyString }),
    conflict: withDefault(oneOf(['source-wins', 'skip-if-target-newer'] as const), 'source-wins'),
    attributes: optional(recordOf('object of Oro attribute -> source field path', ValueSourceCodec)),
    relationships: withDefault(recordOf('object of Oro relationship -> {type, source, match?}', RelationshipCodec), {}),
    names: optional(NamesCodec),
    unitPrecisions: optional(UnitPrecisionsCodec),
    transform: optional(NonEmptyString),
    onMissing: optional(OnMissingCodec),
  }), (raw) => [
    ...(raw.attributes === undefined && raw.transform === undefined
      ? [{ path: ['attributes'], message: 'expected object of Oro attribute -> source field path (or target.transform), got nothing' }]
      : []),
    ...strategyProblems(raw),
    ...productPartsProblems(raw),
  ]),
  (target): Checked<TargetConfig> => ({ value: { ...target, attributes: target.attributes ?? {} } }),
);

/** `target.strategy` on a type Oro creates itself (`inventorylevels`): only `update-only` works. */
function strategyProblems(raw: Record<string, unknown>): CheckProblem[] {
  if (typeof raw.type !== 'string') return [];
  const strategy = typeof raw.strategy === 'string' ? raw.strategy : 'lookup';
  const problem = strategyProblem(raw.type, strategy, raw.strategy === undefined);
  return problem === undefined ? [] : [{ path: ['strategy'], message: problem }];
}

/** `names` and `unitPrecisions` are a product's: another type has neither. */
function productPartsProblems(raw: Record<string, unknown>): CheckProblem[] {
  if (raw.type === 'products' || typeof raw.type !== 'string') return [];
  return (['names', 'unitPrecisions'] as const)
    .filter((key) => raw[key] !== undefined)
    .map((key) => ({ path: [key], message: `expected only with target.type "products" (a product's ${key === 'names' ? 'default name' : 'unit precisions'}), got target.type ${JSON.stringify(raw.type)}` }));
}

// ---- the other sections ----------------------------------------------------------------------

export const PipelineCodec: Codec<PipelineConfig> = refine(
  strict('pipeline settings', {
    batchSize: withDefault(PositiveInt, 100),
    batchMs: withDefault(NonNegativeInt, 500),
    concurrency: withDefault(Concurrency, 8),
    maxConcurrency: withDefault(PositiveInt, DEFAULT_MAX_CONCURRENCY),
    ratePerSecond: withDefault(NonNegativeNumber, 0),
    retries: withDefault(NonNegativeInt, 6),
    retryBaseMs: withDefault(NonNegativeInt, 200),
    retryMaxMs: withDefault(NonNegativeInt, 30000),
    requestTimeoutMs: withDefault(PositiveInt, 30000),
    maxPauseSeconds: withDefault(NonNegativeNumber, 300),
  }),
  (p): Checked<PipelineConfig> =>
    p.retryMaxMs < p.retryBaseMs
      ? { problems: [{ path: ['retryMaxMs'], message: `expected at least pipeline.retryBaseMs (${p.retryBaseMs}), got ${p.retryMaxMs}` }] }
      : { value: p },
);

export const ScheduleCodec: Codec<ScheduleConfig> = strict('schedule settings', {
  intervalSeconds: withDefault(PositiveNumber, 60),
  watermark: optional(NonEmptyString),
});

/** `state`: a SQLite file (`path`, the default) or a PostgreSQL database (`url`), not both. */
export const StateCodec: Codec<StateConfig> = refine(
  strict('state settings {path} or {url}', { path: optional(NonEmptyString), url: optional(PostgresUrl) }),
  (state): Checked<StateConfig> => {
    if (state.path !== undefined && state.url !== undefined) {
      return { problems: [{ path: [], message: 'state.path and state.url: give one, not both (a SQLite file for one process, or a PostgreSQL database shared by workers)' }] };
    }
    return { value: state.url !== undefined ? { url: state.url } : { path: state.path ?? '.oro-sync/state.db' } };
  },
);

const PathSection = (name: string, path: string): Codec<{ path: string }> =>
  strict(name, { path: withDefault(NonEmptyString, path) });

export const MetricsCodec: Codec<MetricsConfig> = strict('metrics settings {port, host?}', {
  port: Port,
  host: withDefault(NonEmptyString, '127.0.0.1'),
});

export const PublishCodec: Codec<PublishConfig> = strict('publish settings {url, queue}', {
  url: AmqpUrl,
  queue: NonEmptyString,
});

/** A config without its name, which `loadConfig` fills in from the file's when absent. */
type Unnamed<C> = Omit<C, 'name'> & { readonly name?: string };

/**
 * A decoded config before `loadConfig` resolves paths and fills in `name`: records into Oro
 * (`target`) or out of it (`sink`).
 */
export type DecodedConfig = Unnamed<Config> | Unnamed<SinkRunConfig>;

const SECTIONS = {
  name: optional(NonEmptyString),
  oro: OroCodec,
  source: SourceCodec,
  // Exactly one of the two (`directionProblems`).
  target: optional(TargetCodec),
  sink: optional(SinkCodec),
  pipeline: section(PipelineCodec),
  schedule: section(ScheduleCodec),
  state: section(StateCodec),
  deadLetter: section(PathSection('deadLetter settings {path}', 'dead-letters.ndjson')),
  metrics: optional(MetricsCodec),
  publish: optional(PublishCodec),
} satisfies Record<keyof Config | keyof SinkRunConfig, AnyCodec>;

/**
 * Rules across sections, checked on the raw document so that they are reported even when a
 * section has problems of its own (a value of the wrong type is left to its codec).
 */
function crossSectionProblems(raw: Record<string, unknown>): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const target = isRecord(raw.target) ? raw.target : {};
  const pipeline = isRecord(raw.pipeline) ? raw.pipeline : {};
  const schedule = isRecord(raw.schedule) ? raw.schedule : {};
  const { batchSize } = pipeline;
  if (target.mode === 'batch-sync' && typeof batchSize === 'number' && Number.isInteger(batchSize) && batchSize > BATCH_SYNC_MAX) {
    problems.push({
      path: ['pipeline', 'batchSize'],
      message: `expected at most ${BATCH_SYNC_MAX} (the limit of target.mode "batch-sync"), got ${batchSize}`,
    });
  }
  const source = isRecord(raw.source) ? raw.source : {};
  if (target.onMissing !== undefined) {
    const why =
      source.kind === 'stdin' || source.kind === 'amqp' ? `a ${source.kind} source`
        : source.kind === 'oro' ? 'an oro source (it reads what changed)'
        : source.changes === 'append' ? 'source.changes "append"'
          : schedule.watermark !== undefined ? 'schedule.watermark (an incremental run)'
            : undefined;
    if (why !== undefined) {
      problems.push({
        path: ['target', 'onMissing'],
        message: `expected a source whose runs see every record, got ${why}: keys a run did not see are not gone; remove target.onMissing or read the source as a snapshot`,
      });
    }
  }
  if (source.kind === 'oro' && schedule.watermark !== undefined) {
    problems.push({
      path: ['schedule', 'watermark'],
      message: 'expected nothing with source.kind "oro": it reads what changed by updatedAt itself, and a complete run keeps its place in its checkpoint',
    });
  }
  if (target.conflict === 'skip-if-target-newer' && schedule.watermark === undefined) {
    problems.push({
      path: ['schedule', 'watermark'],
      message: 'expected the source field with the record\'s change time (target.conflict "skip-if-target-newer" compares it with Oro\'s updatedAt), got nothing',
    });
  }
  return problems;
}

/**
 * The whole document: its sections, unknown top-level keys, and the rules across sections; a
 * `target` makes it a run into Oro, a `sink` one out of Oro.
 */
const ConfigDocument: Codec<DecodedConfig> = refine(
  alsoCheck(alsoCheck(strict('config object', SECTIONS), crossSectionProblems), directionProblems),
  ({ target, sink, ...rest }): Checked<DecodedConfig> => {
    if (target !== undefined) return { value: { ...rest, target } };
    if (sink !== undefined) return { value: { ...rest, sink } };
    return { problems: [{ path: ['target'], message: TARGET_OR_SINK }] };
  },
);

/**
 * Decode a parsed config document. All problems are collected: field errors of every section,
 * unknown keys (with a "did you mean"), and rules across fields and sections.
 *
 * @returns the decoded config, or the problems as `path: expected X, got Y` lines
 */
export function decodeConfig(raw: unknown): { readonly config: DecodedConfig } | { readonly problems: string[] } {
  const result = ConfigDocument.validate(raw, [{ key: '', type: ConfigDocument, actual: raw }]);
  return isRight(result) ? { config: result.right } : { problems: formatValidationErrors(result.left) };
}
