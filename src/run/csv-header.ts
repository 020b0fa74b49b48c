import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Config, CsvSource, ValueSource } from '../config/config-types.js';

/** A column the mapping reads, and the setting that reads it. */
interface ColumnRead {
  readonly column: string;
  readonly setting: string;
}

/**
 * The columns a config's mapping reads from each CSV record: the key, the attributes, the
 * relationships, a product's default name and unit precisions (none of these four with a
 * `transform`, which replaces them), and the watermark. A constant
 * (`{"value": ...}`, a relationship `{type, id}`) reads none. A dot path looks its first segment
 * up in the record (CSV values are flat strings), so that segment is the column.
 */
export function columnsRead(config: Config): ColumnRead[] {
  const { target, schedule } = config;
  const reads: ColumnRead[] = [{ column: target.key.source, setting: 'target.key.source' }];
  const add = (source: ValueSource | undefined, setting: string) => {
    if (typeof source === 'string') reads.push({ column: source, setting });
  };
  // A transform replaces the declarative mapping: what it reads, only it knows.
  if (target.transform === undefined) {
    for (const [name, source] of Object.entries(target.attributes)) add(source, `target.attributes.${name}`);
    for (const [name, rel] of Object.entries(target.relationships)) if ('source' in rel) add(rel.source, `target.relationships.${name}.source`);
    add(target.names?.default, 'target.names.default');
    target.unitPrecisions?.forEach((precision, i) => {
      for (const [field, source] of Object.entries(precision)) add(source, `target.unitPrecisions.${i}.${field}`);
    });
  }
  if (schedule.watermark !== undefined) reads.push({ column: schedule.watermark, setting: 'schedule.watermark' });
  return reads.map(({ column, setting }) => ({ column: column.split('.')[0] ?? column, setting }));
}

/**
 * What is wrong with a CSV source's header for the config's mapping: one line per column the
 * mapping reads that the header lacks, naming the column, the setting and the header. A mapped
 * path that is absent leaves its attribute out of every record (Oro keeps its value, or refuses
 * a record without a required one): a renamed column must stop the run before it sends
 * anything, not reject or half-write every record. Empty for another source kind, an empty or
 * unreadable file (the run says so where it reads it), or a header with every column.
 *
 * @example
 * ```ts
 * for (const problem of await csvHeaderProblems(config)) console.log(`not usable: ${problem}`);
 * // not usable: source.path customers.csv: the header has no column "name" (target.attributes.name reads it); the header is: id,title
 * ```
 */
export async function csvHeaderProblems(config: Config): Promise<string[]> {
  const { source } = config;
  if (source.kind !== 'csv') return [];
  const header = await readHeader(source).catch(() => undefined);
  if (header === undefined) return [];
  const columns = new Set(header);
  const problems: string[] = [];
  const named = new Set<string>();
  for (const { column, setting } of columnsRead(config)) {
    if (columns.has(column) || named.has(column)) continue;
    named.add(column);
    problems.push(`source.path ${basename(source.path)}: the header has no column "${column}" (${setting} reads it); the header is: ${header.join(source.delimiter)}`);
  }
  return problems;
}

/** Bytes read for the header: a header longer than this is cut (and some column reported missing). */
const HEADER_BYTES = 64 * 1024;

/** The first row of the file, as csv-parse reads it with the source's settings; undefined when the file has none. */
async function readHeader(source: CsvSource): Promise<string[] | undefined> {
  const file = await open(source.path, 'r');
  let text: string;
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await file.read(buffer, 0, HEADER_BYTES, 0);
    text = buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
  // The first line only: what follows it may be cut anywhere by the read above.
  const line = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/).find((l) => l.trim() !== '');
  if (line === undefined) return undefined;
  const [row] = parse(line, { delimiter: source.delimiter, quote: source.quote, relax_quotes: true }) as string[][];
  return row;
}
