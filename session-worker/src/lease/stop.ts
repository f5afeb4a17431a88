import { LeaseError } from './errors.js';

/**
 * Runs a holder's stop with a deadline. A stop that never ends must not keep
 * a lease renewed forever: past the deadline the caller stops renewing and
 * lets the lease expire, so another replica can take the tenant.
 */
export async function stopWithin(
  stop: () => Promise<void> | undefined,
  timeoutMs: number,
  tenant: string,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new LeaseError('lease_stop_timeout', `tenant ${tenant}: ${timeoutMs} ms`, { tenant }),
        ),
      timeoutMs,
    );
  });
  try {
    await Promise.race([Promise.resolve().then(stop), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
