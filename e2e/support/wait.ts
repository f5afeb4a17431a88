/**
 * Polls `attempt` until it returns a value, within `boundMs` (a bound the
 * caller derived from the configuration); errors count as "not yet". The
 * failure names what was awaited and the bound.
 */
export async function until<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  boundMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + boundMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const cause = last instanceof Error ? `; last error: ${last.message}` : '';
      throw new Error(`${what}: not within ${boundMs} ms${cause}`);
    }
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}

/** A measured figure, printed with the bound it was held to. */
export function figure(what: string, ms: number, boundMs?: number): number {
  const bound = boundMs === undefined ? '' : ` (bound ${boundMs} ms)`;
  console.log(`[e2e] ${what}: ${ms} ms${bound}`);
  return ms;
}
