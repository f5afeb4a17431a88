import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { SessionConfig } from '../session/config.js';
import type { PgDatabase } from '../store/pg/connect.js';
import { LeaseError } from './errors.js';
import { fairShare, type ReplicaLoad } from './fair-share.js';
import { LeaseQueries } from './pg-queries.js';
import { makeProof, type Clock } from './proof.js';
import { stopWithin } from './stop.js';
import type {
  Lease,
  LeaseEvents,
  LeaseHolder,
  LeaseManager,
  LeaseProof,
  RevokeReason,
  TenantSource,
} from './types.js';

export interface PgLeaseOptions {
  readonly database: PgDatabase;
  /** Every tenant that should run somewhere (in the worker, the store's tenant list). */
  readonly tenants: TenantSource;
  readonly config: Pick<
    SessionConfig,
    'leaseDurationMs' | 'leaseRenewIntervalMs' | 'revokeTimeoutMs'
  >;
  readonly replicaId?: string;
  readonly clock?: Clock;
}

interface Held {
  readonly lease: Lease;
  readonly acquiredAt: number;
  /** Local monotonic time until which the lease holds, from before the last renewal was sent. */
  validUntil: number;
  stopping?: RevokeReason;
}

/**
 * Leases in PostgreSQL. Each tick (every `leaseRenewIntervalMs`) heartbeats
 * the replica, renews the leases it holds, gives up tenants beyond its fair
 * share or no longer listed, and takes free or expired ones up to its share.
 * A lease that fails to renew is lost at once; one whose validity passes
 * locally while the database is unreachable expires by itself, so a replica
 * cut off from the database stops its tenants before another can take them.
 */
export class PgLeaseManager extends EventEmitter<LeaseEvents> implements LeaseManager {
  readonly mode = 'postgres';
  readonly replicaId: string;
  private readonly queries: LeaseQueries;
  private readonly clock: Clock;
  private readonly leases = new Map<string, Held>();
  private readonly stops = new Set<Promise<void>>();
  private holder: LeaseHolder | undefined;
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private revokedThisTick: string[] = [];

  constructor(private readonly options: PgLeaseOptions) {
    super();
    this.replicaId =
      options.replicaId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.queries = new LeaseQueries(options.database);
    this.clock = options.clock ?? (() => performance.now());
  }

  async start(holder: LeaseHolder): Promise<void> {
    if (this.state !== 'idle') throw new LeaseError('lease_stopped', 'start may be called once');
    this.holder = holder;
    this.state = 'running';
    await this.refresh();
    this.schedule();
  }

  held(): Lease[] {
    return [...this.leases.values()].filter((h) => !h.stopping).map((h) => h.lease);
  }

  refresh(): Promise<void> {
    if (this.queued) return this.queued;
    const run = this.ticking.then(async () => {
      this.queued = undefined;
      if (this.state === 'running') await this.tick();
    });
    this.queued = run;
    this.ticking = run;
    return run;
  }

  async assertLease(tenant: string): Promise<LeaseProof> {
    if (this.state === 'stopped')
      throw new LeaseError('lease_stopped', `tenant ${tenant}`, { tenant });
    const held = this.leases.get(tenant);
    if (!held || held.stopping) {
      throw new LeaseError('lease_not_held', `tenant ${tenant} on ${this.replicaId}`, { tenant });
    }
    const { lease } = held;
    const sent = this.clock();
    let row;
    try {
      row = await this.queries.read(tenant);
    } catch (error) {
      throw new LeaseError('lease_unverified', `tenant ${tenant}`, { tenant }, { cause: error });
    }
    if (!row || row.owner !== this.replicaId || row.epoch !== lease.epoch) {
      this.revoke(held, 'lost');
      throw new LeaseError(
        'lease_lost',
        `tenant ${tenant}: epoch ${lease.epoch} replaced by ${row?.epoch ?? 'none'}`,
        { tenant, epoch: lease.epoch, currentEpoch: row?.epoch },
      );
    }
    if (row.remainingMs <= 0) {
      this.revoke(held, 'expired');
      throw new LeaseError('lease_expired', `tenant ${tenant} epoch ${lease.epoch}`, {
        tenant,
        epoch: lease.epoch,
      });
    }
    held.validUntil = sent + row.remainingMs;
    const proof = makeProof(
      lease,
      held.validUntil,
      this.options.config.leaseRenewIntervalMs,
      this.clock,
    );
    proof.check();
    return proof;
  }

  async shutdown(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    clearTimeout(this.timer);
    await this.ticking;
    for (const held of this.leases.values()) this.revoke(held, 'shutdown');
    await Promise.allSettled([...this.stops]);
    await this.queries
      .leave(this.replicaId)
      .catch((error: unknown) => this.problem(error, 'leave'));
  }

  private schedule(): void {
    if (this.state !== 'running') return;
    this.timer = setTimeout(() => {
      void this.refresh().finally(() => this.schedule());
    }, this.options.config.leaseRenewIntervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.revokedThisTick = [];
    let replicas: ReplicaLoad[];
    let tenants: Set<string>;
    try {
      replicas = await this.queries.heartbeat(this.replicaId, this.options.config.leaseDurationMs);
      tenants = new Set(await this.options.tenants());
      await this.renewHeld();
    } catch (error) {
      this.problem(error, 'renew');
      this.expireOverdue();
      return;
    }
    const running = () => [...this.leases.values()].filter((h) => !h.stopping);
    for (const held of running()) if (!tenants.has(held.lease.tenant)) this.revoke(held, 'removed');
    const target = fairShare(tenants.size, replicas, this.replicaId);
    // Shed the most recently taken first: the longest-running sessions stay put.
    const extras = running()
      .sort((a, b) => b.acquiredAt - a.acquiredAt)
      .slice(0, Math.max(0, running().length - target));
    for (const held of extras) this.revoke(held, 'rebalance');
    const acquired = await this.acquireUpTo(target - running().length, tenants);
    this.emit('tick', {
      replicas: replicas.length,
      tenants: tenants.size,
      target,
      held: running().length,
      acquired,
      revoked: this.revokedThisTick,
    });
  }

  /** Renews every lease held (those being stopped too); one that did not renew is lost. */
  private async renewHeld(): Promise<void> {
    const sent = this.clock();
    const current = [...this.leases.values()];
    const rows = await this.queries.renew(
      this.replicaId,
      current.map((h) => h.lease),
      this.options.config.leaseDurationMs,
    );
    const renewed = new Map(rows.map((row) => [row.tenant, row]));
    for (const held of current) {
      const row = renewed.get(held.lease.tenant);
      if (row) held.validUntil = sent + row.remainingMs;
      else this.revoke(held, 'lost');
    }
  }

  private async acquireUpTo(room: number, tenants: Set<string>): Promise<string[]> {
    if (room <= 0) return [];
    try {
      const free = await this.queries.free([...tenants], room);
      const sent = this.clock();
      const rows = await this.queries.acquire(
        this.replicaId,
        free,
        this.options.config.leaseDurationMs,
      );
      for (const row of rows) {
        const lease = { tenant: row.tenant, epoch: row.epoch, owner: this.replicaId };
        this.take(lease, sent + row.remainingMs);
      }
      return rows.map((row) => row.tenant);
    } catch (error) {
      this.problem(error, 'acquire');
      return [];
    }
  }

  private take(lease: Lease, validUntil: number): void {
    this.leases.set(lease.tenant, { lease, validUntil, acquiredAt: this.clock() });
    this.emit('acquired', lease);
    try {
      this.holder?.start(lease);
    } catch (error) {
      this.problem(error, 'start', lease.tenant);
    }
  }

  /** Stops the tenant through the holder; releases the lease afterwards unless it is gone. */
  private revoke(held: Held, reason: RevokeReason): void {
    if (held.stopping) return;
    held.stopping = reason;
    const { lease } = held;
    const gone = reason === 'lost' || reason === 'expired';
    if (gone) this.leases.delete(lease.tenant);
    this.revokedThisTick.push(lease.tenant);
    this.emit('revoked', lease, reason);
    const stop = stopWithin(
      () => this.holder?.stop(lease.tenant, reason),
      this.options.config.revokeTimeoutMs,
      lease.tenant,
    )
      .then(async () => {
        if (gone) return;
        await this.queries.release(this.replicaId, [lease]);
        this.emit('released', lease);
      })
      .catch((error: unknown) => this.problem(error, `stop:${reason}`, lease.tenant))
      // Whatever happened, stop renewing: a lease not released expires on its own.
      .finally(() => {
        if (this.leases.get(lease.tenant) === held) this.leases.delete(lease.tenant);
        this.stops.delete(stop);
      });
    this.stops.add(stop);
  }

  private expireOverdue(): void {
    const now = this.clock();
    for (const held of this.leases.values()) {
      if (!held.stopping && now >= held.validUntil) this.revoke(held, 'expired');
    }
  }

  private problem(error: unknown, during: string, tenant?: string): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.emit('problem', failure, tenant === undefined ? { during } : { during, tenant });
  }
}
