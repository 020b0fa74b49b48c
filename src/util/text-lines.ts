import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** A non-blank line of a text stream and its 1-based number in the stream. */
export interface TextLine {
  readonly line: number;
  readonly text: string;
}

/**
 * The non-blank lines of a text stream, streamed (never read whole). Blank lines (whitespace only)
 * are not given but still count, so `line` is the number an editor shows; `\r\n` ends a line as
 * `\n` does. The stream is destroyed when the iteration ends, however it ends, so stopping early
 * closes the file.
 *
 * @example
 * ```ts
 * for await (const { line, text } of nonBlankLines(createReadStream(path))) console.log(`${path}:${line}`, text);
 * ```
 */
export async function* nonBlankLines(input: Readable): AsyncGenerator<TextLine> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      if (text.trim() !== '') yield { line, text };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}
