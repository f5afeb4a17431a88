/**
 * Which replica runs which tenant. PostgreSQL mode: leases with epochs,
 * renewed by each replica and spread evenly over the live ones. SQLite mode:
 * one replica, fenced by the store file's exclusive lock.
 */
export type {
  Lease,
  LeaseEvents,
  LeaseHolder,
  LeaseManager,
  LeaseProof,
  RevokeReason,
  TenantSource,
  TickSummary,
} from './types.js';
export { LEASE_ERRORS, LeaseError, isLeaseError, type LeaseErrorCode } from './errors.js';
export { fairShare, type ReplicaLoad } from './fair-share.js';
export { PgLeaseManager, type PgLeaseOptions } from './pg-lease.js';
export { SqliteLeaseManager, type SqliteLeaseOptions } from './sqlite-lease.js';
export type { Clock } from './proof.js';
