import type { ErrorDetail } from './outcome.js';
import type { Json } from './jsonapi.js';
import type { SourceRecord } from './record.js';

/**
 * One record on its way to a sink that is not Oro (`sink` in the config): what is delivered, and
 * how it is known again on the next run.
 *
 * @example
 * ```ts
 * const delivery: Delivery = {
 *   record, key: 'orders/17', content: { orderNumber: 'SO-17' }, text: '{"orderNumber":"SO-17"}', digest: 'a1b2…',
 * };
 * ```
 */
export interface Delivery {
  readonly record: SourceRecord;
  /** `type/id` of the record's primary resource (`orders/17`): the key its digest is kept under. */
  readonly key: string;
  /** What is delivered: the record's document, or what `sink.transform` made of it. */
  readonly content: Json;
  /** `content` as JSON, written once for the digest's check and every sink. */
  readonly text: string;
  /**
   * sha256 (hex) of the key and the content without the primary resource's `attributes.updatedAt`:
   * equal digests mean the sink was sent the same content.
   */
  readonly digest: string;
}

/** What became of one delivery: confirmed by the sink, refused for good, or not known to have arrived. */
export type DeliveryResult =
  | { readonly status: 'sent' }
  | { readonly status: 'rejected' | 'failed'; readonly errors: readonly ErrorDetail[] };

/**
 * Delivers a batch and resolves with one result per delivery, in order, once the sink confirmed
 * what it confirms (lines flushed to disk, 2xx answers, publisher confirms). It rejects only when
 * the sink itself is gone (a file that cannot be written, a closed channel): no record can be
 * delivered, so the run stops there, its checkpoint below every record without an outcome.
 */
export type Deliver = (batch: readonly Delivery[]) => Promise<readonly DeliveryResult[]>;
