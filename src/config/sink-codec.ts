/**
 * The `sink` section (docs/architecture.md, "Out of Oro: an Oro source, and sinks that are not
 * Oro"): where records go when Oro is the source. The names and defaults are the contract.
 */
import { isLoopbackUrl } from '../util/url.js';
import { alsoCheck, type CheckProblem, type Codec, oneOf, optional, recordOf, strict, taggedUnion, withDefault } from './codec-kit.js';
import { AmqpUrl, Bool, HttpUrl, NonEmptyString, PositiveInt, tag } from './scalars.js';
import type { AmqpSink, HttpSink, NdjsonSink, SinkConfig } from './config-types.js';

/** Headers oro-sync sets on every request itself: a config value would make redeliveries unrecognisable. */
const OWN_HEADERS = ['idempotency-key'];

/**
 * `http://` to a host that is not loopback without `allowInsecureHttp` (invariant 6, as for
 * `oro.baseUrl`), and headers the sink sets itself.
 */
function httpSinkProblems(sink: Record<string, unknown>): CheckProblem[] {
  const problems: CheckProblem[] = [];
  if (sink.allowInsecureHttp !== true && typeof sink.url === 'string') {
    try {
      const url = new URL(sink.url);
      if (url.protocol === 'http:' && !isLoopbackUrl(url)) {
        problems.push({ path: ['url'], message: 'plain http:// is only allowed for loopback hosts; use https:// or set sink.allowInsecureHttp: true' });
      }
    } catch {
      // Not a URL: the url codec says so.
    }
  }
  const headers = sink.headers;
  if (typeof headers === 'object' && headers !== null) {
    for (const name of Object.keys(headers)) {
      if (OWN_HEADERS.includes(name.toLowerCase())) {
        problems.push({ path: ['headers', name], message: 'set by oro-sync on every request (a digest of the content, so that a redelivery is recognised); remove it' });
      }
    }
  }
  return problems;
}

export const NdjsonSinkCodec: Codec<NdjsonSink> = strict('ndjson sink {kind, path, transform?}', {
  kind: tag('ndjson'),
  path: NonEmptyString,
  transform: optional(NonEmptyString),
});

export const HttpSinkCodec: Codec<HttpSink> = alsoCheck(
  strict('http sink {kind, url, method?, headers?, batchSize?, transform?}', {
    kind: tag('http'),
    url: HttpUrl,
    method: withDefault(oneOf(['POST', 'PUT', 'PATCH'] as const), 'POST'),
    headers: withDefault(recordOf('object of header name -> string', NonEmptyString), {}),
    batchSize: withDefault(PositiveInt, 1),
    allowInsecureHttp: withDefault(Bool, false),
    transform: optional(NonEmptyString),
  }),
  httpSinkProblems,
);

export const AmqpSinkCodec: Codec<AmqpSink> = strict('amqp sink {kind, url, queue, transform?}', {
  kind: tag('amqp'),
  url: AmqpUrl,
  queue: NonEmptyString,
  transform: optional(NonEmptyString),
});

export const SinkCodec: Codec<SinkConfig> = taggedUnion<SinkConfig>('sink {kind, ...}', 'kind', {
  ndjson: NdjsonSinkCodec,
  http: HttpSinkCodec,
  amqp: AmqpSinkCodec,
});

/** Why a document needs exactly one of `target` and `sink`, said when it has neither. */
export const TARGET_OR_SINK =
  'expected target settings {type, key, attributes, ...} (records into Oro) or sink settings {kind, ...} (records out of Oro), got nothing';

/**
 * Rules of a document's direction, on the raw document: exactly one of `target` (into Oro) and
 * `sink` (out of it), and a sink reads a source a run can page through (a queue's records are
 * consumed by workers into Oro).
 */
export function directionProblems(raw: Record<string, unknown>): CheckProblem[] {
  const hasTarget = raw.target !== undefined;
  const hasSink = raw.sink !== undefined;
  if (!hasTarget && !hasSink) return [{ path: ['target'], message: TARGET_OR_SINK }];
  if (hasTarget && hasSink) {
    return [{ path: ['sink'], message: 'expected target (records into Oro) or sink (records out of Oro), got both: give one' }];
  }
  const source = raw.source;
  if (hasSink && typeof source === 'object' && source !== null && (source as Record<string, unknown>).kind === 'amqp') {
    return [{
      path: ['source', 'kind'],
      message: 'expected a source a run reads to its end (oro, ndjson, json, csv, stdin, http), got "amqp": a sink does not consume queues',
    }];
  }
  return [];
}
