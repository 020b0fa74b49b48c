import type { OroSource } from '../config/config-types.js';
import type { OroClient } from '../oro/types.js';
import { refusalOf } from '../sources/oro-refusal.js';

/**
 * Probes what an `oro` source asks of Oro, in one list request: `filter[updatedAt][gte]` and
 * `filter[id][gt]` (how it reads what changed, and pages through one second), `sort=updatedAt,id`,
 * its own `filter`, `include` and `pageSize`. Resolves with the problem a run would stop on, in
 * the source's words (the config path to change and Oro's own), or `undefined` when Oro answers;
 * rejects on what is no refusal (an unreachable Oro, a bad token).
 *
 * @example
 * ```ts
 * const problem = await checkOroSource(config.source, client, ({ check, text }) => console.log(`${check}: ${text}`));
 * ```
 */
export async function checkOroSource(
  source: OroSource,
  client: OroClient,
  onFinding: (finding: { readonly check: 'read'; readonly text: string }) => void,
): Promise<string | undefined> {
  const asked = { type: source.type, filter: source.filter ?? {}, include: source.include ?? [], pageSize: source.pageSize };
  try {
    const page = await client.list(source.type, {
      filter: { ...asked.filter, updatedAt: { gte: '1970-01-01T00:00:00Z' }, id: { gt: '0' } },
      sort: 'updatedAt,id',
      page: { size: asked.pageSize },
      ...(asked.include.length > 0 ? { include: asked.include } : {}),
      totalCount: true,
    });
    const including = asked.include.length > 0 ? ` with ${asked.include.join(', ')}` : '';
    onFinding({ check: 'read', text: `ok (${page.total ?? page.data.length} ${source.type}${including}, read by updatedAt, id)` });
    return undefined;
  } catch (error) {
    const refusal = refusalOf(error, asked);
    if (refusal === error) throw error;
    return refusal instanceof Error ? refusal.message : String(refusal);
  }
}
