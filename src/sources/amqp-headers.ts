/**
 * The header that carries Oro's reasons on a dead-lettered message.
 */
import { redactSecrets } from '../util/redact.js';
import type { ErrorDetail } from '../types/outcome.js';

/** Header of a `Q.dead` message: JSON array of `{status, title, detail, pointer}` (a dead letter's `errors`). */
export const ERRORS_HEADER = 'x-oro-sync-errors';

/**
 * Headers are limited (amqplib refuses tables over 64 KiB; brokers have their own frame limits):
 * past this many characters the list is cut and a last entry says how many were left out.
 */
export const MAX_ERRORS_HEADER_CHARS = 16_000;

/**
 * The `x-oro-sync-errors` value for `errors`: JSON of the dead-letter shape (status, title,
 * detail, pointer), secrets scrubbed, at most {@link MAX_ERRORS_HEADER_CHARS} characters.
 *
 * @example
 * errorsHeader([{ status: '400', title: 'not blank constraint', detail: 'This value should not be blank.', pointer: '/data/attributes/name' }]);
 * // '[{"status":"400","title":"not blank constraint","detail":"This value should not be blank.","pointer":"/data/attributes/name"}]'
 */
export function errorsHeader(errors: readonly ErrorDetail[]): string {
  const shaped = redactSecrets(
    errors.map((e) => ({
      ...(e.status !== undefined ? { status: e.status } : {}),
      title: e.title,
      ...(e.detail !== undefined ? { detail: e.detail } : {}),
      ...(e.pointer !== undefined ? { pointer: e.pointer } : {}),
    })),
  );
  const full = JSON.stringify(shaped);
  if (full.length <= MAX_ERRORS_HEADER_CHARS) return full;
  const kept: typeof shaped = [];
  for (const e of shaped) {
    const cut = { title: `${shaped.length - kept.length} more error(s) left out (header size limit)` };
    const next = [...kept, { ...e, detail: e.detail?.slice(0, 1000) }];
    if (JSON.stringify([...next, cut]).length > MAX_ERRORS_HEADER_CHARS) return JSON.stringify([...kept, cut]);
    kept.push(next[next.length - 1]!);
  }
  return JSON.stringify(kept);
}
