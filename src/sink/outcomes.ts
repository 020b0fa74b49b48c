import { classOf, detailsOf } from '../errors/classify.js';
import type { ResourceObject } from '../types/jsonapi.js';
import type { Outcome } from '../types/outcome.js';
import type { BatchItem } from './batch-document.js';
import { bodyFor, resourceFor, type Decision, type Pending } from './decide.js';
import type { SinkContext } from './context.js';

/**
 * The outcome of a record whose request failed: permanent errors reject it; transient ones that
 * outlasted the retry budget fail it, and so does a 401 that came back even with a fresh token
 * (not the record's fault: a replay may well succeed). Fatal errors (bad credentials) are not a
 * record's fault either: they are rethrown so that the run stops.
 */
export function outcomeOfError(pending: Pending, error: unknown): Outcome {
  const errorClass = classOf(error);
  if (errorClass === 'fatal') throw error;
  const errors = detailsOf(error);
  return errorClass === 'transient' || errorClass === 'auth'
    ? { status: 'failed', record: pending.record, errors }
    : { status: 'rejected', record: pending.record, errors };
}

/** The document sent (or, in a dry run, that would be sent) for a record. */
export function documentFor(ctx: SinkContext, pending: Pending, decision: Decision): { data: ResourceObject; included?: readonly ResourceObject[] } {
  const data = resourceFor(ctx.target, pending, decision);
  const { included } = bodyFor(pending, decision);
  return included?.length ? { data, included } : { data };
}

/**
 * The outcome a decision has without any write: skips and rejections always, and in a dry run
 * what would have happened.
 */
export function outcomeWithoutWrite(ctx: SinkContext, pending: Pending, decision: Decision): Outcome | undefined {
  const { record } = pending;
  switch (decision.action) {
    case 'skip':
      return { status: 'skipped', record, id: decision.id, reason: decision.reason, ...(ctx.dryRun ? { dryRun: true } : {}) };
    case 'reject':
      return { status: 'rejected', record, errors: decision.errors, ...(ctx.dryRun ? { dryRun: true } : {}) };
    default:
      break;
  }
  if (!ctx.dryRun) return undefined;
  const document = documentFor(ctx, pending, decision);
  return decision.action === 'update'
    ? { status: 'updated', record, id: decision.id, dryRun: true, document }
    : { status: 'created', record, dryRun: true, document };
}

/** The outcome of a batch item Oro accepted; `id` from its answer or a read-back. */
export function successOutcome(item: BatchItem, id: string | undefined): Outcome {
  const { record } = item.pending;
  if (item.decision.action === 'update') return { status: 'updated', record, id: id ?? item.decision.id };
  if (id === undefined) {
    return { status: 'failed', record, errors: [{ title: 'missing id', detail: 'Oro accepted the record but its answer holds no id for it' }] };
  }
  return { status: 'created', record, id };
}
