import { decide, type Decision, type Pending } from './decide.js';
import { lookupByKeys, type Existing } from './lookup.js';
import { decideBuilt, readFor } from './built-later.js';
import type { SinkContext } from './context.js';

/**
 * Decides what to do with each record of a round: reads what Oro holds for their keys (from the
 * id cache when it knows them, else one filtered read per 100 keys) unless nothing needs reading
 * (upsert in single mode lets Oro decide).
 *
 * `fresh` skips the cache: used after an uncertain failure, after a 404 on a cached id, and for
 * the keys {@link decideFromCache} did not know. Runs inside a request unit: the caller throttles
 * and retries it.
 */
export async function resolve(ctx: SinkContext, pendings: readonly Pending[], fresh = false): Promise<Decision[]> {
  const { target } = ctx;
  // A record built from Oro's copy (`later`) is always read: its document depends on it.
  const whole = readFor(pendings);
  if (!needsRead(ctx) && whole === undefined) return pendings.map((p) => decide(target, p, undefined));

  const cached = fresh ? undefined : await decideFromCache(ctx, pendings);
  const toRead = pendings.filter((_, i) => cached?.[i] === undefined);
  const keys = toRead.map((p) => p.mapped.key);
  const options = { withUpdatedAt: target.conflict === 'skip-if-target-newer', ...(whole ? { read: whole } : {}) };
  const read = keys.length > 0 ? await lookupByKeys(ctx.client, target.type, target.key.oro, keys, options) : new Map<string, Existing[]>();
  if (read.size > 0) {
    void ctx.ids.put([...read].flatMap(([key, found]) => (found.length === 1 && found[0] ? [[key, found[0].id] as const] : [])));
  }
  return pendings.map((p, i) => cached?.[i] ?? decideBuilt(target, p, read.get(p.mapped.key) ?? []));
}

/**
 * What can be decided for each record without asking Oro: every record when nothing needs
 * reading, else those whose id the cache knows (`undefined` for the others). It makes no request,
 * so it runs outside the limiter: a round whose ids are all cached takes no slot to decide.
 */
export async function decideFromCache(ctx: SinkContext, pendings: readonly Pending[]): Promise<(Decision | undefined)[]> {
  const { target } = ctx;
  // A record built from Oro's copy (`later`) needs that copy, which the cache does not hold.
  if (!needsRead(ctx)) return pendings.map((p) => (p.mapped.later ? undefined : decide(target, p, undefined)));
  // Conflict checks need Oro's updatedAt, which the cache does not hold.
  if (target.conflict === 'skip-if-target-newer' || pendings.length === 0) return pendings.map(() => undefined);
  const cached = await ctx.ids.get(pendings.filter((p) => !p.mapped.later).map((p) => p.mapped.key));
  return pendings.map((p) => {
    const id = p.mapped.later ? undefined : cached.get(p.mapped.key);
    return id === undefined ? undefined : decide(target, p, [{ id }]);
  });
}

/** Whether deciding needs Oro's answer (or the id cache): not for an upsert Oro decides alone. */
function needsRead(ctx: SinkContext): boolean {
  const { target } = ctx;
  return ctx.dryRun || target.strategy !== 'upsert' || target.conflict === 'skip-if-target-newer' || target.mode !== 'single';
}

/** Whether a decision must be taken again before a retry after an uncertain failure. */
export function mayHaveHappened(ctx: SinkContext, decision: Decision): boolean {
  return decision.action === 'create' && ctx.target.strategy !== 'upsert';
}
