/**
 * "Did you mean" for config keys: the known key closest to a mistyped one, if it is close enough
 * to be a plausible typo (case differences, a letter or two swapped, missing or extra).
 */

/** Edit distance (insertions, deletions, substitutions) between two short strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The key in `known` that `key` most likely meant, or `undefined` when none is close.
 * Case is ignored when comparing (`batchsize` -> `batchSize`); the allowed distance grows with
 * the length of the key, so short keys only match near-exact typos.
 *
 * @example suggestKey('batchsize', ['batchSize', 'batchMs']) // 'batchSize'
 */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  const wanted = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(key.length / 3));
  return bestDistance <= allowed ? best : undefined;
}
