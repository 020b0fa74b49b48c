import type { ErrorDetail } from '../types/outcome.js';

/**
 * Which request item an error is about, from its JSON pointer: `/data/3/attributes/name` is
 * item 3 of the batch; `/included/2/...` is included item 2. Anything else (no pointer, a
 * `propertyPath`, a query `parameter`) is not attributable to one item.
 */
export type PointerTarget = { readonly in: 'data' | 'included'; readonly index: number } | undefined;

export function pointerTarget(pointer: string | undefined): PointerTarget {
  const match = /^\/(data|included)\/(\d+)(?:\/|$)/.exec(pointer ?? '');
  if (!match) return undefined;
  return { in: match[1] as 'data' | 'included', index: Number(match[2]) };
}

/**
 * Distributes errors to the items they point at.
 * `includedOwner[n]` is the data index of the record that carried included item n.
 */
export function attributeErrors(
  errors: readonly ErrorDetail[],
  includedOwner: readonly number[],
): { readonly byItem: Map<number, ErrorDetail[]>; readonly unattributed: ErrorDetail[] } {
  const byItem = new Map<number, ErrorDetail[]>();
  const unattributed: ErrorDetail[] = [];
  for (const error of errors) {
    const target = pointerTarget(error.pointer);
    const item = target === undefined ? undefined : target.in === 'data' ? target.index : includedOwner[target.index];
    if (item === undefined) {
      unattributed.push(error);
      continue;
    }
    const list = byItem.get(item) ?? [];
    list.push(error);
    byItem.set(item, list);
  }
  return { byItem, unattributed };
}
