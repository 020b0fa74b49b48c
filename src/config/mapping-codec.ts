/**
 * Codecs for the declarative mapping's values (docs/architecture.md, "Products as Oro keeps
 * them"): a source path or a constant `{"value": ...}`, a relationship from the source or a
 * constant `{"type", "id"}`, and a product's `names` and `unitPrecisions`.
 */
import * as t from 'io-ts';
import { isRight } from 'fp-ts/lib/Either.js';
import { codec, type Codec, isRecord, optional, strict } from './codec-kit.js';
import type { ConstantRelationship, RelationshipMapping, UnitPrecisionMapping, ValueSource } from '../operators/map.js';
import type { Json } from '../types/jsonapi.js';

const Path = (u: unknown): u is string => typeof u === 'string' && u !== '';
const NonEmpty: Codec<string> = codec('non-empty string', (u, c) => (Path(u) ? t.success(u) : t.failure(u, c)));
const AnyJson: Codec<Json> = codec('any JSON value', (u, c) => (u === undefined ? t.failure(u, c) : t.success(u as Json)));

const Constant = strict('constant {value}', { value: AnyJson });

/**
 * A source field path, or a constant `{"value": <json>}`. Anything but an object is read as a
 * path, and named so in a problem (`expected non-empty string, got 5`).
 */
export const ValueSourceCodec: Codec<ValueSource> = codec('non-empty string', (u, c) => {
  if (Path(u)) return t.success(u);
  if (isRecord(u)) {
    const constant = Constant.validate(u, c);
    return isRight(constant) ? t.success({ value: constant.right.value }) : constant;
  }
  return t.failure(u, c);
});

const SourceRelationship: Codec<RelationshipMapping> = strict('relationship {type, source, match?} or {type, id}', {
  type: NonEmpty,
  source: NonEmpty,
  match: optional(NonEmpty),
});

const ConstantRelationshipCodec: Codec<ConstantRelationship> = strict('constant relationship {type, id}', { type: NonEmpty, id: NonEmpty });

/** `{type, source, match?}` (the related id from the record), or `{type, id}` (the same for every record). */
export const RelationshipCodec: Codec<RelationshipMapping | ConstantRelationship> = codec<RelationshipMapping | ConstantRelationship>(
  'relationship {type, source, match?} or {type, id}',
  (u, c) => (isRecord(u) && 'id' in u && !('source' in u) ? ConstantRelationshipCodec.validate(u, c) : SourceRelationship.validate(u, c)),
);

/** `target.names`: the source of the product's default name. */
export const NamesCodec: Codec<{ readonly default: ValueSource }> = strict('names {default}', { default: ValueSourceCodec });

const UnitPrecision: Codec<UnitPrecisionMapping> = strict('unit precision {unit, precision?, conversionRate?, sell?}', {
  unit: ValueSourceCodec,
  precision: optional(ValueSourceCodec),
  conversionRate: optional(ValueSourceCodec),
  sell: optional(ValueSourceCodec),
});

/** `target.unitPrecisions`: at least one entry, the first the primary precision. */
export const UnitPrecisionsCodec: Codec<readonly UnitPrecisionMapping[]> = codec(
  'array of unit precisions [{unit, precision?, conversionRate?, sell?}, ...] (at least one)',
  (u, c) => {
    if (!Array.isArray(u) || u.length === 0) return t.failure(u, c);
    const errors: t.Errors = [];
    const out: UnitPrecisionMapping[] = [];
    u.forEach((entry: unknown, index) => {
      const result = UnitPrecision.validate(entry, t.appendContext(c, String(index), UnitPrecision, entry));
      if (isRight(result)) out.push(result.right);
      else errors.push(...result.left);
    });
    return errors.length > 0 ? t.failures(errors) : t.success(out);
  },
);
