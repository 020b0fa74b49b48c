import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors/config-error.js';
import type { Transform } from '../operators/map.js';

/**
 * Loads `target.transform`: a JS module (path already resolved against the config file) whose
 * default export maps one source record; one that declares a second parameter,
 * `(record, { existing })`, is told Oro's record for the key.
 */
export async function loadTransform(path: string): Promise<Transform> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    throw new ConfigError([`target.transform: cannot load ${path}: ${error instanceof Error ? error.message : String(error)}`]);
  }
  if (typeof module.default !== 'function') {
    throw new ConfigError([`target.transform: expected ${path} to export a default function, got ${typeof module.default}`]);
  }
  return module.default as Transform;
}
