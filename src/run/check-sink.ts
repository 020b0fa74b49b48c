import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SinkConfig, SinkRunConfig } from '../config/config-types.js';
import { connectWithBackoff, redactAmqpUrl } from '../sources/amqp-connection.js';
import { redactUrl } from '../util/url.js';
import { checkSourceFile, type CheckFinding } from './check.js';
import { checkOroSource } from './check-oro-source.js';
import { retryBudgetOf, type Runtime } from './runtime.js';

/**
 * Probes what a run out of Oro needs: for an `oro` source a token and one read as the source
 * reads (see `checkOroSource`); of its sink, sending it nothing, the ndjson file writable (or its
 * folder, where it is created on the first record), the http endpoint's URL (no request: an
 * ERP's API may book whatever it is sent), RabbitMQ reachable and the queue there or not yet
 * (looked at passively: the first run declares it); a file source readable. Resolves with the
 * problems a run would stop on (empty: all usable); rejects when the credentials or the network
 * fail (the error says which).
 *
 * @example
 * ```ts
 * const problems = await checkSinkConfig(config, runtime, ({ check, text }) => console.log(`${check}: ${text}`));
 * ```
 */
export async function checkSinkConfig(config: SinkRunConfig, runtime: Runtime, onFinding: (finding: CheckFinding) => void): Promise<string[]> {
  const problems: (string | undefined)[] = [];
  if (config.source.kind === 'oro') {
    const { tokens, client } = runtime.credential(config.oro, retryBudgetOf(config.pipeline));
    await tokens.current();
    onFinding({ check: 'token', text: `ok (client credentials grant at ${config.oro.tokenUrl})` });
    problems.push(await checkOroSource(config.source, client, onFinding));
  }
  problems.push(await probeSink(config.sink, onFinding), await checkSourceFile(config.source, onFinding));
  return problems.filter((problem): problem is string => problem !== undefined);
}

/** One probe of the sink: reported as a finding when usable, returned as the problem otherwise. */
async function probeSink(sink: SinkConfig, onFinding: (finding: CheckFinding) => void): Promise<string | undefined> {
  switch (sink.kind) {
    case 'ndjson': {
      const writable = await writableFile(sink.path);
      if (writable !== true) return `sink.path: cannot write ${sink.path} (${writable})`;
      onFinding({ check: 'sink', text: `ok (appending to ${sink.path}, each batch flushed to disk)` });
      return undefined;
    }
    case 'http':
      onFinding({
        check: 'sink',
        text: `${sink.method} ${redactUrl(sink.url)}, ${sink.batchSize === 1 ? 'one record' : `up to ${sink.batchSize} records`} per request, ` +
          'with an Idempotency-Key per content (nothing is sent by check)',
      });
      return undefined;
    case 'amqp':
      return probeQueue(sink.url, sink.queue, onFinding);
  }
}

/** `true`, or why not: the file's own write permission, or its nearest existing folder's. */
async function writableFile(path: string): Promise<true | string> {
  for (let at = path; ; at = dirname(at)) {
    try {
      const found = await stat(at);
      if (at !== path && !found.isDirectory()) return `${at} is no folder`;
      if (at === path && found.isDirectory()) return 'it is a folder';
      await access(at, constants.W_OK);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Missing, or under a file: the folder above says more.
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(at) === at) return code ?? String(error);
    }
  }
}

async function probeQueue(url: string, queue: string, onFinding: (finding: CheckFinding) => void): Promise<string | undefined> {
  let connection;
  try {
    connection = await connectWithBackoff(url, { retry: { retries: 1 } });
  } catch (error) {
    return `sink.url: ${error instanceof Error ? error.message : String(error)}`;
  }
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    // Passive: a missing queue closes this channel, and check declares nothing.
    const found = await channel.checkQueue(queue).catch(() => undefined);
    onFinding({
      check: 'sink',
      text: found
        ? `ok (queue "${queue}" at ${redactAmqpUrl(url)}, ${found.messageCount} message(s) waiting)`
        : `ok (RabbitMQ at ${redactAmqpUrl(url)}; queue "${queue}" is declared by the first run)`,
    });
    return undefined;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
