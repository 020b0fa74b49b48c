import type { Json } from '../types/jsonapi.js';

/** A JSON type Oro insists on for a field, where a source (a CSV) may hold it as text. */
export type FieldKind = 'integer' | 'number' | 'boolean';

/**
 * The fields of Oro's types whose JSON type is not a string, as Oro's entities declare them
 * (docs/oro-api.md, "Products"): a CSV cell `"3"` for a unit precision's `precision` is sent as
 * `3`, `"true"` for a product's `featured` as `true`. Only types and fields listed here are
 * converted; any other value is sent as the source holds it.
 */
const KINDS: Readonly<Record<string, Readonly<Record<string, FieldKind>>>> = {
  products: { featured: 'boolean', newArrival: 'boolean' },
  productunitprecisions: { precision: 'integer', conversionRate: 'number', sell: 'boolean' },
};

/** The kind Oro wants for `type`'s `field`, if it is not a string. */
export function fieldKind(type: string, field: string): FieldKind | undefined {
  return Object.prototype.hasOwnProperty.call(KINDS, type) ? KINDS[type]?.[field] : undefined;
}

const INTEGER = /^[+-]?\d+$/;
const BOOLEANS: ReadonlyMap<string, boolean> = new Map([['true', true], ['false', false], ['1', true], ['0', false]]);

/**
 * A source value as the JSON type `kind` wants: text that spells a value of the kind is converted
 * (`"3"` -> 3, `" 1.5 "` -> 1.5, `"true"`/`"1"` -> true, `"false"`/`"0"` -> false); an empty or
 * blank text is `undefined` (an empty CSV cell: the field is left out); any other value is
 * returned as it is (Oro judges it). `{ expected }` when the text spells no value of the kind.
 *
 * @example
 * ```ts
 * asKind('integer', '3');   // { value: 3 }
 * asKind('integer', '3.5'); // { expected: 'an integer' }
 * asKind('boolean', '');    // { value: undefined }
 * ```
 */
export function asKind(kind: FieldKind, value: Json): { readonly value: Json | undefined } | { readonly expected: string } {
  if (typeof value !== 'string') return { value };
  const text = value.trim();
  if (text === '') return { value: undefined };
  switch (kind) {
    case 'integer':
      return INTEGER.test(text) ? { value: Number(text) } : { expected: 'an integer' };
    case 'number': {
      const number = Number(text);
      return Number.isFinite(number) ? { value: number } : { expected: 'a number' };
    }
    case 'boolean': {
      const flag = BOOLEANS.get(text.toLowerCase());
      return flag === undefined ? { expected: 'a boolean (true, false, 1 or 0)' } : { value: flag };
    }
  }
}
