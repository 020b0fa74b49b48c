import type { Logger } from 'pino';
import { concurrencyBound, type PipelineConfig, type SinkConfig } from '../config/config-types.js';
import type { Limiter } from '../oro/limiter.js';
import { queueSink } from '../queue/queue-sink.js';
import { httpSink } from '../sink/http-sink.js';
import { ndjsonSink } from '../sink/ndjson-sink.js';
import { connectWithBackoff, redactAmqpUrl } from '../sources/amqp-connection.js';
import { assertQueueTopology } from '../sources/amqp-topology.js';
import type { Deliver } from '../types/delivery.js';
import { createHttp } from '../util/http.js';
import type { RetryPolicy } from '../util/retry-policy.js';
import { redactUrl } from '../util/url.js';

/** A config's sink, open: where a run delivers, how many deliveries go at once, and its end. */
export interface OpenSink {
  readonly deliver: Deliver;
  /** Calls of `deliver` at once: 1 for a file (written in order), the pipeline's concurrency (its bound, with `"auto"`) otherwise. */
  readonly concurrency: number;
  /** Records per call of `deliver`: `pipeline.batchSize`, at least the http sink's own `batchSize`. */
  readonly batchSize: number;
  /** Releases the file, the sockets or the connection; the deliveries under way are over. */
  close(): Promise<void>;
}

export interface OpenSinkInput {
  readonly sink: SinkConfig;
  readonly pipeline: PipelineConfig;
  readonly logger: Logger;
  /** The run's limiter: the http sink's requests keep to `pipeline.concurrency` and `ratePerSecond`. */
  readonly limiter: Limiter;
  /** The run's retry policy (`pipeline.retries`, ...), for the http sink's requests. */
  readonly retry: RetryPolicy;
}

/**
 * Opens what `sink` names: the ndjson file (opened on the first batch), an HTTP stack of its own
 * for the http sink (as many sockets as `pipeline.concurrency` allows, `pipeline.requestTimeoutMs`), or a RabbitMQ
 * confirm channel on which the queue's topology is asserted, as `oro-sync publish` does.
 *
 * @throws Error (rejects) when RabbitMQ is unreachable after a few attempts (named without its
 *   password) or refuses the queue's topology.
 *
 * @example
 * ```ts
 * const sink = await openSink({ sink: config.sink, pipeline: config.pipeline, logger, limiter, retry });
 * try { ... toSink({ deliver: sink.deliver, concurrency: sink.concurrency, ... }) ... } finally { await sink.close(); }
 * ```
 */
export async function openSink({ sink, pipeline, logger, limiter, retry }: OpenSinkInput): Promise<OpenSink> {
  switch (sink.kind) {
    case 'ndjson': {
      const file = ndjsonSink({
        path: sink.path,
        onTornLine: (bytes) => logger.warn({ path: sink.path, bytes }, 'the sink file ended in a line cut short (a crash while it was written): cut it off; its record is delivered again'),
      });
      return { deliver: file.deliver, concurrency: 1, batchSize: pipeline.batchSize, close: () => file.close() };
    }
    case 'http': {
      const http = createHttp({
        concurrency: concurrencyBound(pipeline),
        timeoutMs: pipeline.requestTimeoutMs,
        // Method, URL, status and time only: never a header, so never the sink's credentials.
        onRequest: ({ method, url, status, durationMs }) => {
          if (status === undefined || status >= 400) logger.debug({ method, url, status: status ?? 'no answer', ms: Math.round(durationMs) }, 'sink request failed');
        },
      });
      logger.debug({ url: redactUrl(sink.url), method: sink.method, batchSize: sink.batchSize }, 'delivering to an http sink');
      const deliver = httpSink({ url: sink.url, method: sink.method, headers: sink.headers, batchSize: sink.batchSize, send: http.send, limiter, retry });
      return {
        deliver,
        concurrency: concurrencyBound(pipeline),
        batchSize: Math.max(pipeline.batchSize, sink.batchSize),
        close: () => Promise.resolve(http.close()),
      };
    }
    case 'amqp':
      return openQueueSink(sink.url, sink.queue, pipeline, logger);
  }
}

async function openQueueSink(url: string, queue: string, pipeline: PipelineConfig, logger: Logger): Promise<OpenSink> {
  const connection = await connectWithBackoff(url, {
    retry: {
      retries: 2,
      onRetry: ({ attempt, delayMs }) => logger.warn({ url: redactAmqpUrl(url), attempt, delayMs }, 'RabbitMQ unreachable, retrying'),
    },
  });
  // Followed by 'close', which the channel reports as an error of the delivery under way.
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    await assertQueueTopology(channel, queue);
    logger.info({ url: redactAmqpUrl(url), queue }, 'delivering to RabbitMQ');
    return {
      deliver: queueSink({ channel, queue }),
      concurrency: concurrencyBound(pipeline),
      batchSize: pipeline.batchSize,
      async close() {
        await channel.close().catch(() => undefined);
        await connection.close().catch(() => undefined);
      },
    };
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}
