/**
 * Types whose records Oro creates itself, and why (`docs/oro-api.md` §8): a sync can only find
 * them and update them, so `target.strategy` must be `update-only` for them.
 */
export const ORO_CREATES: Readonly<Record<string, string>> = {
  inventorylevels: 'Oro makes one per product unit precision (quantity 0) and its API refuses to create one',
};

/**
 * The problem with `strategy` for `type`, or `undefined` when there is none: any strategy but
 * `update-only` on a type Oro creates itself. `defaulted` says the strategy was not given.
 *
 * @example
 * ```ts
 * strategyProblem('inventorylevels', 'lookup', false);
 * // 'expected "update-only" for inventorylevels (Oro makes one per ...), got "lookup"'
 * ```
 */
export function strategyProblem(type: string, strategy: string, defaulted: boolean): string | undefined {
  const why = ORO_CREATES[type];
  if (why === undefined || strategy === 'update-only') return undefined;
  return `expected "update-only" for ${type} (${why}: a sync can only update them), got "${strategy}"${defaulted ? ' (the default)' : ''}`;
}
