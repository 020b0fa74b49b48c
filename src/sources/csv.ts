import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { parse, type CsvError, type Info } from 'csv-parse';
import type { Json } from '../types/jsonapi.js';
import { rejected, type Step } from '../types/outcome.js';
import type { Position } from '../types/record.js';
import { readResume } from './resume-token.js';

export interface CsvFileOptions {
  /** Field delimiter (default `,`). */
  readonly delimiter?: string;
  /** Quote character (default `"`). */
  readonly quote?: string;
  /** A checkpoint's `position.resume` (`{line}`): reading restarts after the record ending on that line. */
  readonly resume?: Json;
}

/** What the csv-parse stream yields with `info` + `raw`, plus the rows it skipped, in file order. */
type Parsed =
  | { readonly record: Record<string, string>; readonly raw: string; readonly info: Info }
  | { readonly skipped: CsvError | undefined; readonly raw: string | undefined };

/**
 * Records from a CSV file (the config's `csv` source kind), streamed with csv-parse. The first row
 * is the header; each record is an object of strings keyed by it. Empty lines are skipped.
 *
 * A malformed row (wrong number of fields, a stray or unclosed quote) does not stop the source:
 * it becomes a `rejected` outcome in its place in the file, whose record `value` is the raw text of
 * the row, with `{title: 'malformed CSV', detail: '<file>:<line>: <csv-parse message>'}`.
 * Positions: `where` is `<file>:<line>` (the line the record starts on), `resume` is `{line}` (the
 * line it ends on: a quoted field may span lines).
 *
 * @example
 * ```ts
 * for await (const step of csvFile('prices.csv', { delimiter: ';' })) { ... }
 * ```
 */
export function csvFile(path: string, options: CsvFileOptions = {}): AsyncIterable<Step<unknown>> {
  const after = options.resume === undefined ? 0 : readResume(options.resume, { line: 'count' }, '{line}').line;
  return {
    [Symbol.asyncIterator]: () => readRows(path, options, after),
  };
}

async function* readRows(path: string, options: CsvFileOptions, after: number): AsyncGenerator<Step<unknown>> {
  const parser = parse({
    columns: true,
    info: true,
    raw: true,
    bom: true,
    delimiter: options.delimiter ?? ',',
    quote: options.quote ?? '"',
    skip_empty_lines: true,
    // A bad row is reported through on_skip while parsing goes on. Pushing it into the parser's own
    // output (on_skip runs inside the parse step) keeps it in file order with the good rows.
    skip_records_with_error: true,
    on_skip: (error, raw) => {
      parser.push({ skipped: error, raw } satisfies Parsed);
      return undefined;
    },
  });
  const rows = pipeline(createReadStream(path), parser, () => undefined);
  let seq = 0;
  try {
    for await (const row of rows as AsyncIterable<Parsed>) {
      if ('skipped' in row) {
        // CsvError carries the parser's info; `lines` is the line the bad row ends on.
        const lines = row.skipped?.['lines'];
        const end = typeof lines === 'number' ? lines : 0;
        if (end <= after) continue;
        const line = startLine(end, row.raw);
        const position: Position = { seq: seq++, where: `${path}:${line}`, resume: { line: end } };
        yield rejected({ value: trimBreak(row.raw ?? ''), position }, [
          { title: 'malformed CSV', detail: `${path}:${line}: ${row.skipped?.message ?? 'unreadable row'}` },
        ]);
        continue;
      }
      const end = row.info.lines;
      if (end <= after) continue;
      const position: Position = { seq: seq++, where: `${path}:${startLine(end, row.raw)}`, resume: { line: end } };
      yield { value: row.record, position };
    }
  } finally {
    rows.destroy();
  }
}

/** The line a record starts on, from the line it ends on and its raw text. */
function startLine(end: number, raw: string | undefined): number {
  const breaks = (trimBreak(raw ?? '').match(/\r\n|\n|\r/g) ?? []).length;
  return Math.max(1, end - breaks);
}

function trimBreak(raw: string): string {
  return raw.replace(/(?:\r\n|\n|\r)$/, '');
}
