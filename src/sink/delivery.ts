import { hash } from 'node:crypto';
import type { Delivery } from '../types/delivery.js';
import type { Json } from '../types/jsonapi.js';
import type { ErrorDetail, Outcome } from '../types/outcome.js';
import type { SourceRecord } from '../types/record.js';
import { jsonTypeOf } from '../util/path.js';
import { canonicalJson } from './digest.js';

/**
 * `sink.transform`: maps one record (a JSON:API document `{data, included}`) to what is
 * delivered, any JSON value; `null` skips the record. It may return a promise.
 */
export type SinkTransform = (record: unknown) => unknown;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The key a record's digest is kept under: its primary resource's `type/id` (`orders/17`), or why
 * there is none (the sink knows what it sent by type and id, so a record must be a JSON:API
 * document of one resource).
 *
 * @example
 * ```ts
 * deliveryKey({ data: { type: 'orders', id: '17', attributes: {} } }); // 'orders/17'
 * ```
 */
export function deliveryKey(document: unknown): string | ErrorDetail {
  const data = isObject(document) ? document['data'] : undefined;
  const type = isObject(data) ? data['type'] : undefined;
  const id = isObject(data) ? data['id'] : undefined;
  if (typeof type === 'string' && type !== '' && (typeof id === 'string' || typeof id === 'number') && id !== '') return `${type}/${id}`;
  return {
    title: 'not a JSON:API document of one resource',
    detail: `expected {"data": {"type", "id", ...}, "included": [...]} (a sink keeps what it sent by type and id), got ${describe(document)}`,
    pointer: !isObject(data) ? '/data' : typeof type !== 'string' || type === '' ? '/data/type' : '/data/id',
  };
}

function describe(document: unknown): string {
  if (!isObject(document)) return jsonTypeOf(document);
  const data = document['data'];
  if (!isObject(data)) return `data: ${jsonTypeOf(data)}`;
  return `data.type: ${jsonTypeOf(data['type'])}, data.id: ${jsonTypeOf(data['id'])}`;
}

/**
 * The digest of what a sink is sent for `key`: sha256 (hex) of the key and the canonical JSON of
 * `content`, leaving out the primary resource's `attributes.updatedAt`. Oro bumps `updatedAt` on
 * every write, the ERP's number written back included: an order whose only change is that time
 * is the same order, and must not reach the ERP a second time.
 *
 * @example
 * ```ts
 * const a = deliveryDigest('orders/17', { data: { type: 'orders', id: '17', attributes: { updatedAt: '2026-01-01T00:00:00Z', poNumber: 'P1' } } });
 * const b = deliveryDigest('orders/17', { data: { type: 'orders', id: '17', attributes: { updatedAt: '2026-01-02T00:00:00Z', poNumber: 'P1' } } });
 * a === b; // true
 * ```
 */
export function deliveryDigest(key: string, content: unknown): string {
  return hash('sha256', `${JSON.stringify(key)}\n${canonicalJson(withoutUpdatedAt(content))}`, 'hex');
}

/** `content` with `data.attributes.updatedAt` left out (as `undefined`, which canonical JSON skips); copies only what it changes. */
function withoutUpdatedAt(content: unknown): unknown {
  if (!isObject(content)) return content;
  const data = content['data'];
  if (!isObject(data)) return content;
  const attributes = data['attributes'];
  if (!isObject(attributes) || !('updatedAt' in attributes)) return content;
  return { ...content, data: { ...data, attributes: { ...attributes, updatedAt: undefined } } };
}

/**
 * The `Idempotency-Key` of a request carrying `deliveries`: the digest of the one record, or
 * sha256 of the digests of several. The same content gives the same key on every attempt and
 * every run, so an endpoint that keeps the keys it booked recognises a redelivery: a retry after
 * an answer that got lost, or a run that resumes after a crash.
 *
 * @example
 * ```ts
 * headers['Idempotency-Key'] = idempotencyKey(chunk);
 * ```
 */
export function idempotencyKey(deliveries: readonly Pick<Delivery, 'digest'>[]): string {
  if (deliveries.length === 1) return (deliveries[0] as Pick<Delivery, 'digest'>).digest;
  return hash('sha256', deliveries.map((d) => d.digest).join('\n'), 'hex');
}

/**
 * A record made ready for its sink: its key, what `transform` makes of it and the digest of that;
 * or its outcome when there is nothing to deliver: `skipped` (the transform returned `null`),
 * `rejected` (no JSON:API document, or a transform that threw or returned no JSON).
 *
 * @example
 * ```ts
 * const ready = await prepareDelivery(record, (doc) => ({ orderNumber: doc.data.attributes.identifier }));
 * if ('status' in ready) emit(ready); else deliveries.push(ready);
 * ```
 */
export async function prepareDelivery(record: SourceRecord, transform?: SinkTransform): Promise<Delivery | Outcome> {
  const key = deliveryKey(record.value);
  if (typeof key !== 'string') return { status: 'rejected', record, errors: [key] };
  let content: unknown = record.value;
  if (transform) {
    try {
      content = await transform(record.value);
    } catch (error) {
      return { status: 'rejected', record, errors: [{ title: 'sink.transform threw', detail: `${key}: ${error instanceof Error ? error.message : String(error)}` }] };
    }
    if (content === null) return { status: 'skipped', record, reason: 'sink.transform returned null' };
  }
  const text = jsonText(content);
  if (typeof text !== 'string') {
    return { status: 'rejected', record, errors: [{ title: 'not JSON', detail: `${key}: sink.transform must return a JSON value (null skips the record), got ${text.got}` }] };
  }
  return { record, key, content: content as Json, text, digest: deliveryDigest(key, content) };
}

/** `value` as JSON text, or what it is instead (a function, `undefined`, a cycle, a bigint). */
function jsonText(value: unknown): string | { readonly got: string } {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? { got: value === undefined ? 'undefined' : `a ${typeof value}` } : text;
  } catch (error) {
    return { got: `no JSON (${error instanceof Error ? error.message : String(error)})` };
  }
}
