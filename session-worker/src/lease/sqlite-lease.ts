import { EventEmitter } from 'node:events';
import type { SessionConfig } from '../session/config.js';
import type { SqliteFile } from '../store/sqlite/open.js';
import { LeaseError } from './errors.js';
import { makeProof } from './proof.js';
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

export interface SqliteLeaseOptions {
  /** The open store file: its exclusive lock is the lease on every tenant. */
  readonly file: SqliteFile;
  readonly tenants: TenantSource;
  readonly config: Pick<SessionConfig, 'leaseRenewIntervalMs' | 'revokeTimeoutMs'>;
}

/**
 * SQLite mode runs one replica: whoever holds the store file's exclusive
 * lock holds every tenant, at the epoch the file gained when it was taken.
 * The kernel keeps a second process out for as long as this one lives, so
 * there is nothing to renew; ticks only pick up created and deleted tenants.
 */
export class SqliteLeaseManager extends EventEmitter<LeaseEvents> implements LeaseManager {
  readonly mode = 'sqlite';
  readonly replicaId: string;
  private readonly leases = new Map<string, Lease>();
  private holder: LeaseHolder | undefined;
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();

  constructor(private readonly options: SqliteLeaseOptions) {
    super();
    this.replicaId = options.file.owner;
  }

  async start(holder: LeaseHolder): Promise<void> {
    if (this.state !== 'idle') throw new LeaseError('lease_stopped', 'start may be called once');
    this.holder = holder;
    this.state = 'running';
    await this.refresh();
    this.schedule();
  }

  held(): Lease[] {
    return [...this.leases.values()];
  }

  refresh(): Promise<void> {
    this.ticking = this.ticking.then(() => (this.state === 'running' ? this.tick() : undefined));
    return this.ticking;
  }

  async assertLease(tenant: string): Promise<LeaseProof> {
    if (this.state === 'stopped')
      throw new LeaseError('lease_stopped', `tenant ${tenant}`, { tenant });
    const lease = this.leases.get(tenant);
    if (!lease) throw new LeaseError('lease_not_held', `tenant ${tenant}`, { tenant });
    const { db, epoch } = this.options.file;
    let current: number | undefined;
    try {
      current = (
        db.prepare('SELECT epoch FROM worker_lock WHERE id = 1').get() as { epoch: number }
      ).epoch;
    } catch (error) {
      throw new LeaseError('lease_unverified', `tenant ${tenant}`, { tenant }, { cause: error });
    }
    if (current !== epoch) {
      throw new LeaseError('lease_lost', `store file epoch ${current}, ours ${epoch}`, {
        tenant,
        epoch,
      });
    }
    return makeProof(lease, Number.POSITIVE_INFINITY, 0, () => performance.now());
  }

  async shutdown(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    clearTimeout(this.timer);
    await this.ticking;
    await Promise.allSettled([...this.leases.values()].map((l) => this.revoke(l, 'shutdown')));
  }

  private schedule(): void {
    if (this.state !== 'running') return;
    this.timer = setTimeout(() => {
      void this.refresh().finally(() => this.schedule());
    }, this.options.config.leaseRenewIntervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let tenants: readonly string[];
    try {
      tenants = await this.options.tenants();
    } catch (error) {
      this.problem(error, 'tenants');
      return;
    }
    const wanted = new Set(tenants);
    const acquired: string[] = [];
    const revoked: string[] = [];
    for (const lease of [...this.leases.values()]) {
      if (wanted.has(lease.tenant)) continue;
      revoked.push(lease.tenant);
      void this.revoke(lease, 'removed');
    }
    for (const tenant of wanted) {
      if (this.leases.has(tenant)) continue;
      const lease = { tenant, epoch: this.options.file.epoch, owner: this.replicaId };
      this.leases.set(tenant, lease);
      acquired.push(tenant);
      this.emit('acquired', lease);
      try {
        this.holder?.start(lease);
      } catch (error) {
        this.problem(error, 'start', tenant);
      }
    }
    this.emit('tick', {
      replicas: 1,
      tenants: wanted.size,
      target: wanted.size,
      held: this.leases.size,
      acquired,
      revoked,
    });
  }

  private async revoke(lease: Lease, reason: RevokeReason): Promise<void> {
    this.leases.delete(lease.tenant);
    this.emit('revoked', lease, reason);
    try {
      await stopWithin(
        () => this.holder?.stop(lease.tenant, reason),
        this.options.config.revokeTimeoutMs,
        lease.tenant,
      );
      this.emit('released', lease);
    } catch (error) {
      this.problem(error, `stop:${reason}`, lease.tenant);
    }
  }

  private problem(error: unknown, during: string, tenant?: string): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.emit('problem', failure, tenant === undefined ? { during } : { during, tenant });
  }
}
