/**
 * Polls a growing counter until it has not moved for five rounds of 40 ms
 * (at most 200 rounds), and returns where it stopped. Used to show that a
 * sender is held back, never to assert a duration.
 */
export async function settledValue(read: () => number): Promise<number> {
  let last = -1;
  let steady = 0;
  for (let round = 0; round < 200 && steady < 5; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, 40));
    const value = read();
    steady = value === last ? steady + 1 : 0;
    last = value;
  }
  return last;
}

/**
 * Waits for something another process-side party does on its own turn (a
 * server recording a close), polling every 10 ms, failing after `limitMs`.
 */
export async function waitFor<T>(
  read: () => T | undefined,
  what: string,
  limitMs = 5_000,
): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`gave up waiting for ${what} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
