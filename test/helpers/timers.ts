/**
 * Injectable timers for backoff tests: every delay is recorded, short ones fire on the next turn
 * of the event loop (virtual time: nobody waits), long ones (renewal timers) never fire.
 */
export function immediateTimers(fireBelowMs = 60_000): {
  delays: number[];
  setTimeout: (fn: () => void, ms: number) => { unref(): void };
  clearTimeout: (handle: never) => void;
} {
  const delays: number[] = [];
  return {
    delays,
    setTimeout(fn, ms) {
      delays.push(ms);
      const handle = ms < fireBelowMs ? setImmediate(fn) : undefined;
      return { unref: () => handle?.unref() };
    },
    clearTimeout: () => undefined,
  };
}
