/**
 * The CLI's logger: pino, JSON lines by default, human-readable (pino-pretty) on a terminal.
 *
 * Logs go to standard error, not standard output: stdout carries data that scripts read
 * (`fake-oro`'s first line, the documents of a `--dry-run`). Secrets are redacted by pino itself,
 * so a logged config, request or token answer cannot leak them (invariant 6).
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

export type { Logger } from 'pino';

/** What replaces a redacted value. */
export const LOG_CENSOR = '[redacted]';

/**
 * Paths pino redacts. pino paths are exact (no recursive wildcard) and case-sensitive, so the
 * common casings and nestings are listed; anything secret should be logged under one of them.
 */
export const REDACT_PATHS: readonly string[] = [
  'clientSecret',
  '*.clientSecret',
  '*.*.clientSecret',
  'authorization',
  'Authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.authorization',
  '*.Authorization',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'password',
  '*.password',
];

export interface LoggerOptions {
  /** pino level name (`trace` ... `fatal`, `silent`). Default `info`. */
  readonly level?: string;
  /** Human-readable lines instead of JSON. Default: whether standard error is a terminal. */
  readonly pretty?: boolean;
  /** Where to write (tests); default standard error. */
  readonly destination?: DestinationStream;
}

/**
 * Create the process logger.
 *
 * @example
 * const log = createLogger({ level: 'debug' });
 * log.info({ target: 'customers', created: 12 }, 'run finished');
 * log.info({ headers: { authorization: 'Bearer x' } }, 'request'); // authorization: "[redacted]"
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  const destination: DestinationStream = pretty
    // Synchronous, in-process prettifier: no worker thread to start or to flush at exit.
    ? pinoPretty({ destination: options.destination ?? 2, sync: true, colorize: options.destination === undefined && process.stderr.isTTY === true })
    : options.destination ?? pino.destination({ dest: 2, sync: true });
  return pino(
    {
      name: 'oro-sync',
      level: options.level ?? 'info',
      redact: { paths: [...REDACT_PATHS], censor: LOG_CENSOR },
    },
    destination,
  );
}
