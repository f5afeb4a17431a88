import type { EventEmitter } from 'node:events';

/** A replica's right to run one tenant; the epoch rises on every takeover. */
export interface Lease {
  readonly tenant: string;
  readonly epoch: number;
  readonly owner: string;
}

/**
 * Why a replica gives a tenant up:
 * - `lost`: another replica holds it now (epoch or owner changed);
 * - `expired`: it could not be renewed in time (paused, database unreachable);
 * - `rebalance`: more replicas are live, this one holds more than its share;
 * - `removed`: the tenant no longer exists;
 * - `shutdown`: the worker is stopping.
 */
export type RevokeReason = 'lost' | 'expired' | 'rebalance' | 'removed' | 'shutdown';

/** What the lease manager drives: in the worker, the socket manager. */
export interface LeaseHolder {
  /** A lease was won: start the tenant. Each connect still calls `assertLease` first. */
  start(lease: Lease): void;
  /**
   * Stop the tenant: end its socket, flush its creds. The lease is released
   * only after this resolves (for `rebalance`, `removed`, `shutdown`), so the
   * next owner never overlaps. On `lost` and `expired` another replica may
   * already run it: stop at once and write nothing more.
   */
  stop(tenant: string, reason: RevokeReason): Promise<void>;
}

/** A lease just checked against the database, to connect on. */
export interface LeaseProof extends Lease {
  /**
   * Local monotonic time (`performance.now()`) until which the lease holds,
   * counted from before the database read, so a pause is never in its favour.
   */
  readonly validUntil: number;
  /**
   * Throws `lease_expired` if the lease ran out since the check, as after a
   * pause. Call it synchronously just before opening the socket.
   */
  check(): void;
}

export interface TickSummary {
  readonly replicas: number;
  readonly tenants: number;
  readonly target: number;
  readonly held: number;
  readonly acquired: readonly string[];
  readonly revoked: readonly string[];
}

export interface LeaseEvents {
  acquired: [lease: Lease];
  revoked: [lease: Lease, reason: RevokeReason];
  released: [lease: Lease];
  /** A failure the manager survived (a database error in a tick, a holder that threw). */
  problem: [error: Error, context: { during: string; tenant?: string }];
  tick: [summary: TickSummary];
}

/** Which replica runs which tenant: PostgreSQL leases, or the SQLite file lock. */
export interface LeaseManager extends EventEmitter<LeaseEvents> {
  readonly mode: 'postgres' | 'sqlite';
  readonly replicaId: string;
  /** Takes this replica's share of tenants and keeps it renewed until `shutdown`. */
  start(holder: LeaseHolder): Promise<void>;
  held(): Lease[];
  /** Checks the lease against the database; throws a `LeaseError` unless it is ours and current. */
  assertLease(tenant: string): Promise<LeaseProof>;
  /** Reads the tenant list and rebalances now, as after a tenant was created or deleted. */
  refresh(): Promise<void>;
  /** Stops every tenant through the holder, then releases all leases at once. */
  shutdown(): Promise<void>;
}

export type TenantSource = () => Promise<readonly string[]>;
