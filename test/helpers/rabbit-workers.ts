/**
 * Running the real CLI (`node dist/cli/main.js`) as child processes against a fake Oro and
 * RabbitMQ: configs in a temp dir, the client secret passed through `${ORO_CLIENT_SECRET}`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { openAdmin, RABBIT_URL, uniqueQueue, type RabbitAdmin } from './rabbit.js';

export const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');

/** A temp dir for configs, state and dead letters; `cleanup()` removes it. */
export function workDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'oro-sync-queue-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ConfigParts {
  readonly oro: FakeOro;
  readonly queue: string;
  /** Per-process files (state, dead letters) go under `<dir>/<name>/`. */
  readonly name: string;
  readonly source?: Record<string, unknown>;
  readonly pipeline?: Record<string, unknown>;
  readonly idleExitSeconds?: number;
  readonly prefetch?: number;
  /** Oro as this process reaches it (default the fake's own URLs; a proxy's, to slow it down). */
  readonly oroUrls?: { readonly baseUrl: string; readonly tokenUrl: string };
  /** The broker as this process reaches it (default `RABBIT_URL`; a proxy's port to cut it off). */
  readonly rabbitUrl?: string;
  /** Default: a SQLite file of its own, `<dir>/<name>/state.db`. */
  readonly state?: Record<string, unknown>;
  /** Default `batch-sync` (few requests: the tests are about the queue, not the write mode). */
  readonly mode?: 'single' | 'batch' | 'batch-sync';
}

/** Writes a customers config (lookup by externalId, single mode) and returns its path. */
export function writeConfig(dir: string, parts: ConfigParts): string {
  const own = join(dir, parts.name);
  mkdirSync(own, { recursive: true });
  const config = {
    oro: { baseUrl: parts.oroUrls?.baseUrl ?? parts.oro.baseUrl, tokenUrl: parts.oroUrls?.tokenUrl ?? parts.oro.tokenUrl, clientId: parts.oro.clientId, clientSecret: '${ORO_CLIENT_SECRET}' },
    source: parts.source ?? {
      kind: 'amqp',
      url: parts.rabbitUrl ?? RABBIT_URL,
      queue: parts.queue,
      prefetch: parts.prefetch ?? 100,
      idleExitSeconds: parts.idleExitSeconds ?? 1,
    },
    target: {
      type: 'customers',
      mode: parts.mode ?? 'batch-sync',
      strategy: 'lookup',
      key: { source: 'id', oro: 'externalId' },
      attributes: { name: 'name', externalId: 'id' },
    },
    pipeline: { batchSize: 50, batchMs: 20, concurrency: 8, retries: 6, retryBaseMs: 20, retryMaxMs: 500, ...(parts.pipeline ?? {}) },
    state: parts.state ?? { path: join(own, 'state.db') },
    deadLetter: { path: join(own, 'dead-letters.ndjson') },
    publish: { url: RABBIT_URL, queue: parts.queue },
  };
  const path = join(own, 'config.json');
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return path;
}

export interface Exited {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Cli {
  readonly child: ChildProcess;
  readonly exited: Promise<Exited>;
}

/** `node dist/cli/main.js <args>` with the fake Oro's secret in `ORO_CLIENT_SECRET`. */
export function cli(args: readonly string[], oro: FakeOro): Cli {
  const child = spawn(process.execPath, [CLI, '--log-level', 'warn', ...args], {
    env: { ...process.env, ORO_CLIENT_SECRET: oro.clientSecret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exited>((done) => child.on('close', (code, signal) => done({ code, signal, stdout, stderr })));
  return { child, exited };
}

/** Writes `records` as NDJSON and returns the path. */
export function writeNdjson(dir: string, name: string, records: readonly unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

/** Polls `predicate` every 100 ms until it holds (at most `timeoutMs`). */
export async function until(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What {@link usePublishWorkspace} sets up for each test. */
export interface PublishWorkspace {
  readonly admin: RabbitAdmin;
  readonly oro: FakeOro;
  /** A queue of this test's own (its topology deleted after it). */
  readonly queue: string;
  readonly work: ReturnType<typeof workDir>;
  /** A config publishing the NDJSON file at `path` to `queue` (files under `<dir>/publisher/`). */
  configFor(path: string): string;
}

/**
 * Registers, in the calling `describe`, a fresh broker admin, fake Oro (its secret in
 * `ORO_CLIENT_SECRET`), queue and work dir per test, all released after it.
 */
export function usePublishWorkspace(): PublishWorkspace {
  const t = {} as { admin: RabbitAdmin; oro: FakeOro; queue: string; work: ReturnType<typeof workDir> };
  beforeEach(async () => {
    t.admin = await openAdmin();
    t.oro = await startFakeOro();
    t.queue = uniqueQueue('publish');
    t.work = workDir();
    process.env['ORO_CLIENT_SECRET'] = t.oro.clientSecret;
  });
  afterEach(async () => {
    await t.admin.deleteTopology(t.queue);
    await t.admin.close();
    await t.oro.close();
    t.work.cleanup();
    delete process.env['ORO_CLIENT_SECRET'];
  });
  return Object.assign(t, {
    configFor: (path: string) => writeConfig(t.work.dir, { oro: t.oro, queue: t.queue, name: 'publisher', source: { kind: 'ndjson', path } }),
  });
}
