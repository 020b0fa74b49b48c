import type { Logger } from 'pino';
import { filter, merge, share, type Observable } from 'rxjs';
import { ConfigError } from '../../errors/config-error.js';
import { toQueue, type Publication } from '../../queue/to-queue.js';
import { connectWithBackoff, redactAmqpUrl } from '../../sources/amqp-connection.js';
import type { RetryPolicy } from '../../util/retry-policy.js';
import { assertQueueTopology } from '../../sources/amqp-topology.js';
import { pullThrough } from '../../sources/pull-through.js';
import { createDeadLetterWriter } from '../../state/dead-letters.js';
import { isOutcome, type Outcome, type Step } from '../../types/outcome.js';
import type { SourceRecord } from '../../types/record.js';
import { buildSource } from '../../run/build-source.js';
import { EXIT_OK, EXIT_RECORDS } from '../exit.js';
import { formatRate } from '../../run/summary.js';
import { concurrencyBound } from '../../config/config-types.js';
import { loadConfigs } from './load-configs.js';

/** Test seams of {@link publishCommand}. */
export interface PublishCommandOptions {
  /**
   * How connecting is retried (default 2 retries, 3 attempts: a publisher is started by hand or by
   * a job, so it fails fast; the other fields as the amqp reconnect's).
   */
  readonly retry?: RetryPolicy;
}

/**
 * `oro-sync publish <config.json>`: reads the config's `source` (pull-based, bounded memory) and
 * publishes each record as a persistent `application/json` message to `publish.queue`, with
 * publisher confirms, after asserting the queue topology (`Q` dead-lettering to `Q.dead`).
 *
 * Exit codes: 0 every record confirmed; 1 some input records were malformed (written to the
 * dead-letter file) or not confirmed by the broker; 2 (thrown) the broker is unreachable, the
 * channel closed mid-run, or the config has no `publish` section.
 */
export async function publishCommand(file: string, logger: Logger, print: (line: string) => void, options: PublishCommandOptions = {}): Promise<number> {
  const [config] = await loadConfigs([file], logger);
  if (!config) return EXIT_OK;
  const target = config.publish;
  if (!target) throw new ConfigError(['publish: expected {"url": "amqp://...", "queue": "..."} (where `oro-sync publish` sends records), got nothing'], file);
  if (config.source.kind === 'amqp') throw new ConfigError(['source.kind: expected a source to read records from (ndjson, json, csv, stdin, http), got "amqp" (that is what workers consume)'], file);

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
  const elapsedMs = performance.now() - started;
  const total = confirmed + malformed + unconfirmed;
  print(
    `published: confirmed ${confirmed}, rejected ${malformed}, unconfirmed ${unconfirmed} to queue "${target.queue}" ` +
      `in ${(elapsedMs / 1000).toFixed(1)} s (${formatRate(total, elapsedMs)} records/s)`,
  );
  if (malformed + unconfirmed > 0) {
    print(`dead letters: ${config.deadLetter.path}`);
    return EXIT_RECORDS;
  }
  return EXIT_OK;
}
