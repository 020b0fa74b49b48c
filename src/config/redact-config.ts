/**
 * A config made safe to print (`oro-sync check`, debug logs): the client secret, the values of
 * HTTP source and sink headers and passwords inside URLs (`state.url`, `publish.url`, ...) are
 * replaced with `"***"`.
 */
import type { AnyConfig, SinkConfig, SourceConfig } from './config-types.js';
import { redactUrl, URL_PASSWORD_REDACTED } from '../util/redact.js';

/** What replaces a secret. */
export const REDACTED = URL_PASSWORD_REDACTED;

/** Header values are mostly credentials (Authorization, X-Api-Key, X-Auth-Token, ...). */
function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(headers).map((name) => [name, REDACTED]));
}

function redactSource(source: SourceConfig): SourceConfig {
  switch (source.kind) {
    case 'http': {
      const headers = source.headers === undefined ? undefined : redactHeaders(source.headers);
      return { ...source, url: redactUrl(source.url), ...(headers ? { headers } : {}) };
    }
    case 'amqp':
      return { ...source, url: redactUrl(source.url) };
    default:
      return source;
  }
}

function redactSink(sink: SinkConfig): SinkConfig {
  switch (sink.kind) {
    case 'http':
      return { ...sink, url: redactUrl(sink.url), headers: redactHeaders(sink.headers) };
    case 'amqp':
      return { ...sink, url: redactUrl(sink.url) };
    default:
      return sink;
  }
}

/**
 * A copy of `config` that can be printed or logged.
 *
 * @example console.log(JSON.stringify(redactConfig(config), null, 2)) // "clientSecret": "***"
 */
export function redactConfig<C extends AnyConfig>(config: C): C {
  return {
    ...config,
    oro: { ...config.oro, clientSecret: REDACTED, baseUrl: redactUrl(config.oro.baseUrl), tokenUrl: redactUrl(config.oro.tokenUrl) },
    source: redactSource(config.source),
    ...(config.publish ? { publish: { ...config.publish, url: redactUrl(config.publish.url) } } : {}),
    ...(config.state.url !== undefined ? { state: { url: redactUrl(config.state.url) } } : {}),
    ...('sink' in config ? { sink: redactSink(config.sink) } : {}),
  };
}
