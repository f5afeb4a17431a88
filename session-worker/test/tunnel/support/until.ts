/**
 * Polls `read` (sync or async) every 25 ms until it gives a value other
 * than undefined; fails after `limitMs`, naming what it waited for.
 */
export async function until<T>(
  read: () => T | undefined | Promise<T | undefined>,
  what: string,
  limitMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
