import type { Config } from '../config/config-types.js';
import { HttpError } from '../errors/http-error.js';
import type { OroClient } from '../oro/types.js';
import { NO_UPSERT, targetRefusal, upsertNotAllowed } from '../sink/target-refused.js';

/** What one probe found, as `oro-sync check` prints it: `${check}: ${text}`. */
export interface ProbeFinding {
  readonly check: 'target' | 'batch api' | 'lookup';
  readonly text: string;
}

/** What {@link probeTarget} found. */
export interface TargetProbe {
  /** One line per thing a run would stop on; empty when the target is usable. */
  readonly problems: readonly string[];
  /** Oro has the type (OPTIONS did not answer 404): further reads of it can be tried. */
  readonly known: boolean;
  /** Oro has the key field (a read may ask for it in `fields[...]`). */
  readonly keyField: boolean;
}

/** Calls one request of a probe (the run retries transient failures; `check` asks once). */
export type ProbeCall = <T>(request: () => Promise<T>) => Promise<T>;

const once: ProbeCall = (request) => request();

/**
 * Probes the target a config writes to, as `oro-sync check` and every run before it writes
 * (the first run of a pipeline, and the first after its mapping changed) do, so that both refuse
 * the same things with the same lines:
 * - `OPTIONS {base}/{type}`: an unknown type (404) is a problem, and so is a Batch API that is
 *   off (`PATCH` not in `Allow`) for `target.mode` "batch" or "batch-sync";
 * - `strategy: "upsert"` on a type a stock Oro refuses upsert for (`NO_UPSERT`);
 * - the key filter (`filter[<key.oro>]`, with the key field in `fields[...]`): refused by Oro
 *   (a field this Oro does not have) is a problem, but for upsert in single mode, which needs no
 *   lookup.
 *
 * Resolves with the problems found (empty: usable), each one line. Other failures (the network,
 * credentials) reject, as they would stop the run.
 *
 * @example
 * ```ts
 * const { problems } = await probeTarget(config, client, ({ check, text }) => console.log(`${check}: ${text}`));
 * for (const problem of problems) console.log(`not usable: ${problem}`);
 * ```
 */
export async function probeTarget(config: Config, client: OroClient, onFinding: (finding: ProbeFinding) => void = () => undefined, call: ProbeCall = once): Promise<TargetProbe> {
  const problems: string[] = [];
  const { type, mode, strategy } = config.target;
  let allow: readonly string[];
  let batchEnabled: boolean;
  try {
    ({ allow, batchEnabled } = await call(() => client.options(type)));
  } catch (error) {
    if (!(error instanceof HttpError) || error.status !== 404) throw error;
    const said = error.errors[0];
    const problem = `target.type: Oro at ${config.oro.baseUrl} has no type "${type}" (OPTIONS answered 404${said ? ` "${said.title}${said.detail ? `: ${said.detail}` : ''}"` : ''}); check its spelling (e.g. customers, customergroups)`;
    return { problems: [problem], known: false, keyField: false };
  }
  onFinding({ check: 'target', text: `${config.oro.baseUrl}/${type} answers OPTIONS (Allow: ${allow.join(', ')})` });
  onFinding({ check: 'batch api', text: `${batchEnabled ? 'enabled' : 'disabled'} for ${type}` });
  if (mode !== 'single' && !batchEnabled) {
    problems.push(`target.mode is "${mode}" but the Batch API is disabled for ${type}; use "single" or enable update_list for ${type} in Oro`);
  }
  const why = NO_UPSERT[type];
  if (strategy === 'upsert' && why !== undefined) problems.push(upsertNotAllowed(type, `a stock Oro refuses meta.upsert for ${type}: ${why}`));
  const key = await probeKeyFilter(config, client, onFinding, call);
  if (key.problem !== undefined) problems.push(key.problem);
  return { problems, known: true, keyField: key.field };
}

/** Whether this Oro filters the type by the key field (`problem` absent: it does, or need not). */
async function probeKeyFilter(config: Config, client: OroClient, onFinding: (finding: ProbeFinding) => void, call: ProbeCall): Promise<{ problem?: string; field: boolean }> {
  const { type, key, strategy, mode } = config.target;
  // The key filter first: on an Oro without the key field, asking for it in fields[] fails too.
  try {
    await call(() => client.list(type, { filter: { [key.oro]: ['oro-sync-check'] }, page: { size: 1 }, ...(key.oro === 'id' ? {} : { fields: { [type]: [key.oro] } }) }));
    onFinding({ check: 'lookup', text: `ok (filter[${key.oro}] works)` });
    return { field: true };
  } catch (error) {
    if (!(error instanceof HttpError) || error.errorClass !== 'permanent') throw error;
    const refusal = targetRefusal(config.target, error);
    if (refusal) return { problem: refusal.problems.join('; '), field: false };
    const message = `filter[${key.oro}] is refused by Oro (${error.message})`;
    if (strategy === 'upsert' && mode === 'single') {
      onFinding({ check: 'lookup', text: `${message}; fine for upsert in single mode` });
      return { field: true };
    }
    return { problem: `${message}; target.key.oro must be a filterable field of ${type}`, field: true };
  }
}
