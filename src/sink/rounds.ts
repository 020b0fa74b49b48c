/**
 * Splits items into rounds in which every key occurs at most once, keeping source order: the
 * first occurrence of each key in round 0, the second in round 1, ... Records with the same key
 * in one batch must be written one after the other (the later one wins), never side by side.
 */
export function splitIntoRounds<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(item);
  }
  return rounds;
}
