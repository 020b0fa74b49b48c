import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { openPgStateStore } from '../../state/pg-state-store.js';
import { openStateStore } from '../../state/sqlite-state-store.js';
import { EXIT_OK, EXIT_SYSTEMIC } from '../exit.js';
import { formatKey, formatStatus, keyReport, statusJson, statusReport } from '../status-report.js';
import { loadConfigs } from './load-configs.js';

export interface StatusCommandOptions {
  /** Report this one key (its Oro id, last outcome, when, errors) instead of the pipeline. */
  readonly key?: string;
  /** One JSON document on stdout instead of lines for a person. */
  readonly json?: boolean;
}

/**
 * `oro-sync status <config.json> [--key K] [--json]`: what the state store knows of the config's
 * pipeline. Reads only; a missing state file is not created. Exits 0 when it reported, 2 when
 * there is nothing to report on (no state store at `state.path`) or the config is unusable.
 */
export async function statusCommand(file: string, options: StatusCommandOptions, logger: Logger, print: (line: string) => void): Promise<number> {
  const [config] = await loadConfigs([file], logger);
  if (!config) return EXIT_SYSTEMIC;
  const { path, url } = config.state;
  if (path !== undefined && !existsSync(path)) {
    // Thrown, so that it is the one `oro-sync: ...` line on stderr and exit 2 (main's `exitWith`).
    throw new Error(`${file}: no state store at ${path} (state.path): pipeline ${config.name} has not run yet, nothing to report`);
  }
  const store = url !== undefined ? await openPgStateStore(url) : openStateStore(path);
  try {
    if (options.key !== undefined) {
      const report = await keyReport(store, config, options.key);
      if (options.json) print(statusJson(report));
      else formatKey(report).forEach((line) => print(line));
    } else {
      const report = await statusReport(store, config);
      if (options.json) print(statusJson(report));
      else formatStatus(report).forEach((line) => print(line));
    }
    return EXIT_OK;
  } finally {
    await store.close();
  }
}
