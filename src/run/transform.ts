import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors/config-error.js';
import type { TransformResult } from '../operators/map.js';

/** A user's mapping function: one source record in, one JSON:API resource object out. */
export type Transform = (record: unknown) => TransformResult;

/**
 * Loads `target.transform`: a JS module (path already resolved against the config file) whose
 * default export maps one source record.
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
