/**
 * Runs one scenario in a fresh process (`node --import tsx bench/scenario-child.ts '<json>'`) so
 * that its CPU time and peak RSS are its own, then prints one JSON line: a `ScenarioResult`.
 * The fake Oro runs in yet another process.
 */
import { runBaseline } from './scenarios/baseline.js';
import { runHandWritten } from './scenarios/hand-written.js';
import { runHandWrittenBatch } from './scenarios/hand-written-batch.js';
import { runOroSync } from './scenarios/oro-sync.js';
import type { ScenarioCounts, ScenarioParams, ScenarioResult } from './scenarios/types.js';

const params = JSON.parse(process.argv[2] ?? '{}') as ScenarioParams;
let grants = 0;
const onGrant = () => void grants++;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let counts: ScenarioCounts;
switch (params.kind) {
  case 'baseline':
    counts = await runBaseline(params, onGrant);
    break;
  case 'hand-written':
    counts = await runHandWritten(params, onGrant);
    break;
  case 'hand-written-batch':
    counts = await runHandWrittenBatch(params, onGrant);
    break;
  default: {
    const { grants: g, ...r } = await runOroSync({ ...params, kind: params.kind });
    grants = g;
    counts = r;
  }
}
const elapsedMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const result: ScenarioResult = {
  kind: params.kind,
  ...counts,
  elapsedMs,
  cpuMs: (cpu.user + cpu.system) / 1000,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
  clientTokenGrants: grants,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
