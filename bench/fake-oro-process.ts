/**
 * Starts `bench/fake-oro-child.ts` in a child process and talks to it over IPC.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FakeOroOptions } from '../src/testing/index.js';
import type { CapacityOptions } from '../src/testing/index.js';
import type { CapacityReport, ChildMessage, FakeOroStats } from './fake-oro-child.js';

export type { CapacityReport, FakeOroStats };

export interface FakeOroProcess {
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly pid: number;
  /** What the fake holds and has seen so far. */
  stats(): Promise<FakeOroStats>;
  /** Its capacity's counters, and requests in Oro over time. */
  capacity(): Promise<CapacityReport>;
  /** Changes its capacity from now on (`FakeOro.setCapacity`). */
  setCapacity(capacity: CapacityOptions): void;
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./fake-oro-child.ts', import.meta.url));

/** A fresh fake Oro in its own process (`FakeOroOptions` minus `now`, which cannot cross IPC). */
export async function startFakeOroProcess(options: Omit<FakeOroOptions, 'now'> = {}): Promise<FakeOroProcess> {
  const child: ChildProcess = fork(CHILD, [JSON.stringify(options)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<Extract<ChildMessage, { kind: 'ready' }>>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`fake Oro child exited with ${code} before it was ready`));
    child.once('exit', onExit);
    child.once('message', (m: ChildMessage) => {
      child.off('exit', onExit);
      if (m.kind === 'ready') resolve(m);
      else reject(new Error(`fake Oro child: unexpected first message ${JSON.stringify(m)}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    baseUrl: ready.baseUrl,
    tokenUrl: ready.tokenUrl,
    clientId: ready.clientId,
    clientSecret: ready.clientSecret,
    pid: child.pid ?? -1,
    stats: () =>
      new Promise<FakeOroStats>((resolve) => {
        const onMessage = (m: ChildMessage) => {
          if (m.kind !== 'stats') return;
          child.off('message', onMessage);
          resolve(m.stats);
        };
        child.on('message', onMessage);
        child.send({ kind: 'stats' });
      }),
    capacity: () =>
      new Promise<CapacityReport>((resolve) => {
        const onMessage = (m: ChildMessage) => {
          if (m.kind !== 'capacity') return;
          child.off('message', onMessage);
          resolve(m.report);
        };
        child.on('message', onMessage);
        child.send({ kind: 'capacity' });
      }),
    setCapacity: (capacity) => void child.send({ kind: 'set-capacity', capacity }),
    close: async () => {
      if (child.exitCode === null && child.connected) child.send({ kind: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
