/**
 * A config made safe to print (`oro-sync check`, debug logs): the client secret, the values of
 * HTTP source headers and passwords inside URLs (`state.url`, `publish.url`, ...) are replaced with `"***"`.
 */
import type { Config, SourceConfig } from './config-types.js';
import { redactUrl, URL_PASSWORD_REDACTED } from '../util/redact.js';

/** What replaces a secret. */
export const REDACTED = URL_PASSWORD_REDACTED;

function redactSource(source: SourceConfig): SourceConfig {
  switch (source.kind) {
    case 'http': {
      const headers = source.headers === undefined
        ? undefined
        : Object.fromEntries(
          // Header values are mostly credentials (Authorization, X-Api-Key, X-Auth-Token, ...).
          Object.keys(source.headers).map((name) => [name, REDACTED]),
        );
      return { ...source, url: redactUrl(source.url), ...(headers ? { headers } : {}) };
    }
    case 'amqp':
      return { ...source, url: redactUrl(source.url) };
    default:
      return source;
  }
}

/**
 * A copy of `config` that can be printed or logged.
 *
 * @example console.log(JSON.stringify(redactConfig(config), null, 2)) // "clientSecret": "***"
 */
export function redactConfig(config: Config): Config {
  return {
    ...config,
    oro: { ...config.oro, clientSecret: REDACTED, baseUrl: redactUrl(config.oro.baseUrl), tokenUrl: redactUrl(config.oro.tokenUrl) },
    source: redactSource(config.source),
    ...(config.publish ? { publish: { ...config.publish, url: redactUrl(config.publish.url) } } : {}),
    ...(config.state.url !== undefined ? { state: { url: redactUrl(config.state.url) } } : {}),
  };
}
