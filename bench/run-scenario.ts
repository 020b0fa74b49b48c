/**
 * One measured scenario: a fresh fake Oro process, a fresh work directory, the client in a fresh
 * process (`scenario-child.ts`), then what the fake holds.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeOroOptions } from '../src/testing/index.js';
import { startFakeOroProcess, type FakeOroStats } from './fake-oro-process.js';
import type { ScenarioKind, ScenarioResult } from './scenarios/types.js';

const CHILD = fileURLToPath(new URL('./scenario-child.ts', import.meta.url));

export interface ScenarioRun {
  readonly kind: ScenarioKind;
  readonly file: string;
  readonly limit?: number;
  readonly concurrency: number;
  readonly batchSize: number;
  readonly fake: Omit<FakeOroOptions, 'now'>;
  /** Write a `.cpuprofile` of the client into this directory (`node --cpu-prof`). */
  readonly cpuProfDir?: string;
}

export interface Measured {
  readonly client: ScenarioResult;
  readonly oro: FakeOroStats;
}

export async function runScenario(run: ScenarioRun): Promise<Measured> {
  const fake = await startFakeOroProcess(run.fake);
  const workDir = await mkdtemp(join(tmpdir(), `oro-sync-bench-${run.kind}-`));
  try {
    const params = {
      kind: run.kind,
      oro: { baseUrl: fake.baseUrl, tokenUrl: fake.tokenUrl, clientId: fake.clientId, clientSecret: fake.clientSecret },
      file: run.file,
      ...(run.limit !== undefined ? { limit: run.limit } : {}),
      concurrency: run.concurrency,
      batchSize: run.batchSize,
      workDir,
    };
    const execArgv = ['--import', 'tsx', ...(run.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${run.cpuProfDir}`] : [])];
    const client = await new Promise<ScenarioResult>((resolve, reject) => {
      const child = spawn(process.execPath, [...execArgv, CHILD, JSON.stringify(params)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => (out += chunk));
      child.on('error', reject);
      child.on('exit', (code) => {
        const last = out.trim().split('\n').pop() ?? '';
        if (code !== 0) reject(new Error(`scenario ${run.kind} exited with ${code}: ${out.slice(-500)}`));
        else {
          try {
            resolve(JSON.parse(last) as ScenarioResult);
          } catch {
            reject(new Error(`scenario ${run.kind}: no result line in its output: ${out.slice(-500)}`));
          }
        }
      });
    });
    return { client, oro: await fake.stats() };
  } finally {
    await fake.close();
    await rm(workDir, { recursive: true, force: true });
  }
}
