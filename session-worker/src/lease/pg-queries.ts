import type pg from 'pg';
import type { PgDatabase } from '../store/pg/connect.js';
import type { ReplicaLoad } from './fair-share.js';

/**
 * Every lease statement, each a single atomic statement judged by the
 * database clock (`now()`), never by a replica's own: clocks of replicas
 * differ, the database's is one.
 */
export interface LeaseRow {
  readonly tenant: string;
  readonly epoch: number;
  /** Lease time left by the database clock when the statement ran. */
  readonly remainingMs: number;
}

const interval = (param: string) => `make_interval(secs => ${param}::float8 / 1000)`;
const remaining = (column: string) => `(extract(epoch FROM (${column} - now())) * 1000)::float8`;

export class LeaseQueries {
  private readonly pool: pg.Pool;
  private readonly leases: string;
  private readonly replicas: string;

  constructor(database: PgDatabase) {
    this.pool = database.pool;
    this.leases = database.table('leases');
    this.replicas = database.table('replicas');
  }

  /**
   * Records this replica as live, forgets replicas dead for ten lease
   * lengths, and returns every live replica, oldest first, with the number
   * of unexpired leases each holds.
   */
  async heartbeat(replica: string, ttlMs: number): Promise<ReplicaLoad[]> {
    await this.pool.query(
      `DELETE FROM ${this.replicas} WHERE expires_at < now() - ${interval('$1')}`,
      [ttlMs * 10],
    );
    await this.pool.query(
      `INSERT INTO ${this.replicas} AS r (replica_id, started_at, heartbeat_at, expires_at)
       VALUES ($1, now(), now(), now() + ${interval('$2')})
       ON CONFLICT (replica_id) DO UPDATE
         SET heartbeat_at = now(), expires_at = excluded.expires_at`,
      [replica, ttlMs],
    );
    const { rows } = await this.pool.query<{ id: string; held: number }>(
      `SELECT r.replica_id AS id,
         (SELECT count(*)::int FROM ${this.leases} AS l
          WHERE l.owner_id = r.replica_id AND l.expires_at > now()) AS held
       FROM ${this.replicas} AS r WHERE r.expires_at > now()
       ORDER BY r.started_at, r.replica_id`,
    );
    return rows;
  }

  /** Removes this replica at once, so the others count one fewer on their next tick. */
  async leave(replica: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.replicas} WHERE replica_id = $1`, [replica]);
  }

  /** Extends the leases still ours at their epoch and unexpired; returns those. */
  async renew(owner: string, held: readonly { tenant: string; epoch: number }[], ttlMs: number) {
    if (held.length === 0) return [];
    const { rows } = await this.pool.query<{ tenant: string; epoch: string; remaining: number }>(
      `UPDATE ${this.leases} AS l
       SET expires_at = now() + ${interval('$2')}, renewed_at = now()
       FROM unnest($3::text[], $4::bigint[]) AS h(tenant_id, epoch)
       WHERE l.tenant_id = h.tenant_id AND l.epoch = h.epoch
         AND l.owner_id = $1 AND l.expires_at > now()
       RETURNING l.tenant_id AS tenant, l.epoch, ${remaining('l.expires_at')} AS remaining`,
      [owner, ttlMs, held.map((h) => h.tenant), held.map((h) => h.epoch)],
    );
    return rows.map(toLeaseRow);
  }

  /** Tenants of `tenants` that nobody holds: never leased, released, or expired. */
  async free(tenants: readonly string[], limit: number): Promise<string[]> {
    if (tenants.length === 0 || limit <= 0) return [];
    const { rows } = await this.pool.query<{ tenant: string }>(
      `SELECT t.tenant_id AS tenant
       FROM unnest($1::text[]) AS t(tenant_id)
       LEFT JOIN ${this.leases} AS l ON l.tenant_id = t.tenant_id
       WHERE l.tenant_id IS NULL OR l.owner_id IS NULL OR l.expires_at <= now()
       ORDER BY random() LIMIT $2`,
      [tenants, limit],
    );
    return rows.map((row) => row.tenant);
  }

  /**
   * Takes each tenant that is still free, raising its epoch. ON CONFLICT
   * locks the row and re-checks the condition, so of two replicas racing for
   * one tenant exactly one gets it.
   */
  async acquire(owner: string, tenants: readonly string[], ttlMs: number): Promise<LeaseRow[]> {
    if (tenants.length === 0) return [];
    const { rows } = await this.pool.query<{ tenant: string; epoch: string; remaining: number }>(
      `INSERT INTO ${this.leases} AS l
         (tenant_id, owner_id, epoch, expires_at, acquired_at, renewed_at)
       SELECT t, $1, 1, now() + ${interval('$3')}, now(), now() FROM unnest($2::text[]) AS t
       ON CONFLICT (tenant_id) DO UPDATE
         SET owner_id = excluded.owner_id, epoch = l.epoch + 1, expires_at = excluded.expires_at,
             acquired_at = now(), renewed_at = now()
         WHERE l.owner_id IS NULL OR l.expires_at <= now()
       RETURNING l.tenant_id AS tenant, l.epoch, ${remaining('l.expires_at')} AS remaining`,
      [owner, tenants, ttlMs],
    );
    return rows.map(toLeaseRow);
  }

  async release(owner: string, leases: readonly { tenant: string; epoch: number }[]) {
    if (leases.length === 0) return;
    await this.pool.query(
      `UPDATE ${this.leases} AS l SET owner_id = NULL, expires_at = now()
       FROM unnest($2::text[], $3::bigint[]) AS h(tenant_id, epoch)
       WHERE l.tenant_id = h.tenant_id AND l.epoch = h.epoch AND l.owner_id = $1`,
      [owner, leases.map((l) => l.tenant), leases.map((l) => l.epoch)],
    );
  }

  /** The lease as the database sees it now. */
  async read(
    tenant: string,
  ): Promise<{ owner: string | null; epoch: number; remainingMs: number } | undefined> {
    const { rows } = await this.pool.query<{
      owner: string | null;
      epoch: string;
      remaining: number;
    }>(
      `SELECT owner_id AS owner, epoch, ${remaining('expires_at')} AS remaining
       FROM ${this.leases} WHERE tenant_id = $1`,
      [tenant],
    );
    const row = rows[0];
    return row && { owner: row.owner, epoch: Number(row.epoch), remainingMs: row.remaining };
  }
}

function toLeaseRow(row: { tenant: string; epoch: string; remaining: number }): LeaseRow {
  return { tenant: row.tenant, epoch: Number(row.epoch), remainingMs: row.remaining };
}
