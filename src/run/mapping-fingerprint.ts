import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Config } from '../config/config-types.js';
import { canonicalJson } from '../sink/digest.js';

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
