import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AnyConfig, Config, SinkConfig } from '../config/config-types.js';
import { canonicalJson } from '../sink/digest.js';
import type { StateStore } from '../state/state-store.js';

/**
 * What the pipeline's digests depend on besides the records: the config's `target` (but
 * `onMissing`) and the
 * content of its `transform` module (not its path: a moved config maps the same way). A change
 * of either means stored digests say nothing about what would be sent now.
 */
export async function mappingFingerprint(target: Config['target']): Promise<string> {
  // `onMissing` says what happens to keys a run does not read, not what a record is sent as:
  // turning it on must not send every record once again (its own marks carry its settings).
  const { transform, onMissing: _onMissing, ...rest } = target;
  // An unreadable module fails when it is loaded, with a message naming it; here it only counts as "changed".
  const code = transform === undefined ? null : await readFile(transform, 'utf8').catch(() => `unreadable ${transform}`);
  return createHash('sha256').update(canonicalJson({ target: rest, transform: code })).digest('hex');
}

/**
 * What the digests of a run out of Oro depend on besides the records: where the sink delivers
 * (the file, the endpoint and its method, the broker's host and the queue) and the content of its
 * `transform` module. Not its headers (a rotated token is the same endpoint), nor how many
 * records go per request.
 */
export async function sinkFingerprint(sink: SinkConfig): Promise<string> {
  const where = sink.kind === 'ndjson' ? sink.path
    : sink.kind === 'http' ? `${sink.method} ${sink.url}`
      : `${hostOf(sink.url)} ${sink.queue}`;
  const code = sink.transform === undefined ? null : await readFile(sink.transform, 'utf8').catch(() => `unreadable ${sink.transform}`);
  return createHash('sha256').update(canonicalJson({ sink: { kind: sink.kind, where }, transform: code })).digest('hex');
}

/** A broker's host and virtual host, without its credentials (a changed password is the same queue). */
function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return url;
  }
}

/** The mapping a run maps with, and the one the pipeline's stored digests were made with. */
export interface MappingState {
  readonly fingerprint: string;
  /** `undefined` before the pipeline's first run (or after `--forget-state`). */
  readonly before: string | undefined;
}

/**
 * The config's mapping fingerprint (its sink's, for a run out of Oro) and the stored one, read
 * once at the start of a run: where the run reads from (a changed mapping reads the source
 * whole) and which digests it trusts both depend on it.
 *
 * @example
 * ```ts
 * const mapping = await readMapping(config, store);
 * if (mappingChanged(mapping)) logger.info('the mapping changed');
 * ```
 */
export async function readMapping(config: AnyConfig, store: Pick<StateStore, 'mappingFingerprint'>): Promise<MappingState> {
  const fingerprint = 'sink' in config ? sinkFingerprint(config.sink) : mappingFingerprint(config.target);
  const [mine, before] = await Promise.all([fingerprint, store.mappingFingerprint(config.name)]);
  return { fingerprint: mine, before };
}

/** Whether the pipeline has digests of another mapping than this run's (not on its first run). */
export function mappingChanged(mapping: MappingState): boolean {
  return mapping.before !== undefined && mapping.before !== mapping.fingerprint;
}
