import type { Logger } from 'pino';
import { filter, merge, share, type Observable } from 'rxjs';
import { concurrencyBound, type AnyConfig } from '../config/config-types.js';
import { ConfigError } from '../errors/config-error.js';
import { toQueue, type Publication } from '../queue/to-queue.js';
import { connectWithBackoff, redactAmqpUrl } from '../sources/amqp-connection.js';
import { assertQueueTopology } from '../sources/amqp-topology.js';
import { pullThrough } from '../sources/pull-through.js';
import { createDeadLetterWriter } from '../state/dead-letters.js';
import { isOutcome, type Outcome, type Step } from '../types/outcome.js';
import type { SourceRecord } from '../types/record.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import { buildSource } from './build-source.js';

export interface PublishOptions {
  /**
   * How connecting is retried (default 2 retries, 3 attempts: a publisher is started by hand or by
   * a job, so it fails fast; the other fields as the amqp reconnect's).
   */
  readonly retry?: RetryPolicy;
  /** The config's file, named by the `ConfigError` of a config that cannot be published. */
  readonly file?: string;
}

/** What one publish did. */
export interface PublishResult {
  /** `publish.queue`. */
  readonly queue: string;
  /** Records the broker confirmed. */
  readonly confirmed: number;
  /** Malformed input records (a bad NDJSON line, ...), written to the dead-letter file. */
  readonly rejected: number;
  /** Records the broker did not confirm, written to the dead-letter file as failed. */
  readonly unconfirmed: number;
  readonly elapsedMs: number;
  /** Where rejected and unconfirmed records were written; absent when there were none. */
  readonly deadLetterPath?: string;
}

/**
 * Reads the config's `source` (pull-based, bounded memory) and publishes each record as a
 * persistent `application/json` message to `publish.queue`, with publisher confirms, after
 * asserting the queue topology (`Q` dead-lettering to `Q.dead`). Queue workers
 * (`runQueueWorker`) consume what it publishes.
 *
 * @throws ConfigError (rejects) when the config has no `publish` section or its source is `amqp`.
 * @throws Error (rejects) when the broker is unreachable after the retries (its URL named without
 *   the password) or the channel closes mid-run.
 *
 * @example
 * ```ts
 * const { config } = await loadConfig('customers-publish.json');
 * const result = await publishConfig(config, pino());
 * console.log(`confirmed ${result.confirmed}, rejected ${result.rejected}, unconfirmed ${result.unconfirmed}`);
 * if (result.deadLetterPath) console.log(`dead letters: ${result.deadLetterPath}`);
 * ```
 */
export async function publishConfig(config: AnyConfig, logger: Logger, options: PublishOptions = {}): Promise<PublishResult> {
  const target = config.publish;
  if (!target) throw new ConfigError(['publish: expected {"url": "amqp://...", "queue": "..."} (where `oro-sync publish` sends records), got nothing'], options.file);
  if (config.source.kind === 'amqp') throw new ConfigError(['source.kind: expected a source to read records from (ndjson, json, csv, stdin, http), got "amqp" (that is what workers consume)'], options.file);

  const started = performance.now();
  const connection = await connectWithBackoff(target.url, {
    retry: {
      retries: 2,
      onRetry: ({ attempt, delayMs }) => logger.warn({ url: redactAmqpUrl(target.url), attempt, delayMs }, 'RabbitMQ unreachable, retrying'),
      ...options.retry,
    },
  });
  connection.on('error', () => undefined); // followed by 'close', which the channel reports as an error of the stream
  const deadLetters = createDeadLetterWriter(config.deadLetter.path);
  let confirmed = 0;
  let malformed = 0;
  let unconfirmed = 0;
  try {
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    await assertQueueTopology(channel, target.queue);
    logger.info({ url: redactAmqpUrl(target.url), queue: target.queue }, 'publishing');

    const publishSteps = (steps$: Observable<Step<unknown>>): Observable<Outcome | Publication> => {
      const shared = steps$.pipe(share());
      return merge(
        // Malformed input (a bad NDJSON line, ...) arrives as a decided `rejected` outcome.
        shared.pipe(filter(isOutcome)),
        shared.pipe(
          filter((step): step is SourceRecord => !isOutcome(step)),
          toQueue({ channel, queue: target.queue }),
        ),
      );
    };
    const maxInFlight = Math.max(100, config.pipeline.batchSize * concurrencyBound(config.pipeline));
    await new Promise<void>((resolve, reject) => {
      pullThrough(buildSource(config), publishSteps, { maxInFlight }).subscribe({
        next: (result) => {
          if (result.status === 'confirmed') {
            confirmed += 1;
          } else if (result.status === 'unconfirmed') {
            unconfirmed += 1;
            deadLetters.write({ status: 'failed', record: result.record, errors: [{ title: 'not published', detail: `queue "${target.queue}": ${result.reason}` }] });
          } else {
            malformed += 1;
            deadLetters.write(result);
          }
        },
        error: reject,
        complete: resolve,
      });
    });
    await channel.close();
  } finally {
    await deadLetters.close();
    await connection.close().catch(() => undefined);
  }
  return {
    queue: target.queue,
    confirmed,
    rejected: malformed,
    unconfirmed,
    elapsedMs: performance.now() - started,
    ...(malformed + unconfirmed > 0 ? { deadLetterPath: config.deadLetter.path } : {}),
  };
}
