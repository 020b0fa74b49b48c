export { pullThrough, type InFlightGauge, type PullThroughOptions } from './pull-through.js';
export { paginate, type Page, type PaginateOptions, type PageCounters, type PaginatedSource } from './pages.js';
export {
  httpSource,
  type HttpSourceOptions,
  type HttpPagination,
  type PagePagination,
  type OffsetPagination,
  type CursorPagination,
  type NextLinkPagination,
  type RetryFn,
} from './http.js';
export { ndjsonFile, ndjsonStream, type NdjsonOptions, type NdjsonStreamOptions } from './ndjson.js';
export { jsonFile, type JsonFileOptions } from './json.js';
export { csvFile, type CsvFileOptions } from './csv.js';
export { stdinSource } from './stdin.js';
export { readResume, type ResumeField } from './resume-token.js';
export { amqpSource, type AmqpSourceOptions, type AmqpQueueSource, type AmqpSourceEvent, type Settlement } from './amqp.js';
export { connectWithBackoff, redactAmqpUrl, backoffDelays, DEFAULT_AMQP_BACKOFF, type AmqpBackoff, type ConnectOptions } from './amqp-connection.js';
export { assertQueueTopology, deadQueueOf, queueArguments } from './amqp-topology.js';
export { ERRORS_HEADER, errorsHeader } from './amqp-headers.js';
