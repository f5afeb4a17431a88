import type pg from 'pg';
import type { AuthBackend, CredsWrite, KeyRow, LoadedCreds } from '../backend.js';
import { StoreError } from '../errors.js';
import type { TenantSummary, WriteFence } from '../types.js';
import type { PgDatabase } from './connect.js';

/**
 * Each write is one statement, so it commits atomically on its own. The
 * statement first locks the tenant row (and, when fenced, the lease row) FOR
 * SHARE and writes only if the generation and the lease epoch still match:
 * a takeover's lease update waits for the write, and no write of the old
 * owner lands after it.
 */
export class PgBackend implements AuthBackend {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private readonly tenants: string;
  private readonly keys: string;
  private readonly leases: string;

  constructor(private readonly database: PgDatabase) {
    this.pool = database.pool;
    this.tenants = database.table('auth_tenants');
    this.keys = database.table('auth_keys');
    this.leases = database.table('leases');
  }

  async loadCreds(tenant: string, fresh: CredsWrite): Promise<LoadedCreds> {
    const inserted = await this.pool.query<{ creds: string; generation: string }>(
      `INSERT INTO ${this.tenants} AS t (tenant_id, creds, account_id, generation)
       VALUES ($1, $2, $3, 1)
       ON CONFLICT (tenant_id) DO UPDATE
         SET creds = excluded.creds, account_id = excluded.account_id, updated_at = now()
         WHERE t.creds IS NULL
       RETURNING creds, generation`,
      [tenant, fresh.creds, fresh.account],
    );
    const row =
      inserted.rows[0] ??
      (
        await this.pool.query<{ creds: string; generation: string }>(
          `SELECT creds, generation FROM ${this.tenants} WHERE tenant_id = $1`,
          [tenant],
        )
      ).rows[0];
    if (!row?.creds) return this.loadCreds(tenant, fresh);
    return { creds: row.creds, generation: Number(row.generation) };
  }

  async writeCreds(
    tenant: string,
    generation: number,
    write: CredsWrite,
    fence?: WriteFence,
  ): Promise<void> {
    const { rows } = await this.pool.query<{ ok: boolean }>(
      `WITH ok AS (${this.guard(fence)})
       UPDATE ${this.tenants} AS t
       SET creds = $5, account_id = $6, creds_version = creds_version + 1, updated_at = now()
       FROM ok WHERE t.tenant_id = $1
       RETURNING true AS ok`,
      [tenant, generation, ...fenceParams(fence), write.creds, write.account],
    );
    if (rows.length === 0) await this.explainRefusal(tenant, generation, fence);
  }

  async readKeys(tenant: string, type: string, ids: readonly string[]) {
    const found = new Map<string, string>();
    if (ids.length === 0) return found;
    const { rows } = await this.pool.query<{ id: string; value: string }>(
      `SELECT id, value FROM ${this.keys} WHERE tenant_id = $1 AND type = $2 AND id = ANY($3)`,
      [tenant, type, ids],
    );
    for (const row of rows) found.set(row.id, row.value);
    return found;
  }

  async writeKeys(
    tenant: string,
    generation: number,
    rows: readonly KeyRow[],
    fence?: WriteFence,
  ): Promise<void> {
    const upserts = rows.filter((row) => row.value !== null);
    const deletes = rows.filter((row) => row.value === null);
    const { rows: result } = await this.pool.query<{ ok: number }>(
      `WITH ok AS (${this.guard(fence)}),
       removed AS (
         DELETE FROM ${this.keys} AS k
         USING unnest($5::text[], $6::text[]) AS d(type, id), ok
         WHERE k.tenant_id = $1 AND k.type = d.type AND k.id = d.id
         RETURNING 1
       ),
       written AS (
         INSERT INTO ${this.keys} (tenant_id, type, id, value)
         SELECT $1, u.type, u.id, u.value
         FROM unnest($7::text[], $8::text[], $9::text[]) AS u(type, id, value), ok
         ON CONFLICT (tenant_id, type, id) DO UPDATE SET value = excluded.value
         RETURNING 1
       )
       SELECT count(*)::int AS ok FROM ok`,
      [
        tenant,
        generation,
        ...fenceParams(fence),
        deletes.map((r) => r.type),
        deletes.map((r) => r.id),
        upserts.map((r) => r.type),
        upserts.map((r) => r.id),
        upserts.map((r) => r.value),
      ],
    );
    if (result[0]?.ok !== 1) await this.explainRefusal(tenant, generation, fence);
  }

  async clearKeys(tenant: string, generation: number, fence?: WriteFence): Promise<void> {
    const { rows } = await this.pool.query<{ ok: number }>(
      `WITH ok AS (${this.guard(fence)}),
       removed AS (DELETE FROM ${this.keys} AS k USING ok WHERE k.tenant_id = $1 RETURNING 1)
       SELECT count(*)::int AS ok FROM ok`,
      [tenant, generation, ...fenceParams(fence)],
    );
    if (rows[0]?.ok !== 1) await this.explainRefusal(tenant, generation, fence);
  }

  async clearTenant(tenant: string): Promise<void> {
    await this.transaction(async (client) => {
      await client.query(`DELETE FROM ${this.keys} WHERE tenant_id = $1`, [tenant]);
      await client.query(
        `UPDATE ${this.tenants} SET creds = NULL, account_id = NULL,
         generation = generation + 1, updated_at = now() WHERE tenant_id = $1`,
        [tenant],
      );
    });
  }

  async deleteTenant(tenant: string): Promise<boolean> {
    const result = await this.pool.query(`DELETE FROM ${this.tenants} WHERE tenant_id = $1`, [
      tenant,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async listTenants(): Promise<TenantSummary[]> {
    const { rows } = await this.pool.query<{
      tenant: string;
      account: string | null;
      created_at: Date;
      updated_at: Date;
    }>(
      `SELECT tenant_id AS tenant, account_id AS account, created_at, updated_at
       FROM ${this.tenants} ORDER BY tenant_id`,
    );
    return rows.map((row) => ({
      tenant: row.tenant,
      account: row.account,
      createdAt: row.created_at.getTime(),
      updatedAt: row.updated_at.getTime(),
    }));
  }

  async importTenant(
    tenant: string,
    creds: CredsWrite,
    rows: readonly KeyRow[],
    replace: boolean,
  ): Promise<void> {
    await this.transaction(async (client) => {
      const existing = await client.query<{ account: string | null }>(
        `SELECT account_id AS account FROM ${this.tenants} WHERE tenant_id = $1 FOR UPDATE`,
        [tenant],
      );
      if (existing.rows[0]?.account && !replace) {
        throw new StoreError('import_tenant_exists', `tenant ${tenant}`, { tenant });
      }
      await client.query(`DELETE FROM ${this.keys} WHERE tenant_id = $1`, [tenant]);
      await client.query(
        `INSERT INTO ${this.tenants} AS t (tenant_id, creds, account_id, generation)
         VALUES ($1, $2, $3, 1)
         ON CONFLICT (tenant_id) DO UPDATE SET creds = excluded.creds,
           account_id = excluded.account_id, generation = t.generation + 1,
           creds_version = t.creds_version + 1, updated_at = now()`,
        [tenant, creds.creds, creds.account],
      );
      await client.query(
        `INSERT INTO ${this.keys} (tenant_id, type, id, value)
         SELECT $1, u.type, u.id, u.value FROM unnest($2::text[], $3::text[], $4::text[])
           AS u(type, id, value)`,
        [tenant, rows.map((r) => r.type), rows.map((r) => r.id), rows.map((r) => r.value)],
      );
    });
  }

  async close(): Promise<void> {
    await this.database.close();
  }

  /** The row set of one tenant row at the handle's generation, lease row too when fenced. */
  private guard(fence: WriteFence | undefined): string {
    if (!fence) {
      return `SELECT 1 FROM ${this.tenants}
              WHERE tenant_id = $1 AND generation = $2 AND $3::text IS NULL AND $4::bigint IS NULL
              FOR SHARE`;
    }
    return `SELECT 1 FROM ${this.tenants} AS g
            JOIN ${this.leases} AS l
              ON l.tenant_id = g.tenant_id AND l.owner_id = $3 AND l.epoch = $4
            WHERE g.tenant_id = $1 AND g.generation = $2 FOR SHARE`;
  }

  private async explainRefusal(
    tenant: string,
    generation: number,
    fence: WriteFence | undefined,
  ): Promise<never> {
    const { rows } = await this.pool.query<{ generation: string }>(
      `SELECT generation FROM ${this.tenants} WHERE tenant_id = $1`,
      [tenant],
    );
    if (fence && Number(rows[0]?.generation) === generation) {
      throw new StoreError(
        'store_fenced',
        `tenant ${tenant}: lease epoch ${fence.epoch} of ${fence.owner} is no longer current`,
        { tenant, epoch: fence.epoch },
      );
    }
    throw new StoreError('store_stale_handle', `tenant ${tenant}`, { tenant });
  }

  private async transaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** Always $3 and $4, so the statements' numbering does not depend on the fence. */
function fenceParams(fence: WriteFence | undefined): unknown[] {
  return fence ? [fence.owner, fence.epoch] : [null, null];
}
