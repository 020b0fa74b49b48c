import type { AnyConfig, SinkConfig } from '../config/config-types.js';
import { redactUrl } from '../util/url.js';

/**
 * What a config's runs are counted under in the metrics (`target` label) and named by in
 * `status`: the Oro type of a target, the kind of a sink (`sink:http`).
 */
export function runLabel(config: AnyConfig): string {
  return 'sink' in config ? `sink:${config.sink.kind}` : config.target.type;
}

/**
 * Where a sink delivers, in words, without secrets: `ndjson /srv/orders.ndjson`,
 * `http POST https://erp.example.com/api/orders`, `amqp queue orders at amqp://erp:***@mq:5672`.
 */
export function describeSink(sink: SinkConfig): string {
  switch (sink.kind) {
    case 'ndjson':
      return `ndjson ${sink.path}`;
    case 'http':
      return `http ${sink.method} ${redactUrl(sink.url)}`;
    case 'amqp':
      return `amqp queue ${sink.queue} at ${redactUrl(sink.url)}`;
  }
}
