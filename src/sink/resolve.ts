import { decide, type Decision, type Pending } from './decide.js';
import { lookupByKeys, type Existing } from './lookup.js';
import type { SinkContext } from './context.js';

/**
 * Decides what to do with each record of a round: reads what Oro holds for their keys (from the
 * id cache when it knows them, else one filtered read per 100 keys) unless nothing needs reading
 * (upsert in single mode lets Oro decide).
 *
 * `fresh` skips the cache: used after an uncertain failure and after a 404 on a cached id.
 * Runs inside a request unit: the caller throttles and retries it.
 */
export async function resolve(ctx: SinkContext, pendings: readonly Pending[], fresh = false): Promise<Decision[]> {
  const { target } = ctx;
  const needsRead = ctx.dryRun || target.strategy !== 'upsert' || target.conflict === 'skip-if-target-newer' || target.mode !== 'single';
  if (!needsRead) return pendings.map((p) => decide(target, p, undefined));

  const keys = pendings.map((p) => p.mapped.key);
  // Conflict checks need Oro's updatedAt, which the cache does not hold.
  const useCache = !fresh && target.conflict !== 'skip-if-target-newer';
  const cached = useCache ? await ctx.ids.get(keys) : new Map<string, string>();
  const toRead = keys.filter((k) => !cached.has(k));
  const read = toRead.length > 0 ? await lookupByKeys(ctx.client, target.type, target.key.oro, toRead, { withUpdatedAt: target.conflict === 'skip-if-target-newer' }) : new Map<string, Existing[]>();
  if (read.size > 0) {
    void ctx.ids.put([...read].flatMap(([key, found]) => (found.length === 1 && found[0] ? [[key, found[0].id] as const] : [])));
  }
  return pendings.map((p) => {
    const id = cached.get(p.mapped.key);
    const existing = id !== undefined ? [{ id }] : (read.get(p.mapped.key) ?? []);
    return decide(target, p, existing);
  });
}

/** Whether a decision must be taken again before a retry after an uncertain failure. */
export function mayHaveHappened(ctx: SinkContext, decision: Decision): boolean {
  return decision.action === 'create' && ctx.target.strategy !== 'upsert';
}
