import type { Readable } from 'node:stream';
import type { Step } from '../types/outcome.js';
import { ndjsonStream } from './ndjson.js';

/**
 * NDJSON records on standard input (the config's `stdin` source kind). Positions read
 * `stdin:<line>` and carry no `resume`: a pipe cannot be re-read, so a restart reads from the start.
 * Malformed lines become `rejected` outcomes, as in `ndjsonFile`.
 *
 * @example
 * ```sh
 * zcat export.ndjson.gz | oro-sync run stdin-config.json
 * ```
 */
export function stdinSource(input: Readable = process.stdin): AsyncIterable<Step<unknown>> {
  return ndjsonStream(input, 'stdin', { resumable: false });
}
