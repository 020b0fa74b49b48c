import { createReadStream, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { DecodeError } from '../errors/index.js';
import { locateIoTsError } from '../errors/describe-io-ts.js';
import { rawOf, type ErrorDetail, type Json, type Outcome } from '../types/index.js';
import { nonBlankLines } from '../util/text-lines.js';
import { redactSecrets } from '../util/redact.js';

/** One entry of a dead letter's `errors`: Oro's (or our) `status`/`title`/`detail`/`pointer`. */
export interface DeadLetterError {
  readonly status?: string | number;
  readonly title: string;
  readonly detail?: string;
  readonly pointer?: string;
}

/**
 * One line of the dead-letter file, as the contract fixes it (docs/architecture.md "Dead letters"):
 * `record`, `status`, `errors`, `at`; plus `where` (the record's `position.where`, e.g.
 * `customers.ndjson:12`) so people can find the input.
 *
 * @example
 * ```ts
 * // {"record":{"id":"C-7","name":""},"status":"rejected","errors":[{"status":"400","title":"not blank constraint",
 * //  "pointer":"/data/attributes/name"}],"at":"2026-01-01T12:00:00.000Z","where":"customers.ndjson:7"}
 * const letter: DeadLetter = JSON.parse(line);
 * ```
 */
export interface DeadLetter {
  /** The source record as the source gave it (`rawOf(record)`), before decoding/mapping. */
  readonly record: Json;
  readonly status: 'rejected' | 'failed';
  readonly errors: readonly DeadLetterError[];
  /** When it was written, ISO 8601. */
  readonly at: string;
  readonly where?: string;
}

/** Appends dead letters to one NDJSON file. */
export interface DeadLetterWriter {
  /**
   * Appends the outcome as one line when it is `rejected` or `failed`; other outcomes are ignored.
   * Returns whether a line was written. The file is opened (and created) on the first line.
   *
   * @throws Error naming the file when the writer is closed or the file could not be written:
   *   losing a dead letter would drop a record silently (invariant 1).
   */
  write(outcome: Outcome): boolean;
  /** Lines written by this writer. */
  readonly count: number;
  /** Resolves when every line written so far has been handed to the OS. */
  flush(): Promise<void>;
  /** Flushes and closes the file. Further `write`s throw. */
  close(): Promise<void>;
}

export interface DeadLetterWriterOptions {
  /** Clock for `at` (default: the system clock). */
  readonly now?: () => Date;
  /**
   * Applied to every letter before it is written (default `redactSecrets`: drops secret-named keys
   * at any depth and scrubs bearer tokens / `secret=value` pairs in strings). A custom function
   * replaces the default; compose with `redactSecrets` to keep it.
   */
  readonly redact?: (letter: DeadLetter) => DeadLetter;
}

/** Turns a rejected/failed outcome into a dead letter (before redaction); `undefined` for others. */
export function toDeadLetter(outcome: Outcome, at: Date): DeadLetter | undefined {
  if (outcome.status !== 'rejected' && outcome.status !== 'failed') return undefined;
  const where = outcome.record.position.where;
  return {
    // The record as the source gave it (not its decoded/mapped form), so `replay` can resend it.
    record: toJson(rawOf(outcome.record)),
    status: outcome.status,
    errors: outcome.errors.map(toLetterError),
    at: at.toISOString(),
    ...(where ? { where } : {}),
  };
}

/** Keeps the four contract fields, in the contract's order. */
function toLetterError(e: ErrorDetail): DeadLetterError {
  return {
    ...(e.status !== undefined ? { status: e.status } : {}),
    title: e.title,
    ...(e.detail !== undefined ? { detail: e.detail } : {}),
    ...(e.pointer !== undefined ? { pointer: e.pointer } : {}),
  };
}

/** A source value as JSON (sources yield JSON already; this also covers `Date`s and the odd `undefined`). */
function toJson(value: unknown): Json {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : (JSON.parse(text) as Json);
  } catch (error) {
    return `[not serialisable: ${error instanceof Error ? error.message : String(error)}]`;
  }
}

/** Serialises a letter with its keys in the contract's order. */
function formatLine(letter: DeadLetter): string {
  const { record, status, errors, at, where } = letter;
  return `${JSON.stringify(where === undefined ? { record, status, errors, at } : { record, status, errors, at, where })}\n`;
}

/**
 * Creates an append-only writer of the dead-letter file at `path` (NDJSON, one line per rejected
 * or failed record, secrets redacted). Nothing is created until the first letter, so a clean run
 * leaves no empty file. New files are created with mode 0600: records may hold personal data.
 *
 * Backpressure: `write` is synchronous for the pipeline's sake and hands each line to one
 * `fs.WriteStream`, which queues it if the disk is behind. Lines are small (one record) and come at
 * most at the sink's outcome rate, a fraction of which are rejected, so the queue stays bounded by
 * the pipeline's own throughput; `flush()` awaits it (call it before saving a checkpoint).
 *
 * @example
 * ```ts
 * const letters = createDeadLetterWriter('dead-letters.ndjson');
 * outcomes$.subscribe((o) => letters.write(o));
 * await letters.close();
 * ```
 */
export function createDeadLetterWriter(path: string, options: DeadLetterWriterOptions = {}): DeadLetterWriter {
  const now = options.now ?? (() => new Date());
  const redact = options.redact ?? redactSecrets;
  let stream: WriteStream | undefined;
  let failure: Error | undefined;
  let closed = false;
  let count = 0;
  let inFlight = 0;
  let waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];

  const settle = (): void => {
    if (inFlight > 0 && failure === undefined) return;
    const ready = waiters;
    waiters = [];
    for (const w of ready) {
      if (failure) w.reject(failure);
      else w.resolve();
    }
  };

  const fail = (error: Error): void => {
    failure ??= new Error(`dead-letter file ${path}: ${error.message}`, { cause: error });
    settle();
  };

  const open = (): WriteStream => {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      fail(error as Error);
      throw failure;
    }
    const s = createWriteStream(path, { flags: 'a', mode: 0o600 });
    s.on('error', fail);
    return s;
  };

  return {
    write(outcome) {
      if (failure) throw failure;
      if (closed) throw new Error(`dead-letter file ${path}: write after close`);
      // Most outcomes have no letter: no clock read for them (this runs for every record).
      if (outcome.status !== 'rejected' && outcome.status !== 'failed') return false;
      const letter = toDeadLetter(outcome, now());
      if (letter === undefined) return false;
      const line = formatLine(redact(letter));
      stream ??= open();
      inFlight += 1;
      stream.write(line, (error) => {
        inFlight -= 1;
        if (error) fail(error);
        else settle();
      });
      count += 1;
      return true;
    },
    get count() {
      return count;
    },
    flush() {
      if (failure) return Promise.reject(failure);
      if (inFlight === 0) return Promise.resolve();
      return new Promise((resolve, reject) => {
        waiters.push({ resolve, reject });
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      if (stream === undefined) return;
      const s = stream;
      await new Promise<void>((resolve, reject) => {
        if (failure) {
          s.destroy();
          reject(failure);
          return;
        }
        s.once('error', () => reject(failure));
        // 'close' (not 'finish'): the descriptor is released, so a rename/rewrite may follow.
        s.once('close', () => resolve());
        s.end();
      });
    },
  };
}

const ErrorCodec = t.intersection([
  t.type({ title: t.string }),
  t.partial({ status: t.union([t.string, t.number]), detail: t.string, pointer: t.string }),
]);

const DeadLetterCodec = t.intersection([
  t.type({
    record: t.unknown,
    status: t.keyof({ rejected: null, failed: null }),
    errors: t.array(ErrorCodec),
    at: t.string,
  }),
  t.partial({ where: t.string }),
]);

/** One line of a dead-letter file, with its original text (so a rewrite keeps it byte for byte). */
interface ReadLine {
  readonly line: number;
  readonly letter: DeadLetter;
  readonly text: string;
}

async function* readLines(path: string): AsyncGenerator<ReadLine> {
  for await (const { line, text } of nonBlankLines(createReadStream(path, { encoding: 'utf8' }))) {
    yield { line, letter: parseLetter(path, line, text), text };
  }
}

function parseLetter(path: string, line: number, text: string): DeadLetter {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DecodeError(`${path}:${line}`, [`not JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
  const decoded = DeadLetterCodec.decode(value);
  if (isLeft(decoded)) {
    const problems = decoded.left.map((e) => {
      const { path: at, expected } = locateIoTsError(e.context);
      return `${at.join('.') || '(line)'}: expected ${expected ?? 'dead letter'}, got ${JSON.stringify(e.value) ?? 'nothing'}`;
    });
    throw new DecodeError(`${path}:${line}`, [`not a dead letter: ${[...new Set(problems)].join('; ')}`]);
  }
  return decoded.right as DeadLetter;
}

/**
 * Reads a dead-letter file back, line by line (blank lines skipped; `line` is 1-based).
 *
 * @throws DecodeError `file:line: ...` at the first line that is not JSON or not a dead letter;
 *   the file's own open error (naming the path) when it cannot be read.
 *
 * @example
 * ```ts
 * for await (const { line, letter } of readDeadLetters('dead-letters.ndjson'))
 *   console.log(line, letter.where, letter.errors.map((e) => e.title).join('; '));
 * ```
 */
export async function* readDeadLetters(path: string): AsyncIterable<{ line: number; letter: DeadLetter }> {
  for await (const { line, letter } of readLines(path)) yield { line, letter };
}

/**
 * Atomically rewrites a dead-letter file, keeping the lines for which `keep` says true (byte for
 * byte): `replay` removes the letters that now succeed. The kept lines go to a temporary file beside
 * it, which is flushed to disk and renamed over the original, so a crash leaves either the old or
 * the new file. On any error (a malformed line, `keep` throwing) the original is left untouched.
 * Do not run it while a `DeadLetterWriter` is appending to the same file: its new lines would be lost.
 */
export async function rewriteDeadLetters(
  path: string,
  keep: (letter: DeadLetter, line: number) => boolean | Promise<boolean>,
): Promise<{ kept: number; removed: number }> {
  const { mode } = await stat(path);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const out = await open(temp, 'wx', mode & 0o777);
  let kept = 0;
  let removed = 0;
  try {
    try {
      for await (const { line, letter, text } of readLines(path)) {
        if (await keep(letter, line)) {
          await out.write(`${text}\n`);
          kept += 1;
        } else {
          removed += 1;
        }
      }
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return { kept, removed };
}
