#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger } from './logger.js';
import { describeFailure, EXIT_SYSTEMIC } from './exit.js';
import { runCommand } from './commands/run.js';
import { checkCommand } from './commands/check.js';
import { replayCommand } from './commands/replay.js';
import { demoCommand } from './commands/demo.js';
import { FAKE_ORO_VERSIONS, fakeOroCommand, type FakeOroCommandOptions } from './commands/fake-oro.js';
import { publishCommand } from './commands/publish.js';
import { statusCommand } from './commands/status.js';

/**
 * Standard output closed by its reader (`oro-sync status x.json | head -1`, `run --dry-run |
 * head`): the lines after that go nowhere, and a run stops as on SIGTERM (what it read finishes,
 * its checkpoint is saved). Without this listener the write's EPIPE is an uncaught error: a stack trace.
 */
const stdoutClosed = new AbortController();
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') {
    process.stderr.write(`oro-sync: standard output: ${error.message}\n`);
    process.exitCode = EXIT_SYSTEMIC;
  }
  stdoutClosed.abort();
});
const print = (line: string) => {
  if (!stdoutClosed.signal.aborted) process.stdout.write(`${line}\n`);
};

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got "${value}"`);
    return n;
  };
}

function fraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`must be a number from 0 to 1, got "${value}"`);
  return n;
}

/**
 * Runs a command and turns its result or its systemic failure into the process exit code.
 * Some library timers are unref'd (the sink's related-record waits) so that they never hold a
 * process open; while a command runs, this keeps the process alive, or such a wait with nothing
 * else pending would end it mid-command (exit 13, no message). The token stream's timers are
 * ordinary ones, ended by the runtime's `close()` in every command's `finally`.
 */
async function exitWith(action: () => Promise<number>): Promise<void> {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    process.exitCode = await action();
  } catch (error) {
    process.stderr.write(`${describeFailure(error)}\n`);
    process.exitCode = EXIT_SYSTEMIC;
  } finally {
    clearInterval(keepAlive);
  }
}

const program = new Command()
  .name('oro-sync')
  .description('Sync records from source systems into OroCommerce through its JSON:API')
  .version('0.1.0')
  .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'))
  .showHelpAfterError();

const logger = () => createLogger({ level: program.opts<{ logLevel: string }>().logLevel });

program
  .command('run')
  .description('run a sync; several configs run in the order given (e.g. customer groups, then customers)')
  .argument('<configs...>', 'config files')
  .option('--once', 'run once and exit (default: daemon, every schedule.intervalSeconds)')
  .option('--dry-run', 'read, validate, map and look up; print what would be sent; write nothing')
  .option('--progress', 'show a progress bar on standard error')
  .option('--from-start', 'ignore the saved checkpoint and read the source from its beginning')
  .option('--full', 'ignore digests and checkpoints for this run: read the source whole and send every record')
  .option('--forget-state', 'drop each pipeline\'s ids, digests and checkpoint (its run history stays) and start over against the config\'s Oro')
  .option('--drain-seconds <s>', 'on SIGINT/SIGTERM, wait this long for in-flight work', integer('--drain-seconds', 0), 30)
  .action((configs: string[], opts: { once?: boolean; dryRun?: boolean; progress?: boolean; fromStart?: boolean; full?: boolean; forgetState?: boolean; drainSeconds: number }) =>
    exitWith(() => runCommand(configs, { ...opts, stop: stdoutClosed.signal }, logger(), print)));

program
  .command('check')
  .description('validate the config, get a token, probe the target type (is the Batch API enabled?)')
  .argument('<config>', 'config file')
  .action((config: string) => exitWith(() => checkCommand(config, logger(), print)));

program
  .command('status')
  .description('what the state store knows of the config\'s pipeline: last runs, checkpoint, keys, records waiting as rejected or failed')
  .argument('<config>', 'config file')
  .option('--key <key>', 'one key: its Oro id, last outcome, when, and its errors')
  .option('--json', 'one JSON document instead of text')
  .action((config: string, opts: { key?: string; json?: boolean }) => exitWith(() => statusCommand(config, opts, logger(), print)));

program
  .command('replay')
  .description('send dead letters again through the config\'s target; the ones that succeed leave the file')
  .argument('<dead-letters>', 'dead-letter NDJSON file')
  .argument('<config>', 'config file')
  .action((letters: string, config: string) => exitWith(() => replayCommand(letters, config, logger(), print)));

program
  .command('publish')
  .description('publish the config\'s source records to the RabbitMQ queue named by publish.queue')
  .argument('<config>', 'config file')
  .action((config: string) => exitWith(() => publishCommand(config, logger(), print)));

program
  .command('demo')
  .description('start the bundled fake Oro and sync generated customers into it')
  .option('--records <n>', 'customers to generate', integer('--records', 1), 10_000)
  .option('--latency <ms>', 'fake Oro latency per request', integer('--latency', 0), 20)
  .addOption(new Option('--mode <mode>', 'write mode').choices(['single', 'batch', 'batch-sync']).default('batch'))
  .option('--no-progress', 'no progress bar')
  .action((opts: { records: number; latency: number; mode: 'single' | 'batch' | 'batch-sync'; progress: boolean }) =>
    exitWith(() => demoCommand(opts, logger(), print)));

program
  .command('fake-oro')
  .description('run the fake Oro server (prints {"baseUrl","tokenUrl"} first)')
  .option('--port <port>', 'port (0 picks a free one)', integer('--port', 0), 0)
  .option('--latency <ms>', 'latency per request', integer('--latency', 0), 0)
  .option('--fault-rate <f>', 'share of requests that fail (429/503/500/reset)', fraction, 0)
  .option('--seed <n>', 'seed of the fault and latency draws', integer('--seed', 0), 1)
  .option('--client-id <id>', 'accepted client id (default oro-sync-demo)')
  .option('--client-secret <secret>', 'accepted client secret (default oro-sync-demo-secret)')
  .addOption(new Option('--oro-version <version>', 'Oro version to play (default the newest)').choices(FAKE_ORO_VERSIONS))
  .option('--rate-limit <n>', 'requests per second per client, burst n (429 + Retry-After past it)', integer('--rate-limit', 1))
  .option('--workers <n>', 'API requests served at once; the rest wait in a queue (default: no limit)', integer('--workers', 1))
  .option('--per-request-ms <ms>', 'time each API request holds a worker', integer('--per-request-ms', 0))
  .option('--per-record-ms <ms>', 'time each record of a request adds (a batch: its size)', integer('--per-record-ms', 0))
  .option('--queue-limit <n>', 'requests that may wait for a worker; past it, 503 + Retry-After (default: no limit)', integer('--queue-limit', 0))
  .action((opts: FakeOroCommandOptions) => exitWith(() => fakeOroCommand(opts, print)));

await program.parseAsync(process.argv);
