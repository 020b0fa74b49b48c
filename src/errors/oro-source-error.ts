import type { ErrorDetail } from '../types/outcome.js';
import { OroSyncError } from './oro-sync-error.js';

/**
 * The Oro source (`source.kind: "oro"`) cannot read its type as configured: Oro refused a filter,
 * the sort, an include or the page size (its title, detail and parameter are kept), a record came
 * without `updatedAt`, or Oro ignored the keyset's filters. The message names the config path to
 * change (`source.filter.customer`, `source.type`, ...) and what to change. Fatal: the run stops.
 *
 * @example
 * ```ts
 * try {
 *   for await (const record of oroSource(client, { type: 'orders', filter: { colour: 'red' } })) handle(record);
 * } catch (error) {
 *   if (error instanceof OroSourceError) console.log(error.path, error.errors[0]?.parameter);   // source.filter.colour filter[colour]
 * }
 * ```
 */
export class OroSourceError extends OroSyncError {
  readonly errorClass = 'fatal' as const;

  constructor(
    /** The config path to change, e.g. `source.filter.customer`. */
    readonly path: string,
    /** What is wrong and what to change, in one sentence. */
    readonly problem: string,
    /** Oro's own errors, when Oro refused the request. */
    readonly errors: readonly ErrorDetail[] = [],
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${problem}`, options);
  }

  override toDetails(): ErrorDetail[] {
    return this.errors.length > 0 ? [...this.errors] : [{ title: 'oro source', detail: this.message }];
  }
}
