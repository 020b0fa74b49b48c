import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under os.tmpdir(); `cleanup()` removes it and everything in it. */
export function tmpDir() {
  const dir = mkdtempSync(join(tmpdir(), 'oro-sync-sources-'));
  return {
    dir,
    /** Writes `content` to `name` in the directory and returns its path. */
    file(name: string, content: string): string {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    /**
     * A named pipe: the reader sees only what the test has written so far, which proves that a
     * source streams (it yields records before the "file" is complete).
     */
    fifo(name: string): { path: string; open(): WriteStream } {
      const path = join(dir, name);
      execFileSync('mkfifo', [path]);
      return { path, open: () => createWriteStream(path) };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
