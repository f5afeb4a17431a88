/**
 * Delay before delivery attempt `attempt + 1` after `attempt` failures:
 * `base × 2^(attempt-1)`, capped at `max`, with up to a fifth taken off at
 * random so endpoints that failed together are not retried in step.
 */
export function retryDelayMs(
  failures: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const full = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.max(1, Math.round(full * (1 - 0.2 * random())));
}
