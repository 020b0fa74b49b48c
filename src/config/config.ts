/**
 * Loading the config file: read, parse (syntax errors with line:column), substitute `${ENV}`,
 * decode with defaults, resolve relative paths against the file's directory, and warn about
 * literal secrets. Every problem is reported at once in one `ConfigError`.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { ConfigError } from '../errors/config-error.js';
import { type DecodedConfig, decodeConfig } from './config-codec.js';
import type { AnyConfig, Config, SourceConfig } from './config-types.js';
import { configWarnings } from './config-warnings.js';
import { substituteEnv } from './env.js';
import { parseJsonFile } from './json-location.js';

export type * from './config-types.js';
export { redactConfig, REDACTED } from './redact-config.js';
export { decodeConfig, BATCH_SYNC_MAX, type DecodedConfig } from './config-codec.js';

/** A loaded config and the warnings to show the user (never containing a secret). */
export interface LoadedConfig<C extends AnyConfig = Config> {
  readonly config: C;
  readonly warnings: string[];
}

/** Make every file path in the config absolute, relative ones against `dir`. */
export function resolvePaths(config: DecodedConfig, dir: string, name: string): AnyConfig {
  const source: SourceConfig = 'path' in config.source
    ? { ...config.source, path: resolve(dir, config.source.path) }
    : config.source;
  const common = {
    ...config,
    name,
    source,
    state: config.state.url !== undefined ? { url: config.state.url } : { path: resolve(dir, config.state.path) },
    deadLetter: { path: resolve(dir, config.deadLetter.path) },
  };
  if ('sink' in config) {
    const { sink } = config;
    return {
      ...common,
      sink: {
        ...sink,
        ...(sink.kind === 'ndjson' ? { path: resolve(dir, sink.path) } : {}),
        ...(sink.transform !== undefined ? { transform: resolve(dir, sink.transform) } : {}),
      },
    };
  }
  const { target } = config;
  return { ...common, target: target.transform === undefined ? target : { ...target, transform: resolve(dir, target.transform) } };
}

/**
 * Read and check a config file of either kind: records into Oro (`target`) or out of it (`sink`).
 *
 * @param file path of the JSON config file
 * @param env where `${NAME}` references are looked up (default: `process.env`)
 * @returns the config with defaults applied and paths absolute, plus warnings; `'sink' in config`
 *   tells a run out of Oro
 * @throws ConfigError listing every problem (`pipeline.concurrency: expected positive integer or "auto", got -1`),
 *   or naming the file and line:column of a JSON syntax error, or why the file cannot be read
 *
 * @example
 * const { config, warnings } = await loadAnyConfig('orders-to-erp.json');
 * for (const w of warnings) logger.warn(w);
 * console.log('sink' in config ? `out of Oro into ${config.sink.kind}` : `into Oro's ${config.target.type}`);
 */
export async function loadAnyConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig<AnyConfig>> {
  let text: string;
  let mode: number;
  try {
    [text, mode] = await Promise.all([readFile(file, 'utf8'), stat(file).then((s) => s.mode)]);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    throw new ConfigError([`cannot read the config file (${reason})`], file);
  }
  const raw = parseJsonFile(text, file);
  const substituted = substituteEnv(raw, env);
  const envProblems = substituted.problems.map((p) => `${p.path}: ${p.message}`);
  const envPaths = new Set(substituted.problems.map((p) => p.path));
  const decoded = decodeConfig(substituted.value);
  if ('problems' in decoded || envProblems.length > 0) {
    // A value that still holds an unresolved `${NAME}` would also fail its codec (`expected
    // absolute http(s) URL, got "${BASE_URL}"`): the env problem alone says what to fix.
    const codecProblems = 'problems' in decoded
      ? decoded.problems.filter((p) => ![...envPaths].some((path) => p.startsWith(`${path}: `)))
      : [];
    throw new ConfigError([...envProblems, ...codecProblems], file);
  }
  const name = decoded.config.name ?? basename(file, extname(file));
  return {
    config: resolvePaths(decoded.config, dirname(resolve(file)), name),
    warnings: configWarnings(raw, file, mode),
  };
}

/**
 * Read and check a config file that writes records into Oro (its `target`): {@link loadAnyConfig}
 * for the code that runs syncs into Oro only.
 *
 * @throws ConfigError as `loadAnyConfig` does, and when the file has a `sink` instead of a `target`
 *
 * @example
 * const { config, warnings } = await loadConfig('customers.json');
 * for (const w of warnings) logger.warn(w);
 */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const { config, warnings } = await loadAnyConfig(file, env);
  if ('sink' in config) {
    throw new ConfigError([`sink: expected target settings (this code writes records into Oro), got a sink of kind "${config.sink.kind}": load it with loadAnyConfig`], file);
  }
  return { config, warnings };
}
