const POLL_MS = 50;

/**
 * Resolves once `check` holds, with the value and the time it took; throws
 * after `boundMs` naming what was awaited and the last value seen.
 */
export async function waitFor<T>(
  describe: string,
  read: () => Promise<T>,
  check: (value: T) => boolean,
  boundMs: number,
): Promise<{ value: T; elapsedMs: number }> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    const elapsedMs = Date.now() - started;
    if (check(value)) return { value, elapsedMs };
    if (elapsedMs > boundMs) {
      throw new Error(`${describe}: not within ${boundMs} ms; last: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
