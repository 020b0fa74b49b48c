import { createReadStream } from 'node:fs';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import Parser from 'stream-json/Parser.js';
import Pick from 'stream-json/filters/Pick.js';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import { DecodeError } from '../errors/decode-error.js';
import type { Json } from '../types/jsonapi.js';
import type { SourceRecord } from '../types/record.js';
import { readResume } from './resume-token.js';

export interface JsonFileOptions {
  /** Dot path to the array of records (`data`, `export.items`); absent: the top-level array. */
  readonly itemsPath?: string;
  /** A checkpoint's `position.resume` (`{index}`): reading restarts after that array element. */
  readonly resume?: Json;
}

/**
 * Records from a JSON file holding an array (top level, or at `itemsPath`), streamed element by
 * element with stream-json, so a large file is never read whole.
 *
 * Positions: `where` is `<file>#<index>` (zero-based array index), `resume` is `{index}`.
 * Malformed JSON cannot be skipped past (the structure is lost), so after the elements before it
 * the source stops with a `DecodeError` naming the file and the line: `export.json:12: malformed
 * JSON: ...`. No array at `itemsPath` is a `DecodeError` naming the file and the path.
 *
 * @example
 * ```ts
 * for await (const record of jsonFile('export.json', { itemsPath: 'data' })) console.log(record.value);
 * ```
 */
export function jsonFile(path: string, options: JsonFileOptions = {}): AsyncIterable<SourceRecord> {
  const after = options.resume === undefined ? -1 : readResume(options.resume, { index: 'count' }, '{index}').index;
  return {
    [Symbol.asyncIterator]: () => readArray(path, options.itemsPath, after),
  };
}

async function* readArray(path: string, itemsPath: string | undefined, after: number): AsyncGenerator<SourceRecord> {
  const parser = new LineTrackingParser();
  const array = new StreamArray();
  const file = createReadStream(path, { encoding: 'utf8' });
  const stages: Transform[] = [new LinePieces(), parser];
  let found = itemsPath === undefined;
  if (itemsPath !== undefined) {
    const pick = new Pick({ filter: itemsPath });
    pick.once('data', () => (found = true));
    stages.push(pick);
  }
  // Not pipeline(): it would destroy the last stage at once on an upstream error, dropping the
  // elements parsed before it. Here an upstream error ends the element stream; its elements
  // drain, then the error is thrown.
  let failure: Error | undefined;
  const upstream: Readable[] = [file, ...stages];
  upstream.forEach((stage, i) => {
    stage.pipe(stages[i] ?? array);
    stage.once('error', (error: Error) => {
      failure ??= error;
      array.end();
    });
  });
  const where = itemsPath === undefined ? 'top level' : `itemsPath "${itemsPath}"`;
  let seq = 0;
  try {
    for await (const element of array as AsyncIterable<{ key: number; value: unknown }>) {
      if (element.key <= after) continue;
      yield {
        value: element.value,
        position: { seq: seq++, where: `${path}#${element.key}`, resume: { index: element.key } },
      };
    }
  } catch (error) {
    if (error instanceof Error && /should be an array/.test(error.message)) {
      throw new DecodeError(path, [`${where}: expected an array`]);
    }
    throw error;
  } finally {
    for (const stage of [...upstream, array]) stage.destroy();
  }
  if (parser.failure !== undefined) {
    throw new DecodeError(`${path}:${parser.line}`, [`malformed JSON: ${parser.failure.message}`]);
  }
  if (failure !== undefined) throw failure;
  if (!found) throw new DecodeError(path, [`${where}: expected an array, found nothing there`]);
}

/**
 * Cuts text into pieces that end at a newline (without joining across chunks, so memory stays at
 * one chunk even for a file on one line), so that the parser sees one line at a time and a parse
 * error can be pinned to its line.
 */
class LinePieces extends Transform {
  constructor() {
    super({ readableObjectMode: true, decodeStrings: false });
  }

  override _transform(chunk: string | Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const text = String(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      this.push(text.slice(start, nl + 1));
      start = nl + 1;
    }
    if (start < text.length) this.push(text.slice(start));
    callback();
  }
}

/**
 * The stream-json 1.9 internals we hook: after the first chunk, every chunk goes through
 * `_transformBuffer` (or `_transformString` when written as strings).
 */
type ChunkStep = (chunk: Buffer | string, encoding: BufferEncoding, callback: (error?: Error | null) => void) => void;
const parserInternals = Parser.prototype as unknown as { _transformBuffer: ChunkStep; _transformString: ChunkStep };

/** stream-json's parser, remembering the line of the text it parses and the error it stopped on. */
class LineTrackingParser extends Parser {
  /** 1-based line where the piece being parsed starts. */
  line = 1;
  failure: Error | undefined;
  private nextLine = 1;

  _transformBuffer(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.track(chunk, parserInternals._transformBuffer, encoding, callback);
  }

  _transformString(chunk: string, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.track(chunk, parserInternals._transformString, encoding, callback);
  }

  override _flush(callback: TransformCallback): void {
    super._flush((error) => {
      if (error) this.failure = error;
      callback(error);
    });
  }

  private track(chunk: Buffer | string, step: ChunkStep, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.line = this.nextLine;
    // '\n' is byte 0x0a in UTF-8 too, and never part of a multi-byte character.
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', nl + 1)) this.nextLine += 1;
    step.call(this, chunk, encoding, (error) => {
      if (error) this.failure = error;
      callback(error);
    });
  }
}
