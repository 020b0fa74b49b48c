import type { Limiter } from '../../src/oro/limiter.js';

/** `limiter`, counting the slots taken through it. */
export function counting(limiter: Limiter): { limiter: Limiter; acquired: () => number } {
  let acquired = 0;
  return {
    limiter: Object.assign(Object.create(limiter) as Limiter, {
      acquire: (options?: { readonly priority?: 'high' | 'normal' }) => {
        acquired++;
        return limiter.acquire(options);
      },
    }),
    acquired: () => acquired,
  };
}
