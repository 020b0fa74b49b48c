/**
 * End-to-end helpers: build the CLI once per mocha process, spawn `node dist/cli/main.js` as a
 * child, and lay out a workspace (config, source, state, dead letters) in a temporary directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeOro, type FakeOro, type FakeOroOptions } from '../../src/testing/index.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN = join(ROOT, 'dist/cli/main.js');

let build: Promise<void> | undefined;

/**
 * Compiles `src` to `dist` once per mocha process (every e2e file calls it in `before`). Type
 * errors elsewhere in the tree do not stop it as long as `tsc` emitted the CLI (tsc emits on
 * errors; `npm run typecheck` is the gate for those); a missing `dist/cli/main.js` does.
 */
export function ensureBuilt(): Promise<void> {
  build ??= new Promise<void>((done, fail) => {
    const child = spawn('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      if (existsSync(MAIN)) {
        if (code !== 0) console.warn(`    (npm run build exited ${code}; testing what tsc emitted)\n${output.split('\n').slice(0, 10).join('\n')}`);
        done();
      } else fail(new Error(`npm run build exited ${code} without ${MAIN}:\n${output}`));
    });
  });
  return build;
}

/** The result of a finished CLI process. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  /** Added to a minimal environment (PATH, HOME). */
  readonly env?: Record<string, string>;
  /** Fed to standard input, which is then closed. */
  readonly input?: string;
}

/** A running CLI process, its output so far and a way to wait for what it prints. */
export class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<CliResult>;
  private readonly waiters = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (c: Buffer) => {
      this.stdout += c.toString();
      this.wake();
    });
    child.stderr?.on('data', (c: Buffer) => {
      this.stderr += c.toString();
      this.wake();
    });
    this.exited = new Promise((done, fail) => {
      child.on('error', fail);
      child.on('close', (code, signal) => {
        this.wake();
        done({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  /** Lines of stdout matching `pattern`. */
  lines(pattern: RegExp): string[] {
    return this.stdout.split('\n').filter((line) => pattern.test(line));
  }

  /** Resolves when stdout holds `count` lines matching `pattern`; rejects if the process ends first. */
  waitForLines(pattern: RegExp, count = 1): Promise<string[]> {
    return this.until(() => {
      const found = this.lines(pattern);
      return found.length >= count ? found : undefined;
    }, `${count} stdout line(s) matching ${pattern}`);
  }

  /** Sends a signal (SIGTERM by default). */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.child.kill(signal);
  }

  private until<T>(probe: () => T | undefined, what: string): Promise<T> {
    return new Promise<T>((done, fail) => {
      const check = () => {
        const value = probe();
        if (value !== undefined) {
          this.waiters.delete(check);
          done(value);
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          this.waiters.delete(check);
          fail(new Error(`process ended before ${what}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr.slice(-3000)}`));
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Spawns `node dist/cli/main.js ...args` with pipes (not a TTY: logs are pino JSON on stderr). */
export function startCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? tmpdir(), ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  else child.stdin?.end();
  return new CliProcess(child);
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).exited;
}

/** Polls `probe` every `everyMs` until it returns true (a condition on the fake's store, not a sleep). */
export async function waitFor(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A port nothing listens on (bound, then closed). */
export function closedPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/** Where the fake Oro is and the credentials the config should carry. */
export interface OroEndpoint {
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
}

/** The environment variable the workspace configs read the client secret from. */
export const SECRET_ENV = 'ORO_E2E_SECRET';

/** A temporary directory holding configs, sources, the state store and dead letters. */
export interface Workspace {
  readonly dir: string;
  path(name: string): string;
  write(name: string, content: string): string;
  /** Writes records as NDJSON (one per line, trailing newline). */
  writeNdjson(name: string, records: readonly unknown[]): string;
  /** Appends records as NDJSON lines. */
  appendNdjson(name: string, records: readonly unknown[]): void;
  /**
   * Writes `<name>.json`: a customers config (lookup by `id` -> `externalId`, NDJSON source
   * `source.ndjson`, state `state.db`, dead letters `dead-letters.ndjson`, secret from
   * `${ORO_E2E_SECRET}`), with `overrides` merged per top-level section.
   */
  config(name: string, oro: OroEndpoint, overrides?: Record<string, unknown>): string;
  /** The dead-letter file's lines, parsed (none when the file does not exist). */
  deadLetters(): Record<string, unknown>[];
  cleanup(): void;
}

export function workspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'oro-sync-e2e-'));
  const path = (name: string) => join(dir, name);
  const ndjson = (records: readonly unknown[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');
  return {
    dir,
    path,
    write(name, content) {
      writeFileSync(path(name), content);
      return path(name);
    },
    writeNdjson(name, records) {
      writeFileSync(path(name), ndjson(records));
      return path(name);
    },
    appendNdjson(name, records) {
      writeFileSync(path(name), ndjson(records), { flag: 'a' });
    },
    config(name, oro, overrides = {}) {
      const base: Record<string, Record<string, unknown>> = {
        oro: { baseUrl: oro.baseUrl, tokenUrl: oro.tokenUrl, clientId: oro.clientId, clientSecret: `\${${SECRET_ENV}}` },
        source: { kind: 'ndjson', path: 'source.ndjson' },
        target: {
          type: 'customers',
          mode: 'single',
          strategy: 'lookup',
          key: { source: 'id', oro: 'externalId' },
          attributes: { name: 'name', externalId: 'id' },
          relationships: { group: { type: 'customergroups', source: 'groupId' } },
        },
        pipeline: { batchSize: 50, batchMs: 20, concurrency: 8, retries: 2, retryBaseMs: 10, retryMaxMs: 100, requestTimeoutMs: 5000 },
        state: { path: 'state.db' },
        deadLetter: { path: 'dead-letters.ndjson' },
      };
      const merged: Record<string, unknown> = { ...base };
      for (const [section, value] of Object.entries(overrides)) {
        const current = base[section];
        merged[section] = current && value && typeof value === 'object' && !Array.isArray(value) ? { ...current, ...value } : value;
      }
      // 0600: a config readable by others earns a warning, which would clutter stderr assertions.
      writeFileSync(path(`${name}.json`), JSON.stringify(merged, null, 2), { mode: 0o600 });
      return path(`${name}.json`);
    },
    deadLetters() {
      const file = path('dead-letters.ndjson');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The `done: ...` summary lines of a run's stdout, parsed. */
export function summaries(stdout: string): Array<{ created: number; updated: number; unchanged: number; skipped: number; rejected: number; failed: number }> {
  const out = [];
  for (const match of stdout.matchAll(/done: created (\d+), updated (\d+), unchanged (\d+), skipped (\d+), rejected (\d+), failed (\d+)(?:, deleted \d+)? in /g)) {
    const [, created, updated, unchanged, skipped, rejected, failed] = match.map(Number);
    out.push({ created: created!, updated: updated!, unchanged: unchanged!, skipped: skipped!, rejected: rejected!, failed: failed! });
  }
  return out;
}

/** What an e2e test against an in-process fake Oro works with. */
export interface FakeOroWorkspace {
  readonly oro: FakeOro;
  readonly ws: Workspace;
  /** The environment that carries the fake's client secret to the CLI child. */
  readonly env: Record<string, string>;
}

/**
 * Registers the hooks most e2e suites share: the CLI built once, and for each test a fresh fake
 * Oro and workspace (closed and removed afterwards). `prepare` runs after they exist.
 */
export function useFakeOroWorkspace(options: FakeOroOptions = {}, prepare?: (t: FakeOroWorkspace) => void): FakeOroWorkspace {
  const t = {} as { oro: FakeOro; ws: Workspace; env: Record<string, string> };
  before(function () {
    // The first e2e file compiles src: on a loaded machine that outlasts a test's timeout.
    this.timeout(300_000);
    return ensureBuilt();
  });
  beforeEach(async () => {
    t.oro = await startFakeOro(options);
    t.env = { [SECRET_ENV]: t.oro.clientSecret };
    t.ws = workspace();
    prepare?.(t);
  });
  afterEach(async () => {
    await t.oro.close();
    t.ws.cleanup();
  });
  return t;
}
