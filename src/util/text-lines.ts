import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

/** A non-blank line of a text stream and its 1-based number in the stream. */
export interface TextLine {
  readonly line: number;
  readonly text: string;
}

/**
 * The non-blank lines of a text stream, streamed (never read whole). Blank lines (whitespace only)
 * are not given but still count, so `line` is the number an editor shows; `\r\n`, `\n` and a lone
 * `\r` end a line (as `readline` has it). The stream is destroyed when the iteration ends, however
 * it ends, so stopping early closes the file.
 *
 * Lines are cut from each chunk here rather than by `readline`, whose event-to-iterator bridge
 * cost more per line than parsing the line's JSON (a snapshot export is read whole every run).
 *
 * @example
 * ```ts
 * for await (const { line, text } of nonBlankLines(createReadStream(path))) console.log(`${path}:${line}`, text);
 * ```
 */
export async function* nonBlankLines(input: Readable): AsyncGenerator<TextLine> {
  // Decoded across chunk boundaries: a multi-byte character may be split between two chunks.
  const decoder = new StringDecoder('utf8');
  let line = 0;
  let rest = '';
  // The last chunk ended with `\r`: a `\n` starting the next one belongs to that line end.
  let afterCr = false;
  try {
    for await (const chunk of input as AsyncIterable<Buffer | string>) {
      let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      if (afterCr && text.startsWith('\n')) text = text.slice(1);
      afterCr = false;
      text = rest + text;
      let start = 0;
      // Searched again only once passed: most files have no `\r`, and one search says so.
      let cr = text.indexOf('\r');
      for (;;) {
        if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
        const lf = text.indexOf('\n', start);
        const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(lf, cr);
        if (end === -1) break;
        const isCr = text.charCodeAt(end) === 13;
        if (isCr && end === text.length - 1) afterCr = true;
        line += 1;
        const content = text.slice(start, end);
        if (content.trim() !== '') yield { line, text: content };
        start = end + (isCr && text.charCodeAt(end + 1) === 10 ? 2 : 1);
      }
      rest = text.slice(start);
    }
    rest += decoder.end();
    if (rest !== '') {
      line += 1;
      if (rest.trim() !== '') yield { line, text: rest };
    }
  } finally {
    input.destroy();
  }
}
