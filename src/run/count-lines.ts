import { createReadStream } from 'node:fs';

/**
 * Counts the non-empty lines of a file by streaming it (memory stays flat), so a progress bar
 * over a file source can show an ETA. Resolves `undefined` when the file cannot be read: the
 * bar then simply has no total.
 */
export async function countLines(path: string): Promise<number | undefined> {
  let lines = 0;
  let lineHasContent = false;
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i];
        if (byte === 0x0a) {
          if (lineHasContent) lines++;
          lineHasContent = false;
        } else if (byte !== 0x0d && byte !== 0x20 && byte !== 0x09) {
          lineHasContent = true;
        }
      }
    }
  } catch {
    return undefined;
  }
  return lineHasContent ? lines + 1 : lines;
}
