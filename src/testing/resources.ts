/**
 * The registry of resource types: the types every family declares for one Oro version, with the
 * hooks other families add to them (`observers`), and the records a fresh fake starts with.
 */
import type { Family, Fixture, Observers, TypeHooks, TypeSpec } from './family.js';
import { FAMILIES } from './families/index.js';
import type { OroVersion } from './versions.js';

export { LATEST_VERSION, ORO_VERSIONS, type OroVersion } from './versions.js';

/** The pseudo type that exposes Batch API operations. */
export const ASYNC_OPERATIONS = 'asyncoperations';

/** Both side effects, the first one's first. */
function both<A, C>(first: ((a: A, ctx: C) => void) | undefined, second: ((a: A, ctx: C) => void) | undefined): ((a: A, ctx: C) => void) | undefined {
  if (!first || !second) return first ?? second;
  return (a, ctx) => {
    first(a, ctx);
    second(a, ctx);
  };
}

/** A type's hooks with a family's observers added: the type's own run first; `validate` answers the errors of both. */
function chain(own: TypeHooks, added: Observers[string]): TypeHooks {
  const first = own.validate;
  const second = added.validate;
  const validate: TypeHooks['validate'] = first && second ? (write, ctx) => [...first(write, ctx), ...second(write, ctx)] : (first ?? second);
  const afterSave = both(own.afterSave, added.afterSave);
  const afterDelete = both(own.afterDelete, added.afterDelete);
  return { ...own, ...(validate ? { validate } : {}), ...(afterSave ? { afterSave } : {}), ...(afterDelete ? { afterDelete } : {}) };
}

/**
 * The types of one Oro version from the built-in families and `extra` ones, by JSON:API type name.
 * Throws when two families declare the same type.
 */
export function typesFor(version: OroVersion, extra: readonly Family[] = []): ReadonlyMap<string, TypeSpec> {
  const families = [...FAMILIES, ...extra];
  const types = new Map<string, TypeSpec>();
  for (const family of families)
    for (const spec of family.types(version)) {
      if (types.has(spec.name)) throw new Error(`fake Oro: the type "${spec.name}" is declared twice (family "${family.name}")`);
      types.set(spec.name, spec);
    }
  for (const family of families)
    for (const [name, hooks] of Object.entries(family.observers ?? {})) {
      const spec = types.get(name);
      if (spec) types.set(name, { ...spec, hooks: chain(spec.hooks, hooks) });
    }
  return types;
}

/** The records a fresh fake starts with, family by family. */
export function fixturesFor(extra: readonly Family[] = []): Fixture[] {
  return [...FAMILIES, ...extra].flatMap((family) => family.fixtures ?? []);
}
