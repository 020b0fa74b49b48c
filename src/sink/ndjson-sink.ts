import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Deliver, DeliveryResult } from '../types/delivery.js';

/** Options of {@link ndjsonSink}. */
export interface NdjsonSinkOptions {
  /** The file the records are appended to (created with mode 0600 when missing, its folder too). */
  readonly path: string;
  /**
   * Told when the file ended in a line cut short (a crash while it was written) and that line was
   * cut off before appending, with how many bytes it had. Its record was not confirmed, so the
   * run delivers it again.
   */
  readonly onTornLine?: (bytes: number) => void;
}

/** A sink that appends to a file; `close` once the run is over. */
export interface NdjsonSink {
  readonly deliver: Deliver;
  /** Closes the file (after the appends under way). */
  close(): Promise<void>;
}

const SENT: DeliveryResult = { status: 'sent' };
/** How much of the file's end is read at a time, looking for its last line break. */
const TAIL_CHUNK = 64 * 1024;

/**
 * The `ndjson` sink: one JSON line per record, appended; each batch is flushed to disk (fsync)
 * before its records count as sent, so a checkpoint never passes a line a crash could lose. The
 * file is opened on the first batch (a run that sends nothing leaves no file) and appended to by
 * every run. Batches are written one after the other, in the order they come.
 *
 * @throws Error (the `deliver` promise rejects) naming the file when it cannot be opened, written
 *   or flushed: no record can be delivered, so the run stops.
 *
 * @example
 * ```ts
 * const file = ndjsonSink({ path: 'orders.ndjson' });
 * records$.pipe(toSink({ deliver: file.deliver })).subscribe({ complete: () => void file.close() });
 * ```
 */
export function ndjsonSink(options: NdjsonSinkOptions): NdjsonSink {
  const { path } = options;
  let file: Promise<FileHandle> | undefined;
  let tail: Promise<unknown> = Promise.resolve();

  const append = async (text: string): Promise<void> => {
    file ??= openForAppend(path, options.onTornLine);
    const handle = await file;
    await handle.write(text);
    await handle.sync();
  };

  const deliver: Deliver = (batch) => {
    if (batch.length === 0) return Promise.resolve([]);
    let text = '';
    for (const delivery of batch) text += `${delivery.text}\n`;
    const appended = tail.then(() => append(text));
    tail = appended.catch(() => undefined);
    return appended.then(
      () => batch.map(() => SENT),
      (error: unknown) => {
        throw new Error(`sink.path ${path}: cannot append (${describe(error)})`, { cause: error });
      },
    );
  };

  return {
    deliver,
    async close() {
      await tail;
      const opened = file;
      file = undefined;
      await opened?.then((handle) => handle.close(), () => undefined);
    },
  };
}

/** Opens `path` to append, after cutting off a last line a crash left without its line break. */
async function openForAppend(path: string, onTornLine?: (bytes: number) => void): Promise<FileHandle> {
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, 'a+', 0o600);
  try {
    const { size } = await handle.stat();
    const end = size === 0 ? 0 : await lastLineEnd(handle, size);
    if (end < size) {
      await handle.truncate(end);
      onTornLine?.(size - end);
    }
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The offset just after the file's last `\n` (0 when it has none): where its complete lines end. */
async function lastLineEnd(handle: FileHandle, size: number): Promise<number> {
  const buffer = Buffer.alloc(Math.min(TAIL_CHUNK, size));
  for (let end = size; end > 0;) {
    const start = Math.max(0, end - buffer.length);
    const { bytesRead } = await handle.read(buffer, 0, end - start, start);
    const at = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (at >= 0) return start + at + 1;
    end = start;
  }
  return 0;
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code !== undefined && !message.startsWith(code) ? `${code}: ${message}` : message;
}
