import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Json } from '../types/jsonapi.js';
import { rejected, type Step } from '../types/outcome.js';
import { readResume } from './resume-token.js';
import { nonBlankLines } from '../util/text-lines.js';

export interface NdjsonOptions {
  /** A checkpoint's `position.resume` (`{line}`): reading restarts after that line. */
  readonly resume?: Json;
}

export interface NdjsonStreamOptions extends NdjsonOptions {
  /** Whether positions carry a `resume` token (default true; false for stdin, which cannot restart). */
  readonly resumable?: boolean;
}

/**
 * Records from a newline-delimited JSON file, streamed line by line (never read whole).
 *
 * Blank lines are skipped. A line that is not JSON does not stop the source: it becomes a
 * `rejected` outcome whose record `value` is the raw line, with the error
 * `{title: 'malformed JSON', detail: '<file>:<line>: <parse error>'}`. Positions: `where` is
 * `<file>:<line>` (1-based), `resume` is `{line}`.
 *
 * @example
 * ```ts
 * for await (const step of ndjsonFile('customers.ndjson', { resume: checkpoint?.resume })) {
 *   if (isOutcome(step)) deadLetters.write(step); else console.log(step.value);
 * }
 * ```
 */
export function ndjsonFile(path: string, options: NdjsonOptions = {}): AsyncIterable<Step<unknown>> {
  const after = afterLine(options.resume);
  return {
    [Symbol.asyncIterator]: () => readLines(createReadStream(path), path, after, true),
  };
}

/**
 * NDJSON records from any readable stream (stdin, a socket, a decompressor), as
 * {@link ndjsonFile} reads them from a file; `name` stands for the file in positions and errors.
 * The stream can be iterated once.
 */
export function ndjsonStream(readable: Readable, name: string, options: NdjsonStreamOptions = {}): AsyncIterable<Step<unknown>> {
  const after = afterLine(options.resume);
  return {
    [Symbol.asyncIterator]: () => readLines(readable, name, after, options.resumable ?? true),
  };
}

function afterLine(resume: Json | undefined): number {
  return resume === undefined ? 0 : readResume(resume, { line: 'count' }, '{line}').line;
}

async function* readLines(input: Readable, name: string, after: number, resumable: boolean): AsyncGenerator<Step<unknown>> {
  let seq = 0;
  for await (const { line, text } of nonBlankLines(input)) {
    if (line <= after) continue;
    const where = `${name}:${line}`;
    const position = resumable ? { seq, where, resume: { line } } : { seq, where };
    seq += 1;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield rejected({ value: text, position }, [{ title: 'malformed JSON', detail: `${name}:${line}: ${(error as Error).message}` }]);
      continue;
    }
    yield { value, position };
  }
}
