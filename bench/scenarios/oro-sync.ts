/**
 * Scenarios (3)-(5): oro-sync through the library, exactly as `oro-sync run --once` runs a config
 * (`loadConfig` from a temp file, `createRuntime`, `runConfig`), in `single`, `batch-sync` or
 * `batch` mode.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { concurrencyBound } from '../../src/config/config-types.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/cli/logger.js';
import { runConfig } from '../../src/run/run-config.js';
import { createRuntime } from '../../src/run/runtime.js';
import { readNdjson } from './read-records.js';
import { configJson, SECRET_ENV } from './config.js';
import type { ScenarioCounts, ScenarioParams } from './types.js';

export async function runOroSync(params: ScenarioParams & { readonly kind: 'single' | 'batch-sync' | 'batch' }): Promise<ScenarioCounts & { grants: number }> {
  let file = params.file;
  if (params.limit !== undefined) {
    // A sample: the first `limit` records in a file of their own.
    const lines: string[] = [];
    for await (const record of readNdjson(params.file, params.limit)) lines.push(JSON.stringify(record));
    file = join(params.workDir, 'sample.ndjson');
    await writeFile(file, `${lines.join('\n')}\n`);
  }
  const path = join(params.workDir, 'bench.json');
  const json = configJson({ oro: params.oro, source: { kind: 'ndjson', path: file }, mode: params.kind, concurrency: params.concurrency, batchSize: params.batchSize, workDir: params.workDir });
  await writeFile(path, JSON.stringify(json, null, 2), { mode: 0o600 });
  const { config } = await loadConfig(path, { ...process.env, [SECRET_ENV]: params.oro.clientSecret });
  const runtime = createRuntime({ logger: createLogger({ level: 'silent', pretty: false }), concurrency: concurrencyBound(config.pipeline), timeoutMs: config.pipeline.requestTimeoutMs });
  try {
    const result = await runConfig(config, runtime, {});
    const { created, updated, skipped, rejected, failed } = result.counts;
    const grants = runtime.credential(config.oro).tokens.grants;
    return { records: created + updated + skipped + rejected + failed, written: created + updated + skipped, rejected, failed, grants };
  } finally {
    await runtime.close();
  }
}
