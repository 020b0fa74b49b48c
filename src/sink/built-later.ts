import type { ExistingRead } from '../types/existing.js';
import { decide, type Decision, type Pending } from './decide.js';
import type { Existing } from './lookup.js';
import type { SinkTarget } from './options.js';

/**
 * {@link decide}, then, for a record whose document is made from Oro's copy
 * (`MappedRecord.later`: a product's names and unit precisions, a transform told `existing`), the
 * document for that decision: built from the record read (update) or from nothing (create,
 * upsert). A problem building it rejects the record. The body travels in the decision, so a
 * decision taken again (after an uncertain failure, or an id Oro no longer has) builds it again.
 */
export function decideBuilt(target: SinkTarget, pending: Pending, existing: readonly Existing[] | undefined): Decision {
  const decision = decide(target, pending, existing);
  const { later, resource } = pending.mapped;
  if (!later || (decision.action !== 'create' && decision.action !== 'update' && decision.action !== 'upsert')) return decision;
  const record = decision.action === 'update' ? existing?.[0]?.record : undefined;
  if (decision.action === 'update' && record === undefined) {
    // Such records are never decided from the id cache: the lookup reads them whole.
    return { action: 'reject', errors: [{ title: 'internal error', detail: `${target.type} ${decision.id} was not read before it was built` }] };
  }
  const body = later.build(resource, record);
  return 'problem' in body ? { action: 'reject', errors: [body.problem] } : { ...decision, body };
}

/** How the lookup reads the records of `pendings` that are built from Oro's copy (none: `undefined`). */
export function readFor(pendings: readonly Pending[]): ExistingRead | undefined {
  for (const pending of pendings) if (pending.mapped.later) return pending.mapped.later.read;
  return undefined;
}
