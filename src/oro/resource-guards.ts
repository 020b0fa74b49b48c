/*
 * Hand-written checks of the documents every write and lookup reads (`ListDocument`,
 * `SingleResourceDocument`): true exactly when the io-ts codec would accept the value unchanged.
 * io-ts allocates a context entry per key it visits, which made decoding a 100-record batch
 * answer cost more CPU than parsing it. A value these reject (including PHP's `[]` for an empty
 * object, which the codec rewrites) goes through the codec, which converts it or names the error.
 */

const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === 'object' && !Array.isArray(u);
const isOptionalRecord = (u: unknown): boolean => u === undefined || isRecord(u);
const isOptionalString = (u: unknown): boolean => u === undefined || typeof u === 'string';

function isIdentifier(u: unknown): boolean {
  return isRecord(u) && typeof u['type'] === 'string' && typeof u['id'] === 'string';
}

function isRelationships(u: unknown): boolean {
  if (!isRecord(u)) return false;
  for (const key in u) {
    const rel = u[key];
    if (!isRecord(rel)) return false;
    const data = rel['data'];
    if (data === null || isIdentifier(data)) continue;
    if (!Array.isArray(data)) return false;
    for (const d of data) if (!isIdentifier(d)) return false;
  }
  return true;
}

/** A resource object with `type` and `id`, and object-valued `attributes`/`relationships`/`meta`/`links` when present. */
function isResource(u: unknown): boolean {
  if (!isRecord(u) || typeof u['type'] !== 'string' || typeof u['id'] !== 'string') return false;
  const relationships = u['relationships'];
  return (
    isOptionalRecord(u['attributes']) &&
    (relationships === undefined || isRelationships(relationships)) &&
    isOptionalRecord(u['meta']) &&
    isOptionalRecord(u['links'])
  );
}

function isResources(u: unknown): boolean {
  if (!Array.isArray(u)) return false;
  for (const r of u) if (!isResource(r)) return false;
  return true;
}

/** `included`, `links` (string members) and `meta` as both documents allow them. */
function hasValidExtras(doc: Record<string, unknown>): boolean {
  const links = doc['links'];
  if (links !== undefined) {
    if (!isRecord(links)) return false;
    if (!isOptionalString(links['self']) || !isOptionalString(links['first']) || !isOptionalString(links['prev']) || !isOptionalString(links['next'])) return false;
  }
  return (doc['included'] === undefined || isResources(doc['included'])) && isOptionalRecord(doc['meta']);
}

export function isListDocument(u: unknown): boolean {
  return isRecord(u) && isResources(u['data']) && hasValidExtras(u);
}

export function isSingleResourceDocument(u: unknown): boolean {
  return isRecord(u) && isResource(u['data']) && hasValidExtras(u);
}
