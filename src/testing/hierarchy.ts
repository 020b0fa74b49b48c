/**
 * Oro's circular customer reference check: a `parent` or `children` change may not make a customer
 * its own ancestor ("circular customer reference constraint", the detail naming both customers).
 */
import { apiError, at, isObject, type ApiError } from './json-api.js';
import type { TypeSpec } from './resources.js';
import type { Store, StoredRecord } from './store.js';
import type { Fields } from './validate.js';

/** The self-referencing to-one relationship of a type (`parent`) and its inverse to-many one (`children`). */
function treeOf(spec: TypeSpec): { parent: string; children: string | undefined } | undefined {
  const parent = Object.entries(spec.relationships).find(([, rel]) => rel.target === spec.name && !rel.toMany)?.[0];
  if (parent === undefined) return undefined;
  const children = Object.entries(spec.relationships).find(([, rel]) => rel.target === spec.name && rel.toMany && 'inverseOf' in rel.toMany && rel.toMany.inverseOf === parent)?.[0];
  return { parent, children };
}

/** `true` when `ancestor` is `id` itself or above it through `parent` links. */
function isAncestorOrSelf(store: Store, spec: TypeSpec, parent: string, ancestor: string, id: string): boolean {
  const table = store.table(spec.name);
  const seen = new Set<string>();
  for (let current: string | undefined = id; current !== undefined && !seen.has(current); ) {
    if (current === ancestor) return true;
    seen.add(current);
    const link: unknown = table?.get(current)?.relationships[parent];
    current = typeof link === 'string' ? link : undefined;
  }
  return false;
}

const nameOf = (store: Store, type: string, id: string): string => String(store.table(type)?.get(id)?.attributes['name'] ?? id);

/** Errors of an update of `existing` whose new `parent` or listed `children` would close a cycle. */
export function circularErrors(store: Store, spec: TypeSpec, existing: StoredRecord, fields: Fields, sent: unknown, base: string): ApiError[] {
  const tree = treeOf(spec);
  if (!tree || !isObject(sent)) return [];
  const self = nameOf(store, spec.name, existing.id);
  const errors: ApiError[] = [];
  const parent = fields.relationships[tree.parent];
  if (tree.parent in sent && typeof parent === 'string' && isAncestorOrSelf(store, spec, tree.parent, existing.id, parent))
    errors.push(
      apiError(400, 'circular customer reference constraint', `Circular reference detected. '${nameOf(store, spec.name, parent)}' cannot be a parent of '${self}' because it is its child.`, at(`${base}/relationships/${tree.parent}/data`)),
    );
  const children = tree.children === undefined ? undefined : sent[tree.children];
  const members = isObject(children) && Array.isArray(children['data']) ? children['data'] : [];
  for (const member of members) {
    if (!isObject(member) || typeof member['id'] !== 'string') continue;
    const child = member['id'];
    // A child that is this record's parent (or above it) would be its own ancestor.
    const parentNow = typeof parent === 'string' ? parent : undefined;
    const above = parentNow !== undefined && isAncestorOrSelf(store, spec, tree.parent, child, parentNow);
    if (above || isAncestorOrSelf(store, spec, tree.parent, child, existing.id)) {
      errors.push(
        apiError(400, 'circular customer reference constraint', `Circular reference detected. '${nameOf(store, spec.name, child)}' cannot be a child of '${self}' because it is its parent.`, at(`${base}/relationships/${tree.children ?? 'children'}/data`)),
      );
      break;
    }
  }
  return errors;
}
