import { ConfigError } from '../errors/config-error.js';
import { HttpError } from '../errors/http-error.js';
import type { SinkContext } from './context.js';

/**
 * A 405 to the collection PATCH means the Batch API is off for the type (`update_list` not
 * enabled): no record can be written this way, so it is the configuration that is wrong, and the
 * run stops saying what to change instead of rejecting every record.
 */
export function throwIfBatchDisabled(ctx: SinkContext, error: unknown): void {
  if (!(error instanceof HttpError) || error.status !== 405 || error.method !== 'PATCH') return;
  throw new ConfigError([
    `target.mode: "${ctx.target.mode}" needs Oro's Batch API, but ${error.method} ${error.url} answered 405: ` +
      `it is disabled for ${ctx.target.type}; use "single", or enable the Batch API for ${ctx.target.type} in Oro ` +
      '(`oro-sync check` tells which)',
  ]);
}
