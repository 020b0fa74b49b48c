/**
 * Seeded pseudo-random numbers for the fake Oro, so that a given seed and request sequence
 * always yields the same faults, latencies and batch processing orders.
 */

/** A source of uniform numbers in `[0, 1)`. */
export type Rng = () => number;

/**
 * mulberry32: a tiny, fast 32-bit PRNG; plenty for test fault injection (not for crypto).
 *
 * @example
 * const rng = mulberry32(42);
 * rng(); // always the same first value for seed 42
 */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An independent stream for one purpose (faults, latency, batch order): each purpose gets its own
 * generator so that enabling latency does not shift the fault sequence.
 */
export function streamFor(seed: number, purpose: number): Rng {
  return mulberry32((seed ^ Math.imul(purpose + 1, 0x9e3779b9)) >>> 0);
}

/** Fisher–Yates shuffle of a copy of `items`, driven by `rng`. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = out[i] as T;
    out[i] = out[j] as T;
    out[j] = tmp;
  }
  return out;
}
