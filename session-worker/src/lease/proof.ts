import { LeaseError } from './errors.js';
import type { Lease, LeaseProof } from './types.js';

/** A monotonic clock in milliseconds; `performance.now` unless a test steps time itself. */
export type Clock = () => number;

export function makeProof(
  lease: Lease,
  validUntil: number,
  marginMs: number,
  clock: Clock,
): LeaseProof {
  return {
    tenant: lease.tenant,
    epoch: lease.epoch,
    owner: lease.owner,
    validUntil,
    check() {
      const left = validUntil - clock();
      if (left <= marginMs) {
        throw new LeaseError(
          'lease_expired',
          `tenant ${lease.tenant} epoch ${lease.epoch}: ${Math.round(left)} ms left, ` +
            `${marginMs} ms needed to connect on it`,
          { tenant: lease.tenant, epoch: lease.epoch },
        );
      }
    },
  };
}
