import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import type { Json } from '../types/jsonapi.js';

/** Bytes hashed at the start of a file and just before the offset read up to. */
const MARK_WINDOW = 4096;

/**
 * What a file looked like when a run started reading it: enough to tell, next time, whether it is
 * the same file grown (append-only) or another file (replaced, truncated, rewritten in place).
 * Device and inode are strings: an inode may exceed 2^53.
 */
export interface FileMark {
  readonly dev: string;
  readonly ino: string;
  /** The size then; the run read at least this far. */
  readonly size: number;
  /** sha256 (hex) of the first `min(size, 4 KiB)` bytes. */
  readonly head: string;
  /** sha256 (hex) of the `min(size, 4 KiB)` bytes before `size`. */
  readonly tail: string;
}

/** How the file is now, compared with its mark. */
export type FileChange =
  | { readonly grown: true; readonly appended: number }
  | { readonly grown: false; readonly reason: string };

/**
 * The file's mark now, for the checkpoint of a run that starts reading it.
 *
 * @example
 * ```ts
 * const mark = await fileMark('customers.csv');   // before reading
 * // ... next run:
 * const change = await compareFileMark('customers.csv', mark);
 * if (change.grown) resumeAfterLastRecord(); else readWhole(change.reason);
 * ```
 */
export async function fileMark(path: string): Promise<FileMark> {
  const info = await stat(path, { bigint: true });
  const size = Number(info.size);
  const [head, tail] = await hashes(path, size);
  return { dev: String(info.dev), ino: String(info.ino), size, head, tail };
}

/**
 * Whether `path` is the file of `mark`, grown (or unchanged): same device and inode, at least as
 * large, and the bytes of both hashed windows unchanged. Otherwise says why not, in words for a
 * log line ("was replaced (inode changed)").
 */
export async function compareFileMark(path: string, mark: FileMark): Promise<FileChange> {
  let info;
  try {
    info = await stat(path, { bigint: true });
  } catch (error) {
    return { grown: false, reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
  if (String(info.dev) !== mark.dev || String(info.ino) !== mark.ino) return { grown: false, reason: 'was replaced (inode changed)' };
  const size = Number(info.size);
  if (size < mark.size) return { grown: false, reason: `was truncated (${size} bytes, ${mark.size} before)` };
  const [head, tail] = await hashes(path, mark.size);
  if (head !== mark.head || tail !== mark.tail) {
    return { grown: false, reason: `was rewritten in place (the first ${mark.size} bytes changed)` };
  }
  return { grown: true, appended: size - mark.size };
}

/** Reads a mark back from a checkpoint; `undefined` when it is not one. */
export function asFileMark(value: Json | null | undefined): FileMark | undefined {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { dev, ino, size, head, tail } = value;
  return typeof dev === 'string' && typeof ino === 'string' && typeof size === 'number' && typeof head === 'string' && typeof tail === 'string'
    ? { dev, ino, size, head, tail }
    : undefined;
}

async function hashes(path: string, size: number): Promise<[string, string]> {
  const handle = await open(path, 'r');
  try {
    const window = async (from: number): Promise<string> => {
      const length = Math.min(MARK_WINDOW, size - from);
      const buffer = Buffer.alloc(length);
      let read = 0;
      while (read < length) {
        const { bytesRead } = await handle.read(buffer, read, length - read, from + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return createHash('sha256').update(buffer.subarray(0, read)).digest('hex');
    };
    return [await window(0), await window(Math.max(0, size - MARK_WINDOW))];
  } finally {
    await handle.close();
  }
}
