import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors/config-error.js';
import type { Transform } from '../operators/map.js';
import type { SinkTransform } from '../sink/delivery.js';

/**
 * Loads `target.transform`: a JS module (path already resolved against the config file) whose
 * default export maps one source record; one that declares a second parameter,
 * `(record, { existing })`, is told Oro's record for the key.
 */
export async function loadTransform(path: string): Promise<Transform> {
  return (await defaultFunction(path, 'target.transform')) as Transform;
}

/**
 * Loads `sink.transform`: a JS module whose default export maps one record out of Oro to what
 * its sink is sent (any JSON value; `null` skips the record).
 */
export async function loadSinkTransform(path: string): Promise<SinkTransform> {
  return (await defaultFunction(path, 'sink.transform')) as SinkTransform;
}

/** The module's default export, a function; the errors name `setting`, the module and why. */
async function defaultFunction(path: string, setting: string): Promise<(...args: never[]) => unknown> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    throw new ConfigError([`${setting}: cannot load ${path}: ${error instanceof Error ? error.message : String(error)}`]);
  }
  if (typeof module.default !== 'function') {
    throw new ConfigError([`${setting}: expected ${path} to export a default function, got ${typeof module.default}`]);
  }
  return module.default as (...args: never[]) => unknown;
}
