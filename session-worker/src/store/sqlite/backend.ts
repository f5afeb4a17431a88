import type { Database, Statement } from 'better-sqlite3';
import type { AuthBackend, CredsWrite, KeyRow, LoadedCreds } from '../backend.js';
import { StoreError } from '../errors.js';
import type { TenantSummary } from '../types.js';
import type { SqliteFile } from './open.js';

/**
 * better-sqlite3 runs each statement to completion before returning, so a
 * write's transaction is committed (and, with `synchronous=FULL`, synced)
 * before the promise the handle hands to Baileys resolves.
 */
export class SqliteBackend implements AuthBackend {
  readonly kind = 'sqlite';
  private readonly db: Database;
  private readonly sql: Record<
    | 'tenant'
    | 'insertTenant'
    | 'refill'
    | 'writeCreds'
    | 'readKeys'
    | 'upsertKey'
    | 'deleteKey'
    | 'deleteKeys'
    | 'clearTenant'
    | 'deleteTenant'
    | 'list'
    | 'replaceTenant',
    Statement
  >;

  constructor(private readonly file: SqliteFile) {
    const db = file.db;
    this.db = db;
    this.sql = {
      tenant: db.prepare(
        'SELECT creds, account_id AS account, generation FROM auth_tenants WHERE tenant_id = ?',
      ),
      insertTenant: db.prepare(
        `INSERT INTO auth_tenants (tenant_id, creds, account_id, generation, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      refill: db.prepare(
        'UPDATE auth_tenants SET creds = ?, account_id = ?, updated_at = ? WHERE tenant_id = ?',
      ),
      writeCreds: db.prepare(
        `UPDATE auth_tenants
         SET creds = ?, account_id = ?, creds_version = creds_version + 1, updated_at = ?
         WHERE tenant_id = ? AND generation = ?`,
      ),
      readKeys: db.prepare(
        `SELECT id, value FROM auth_keys
         WHERE tenant_id = ? AND type = ? AND id IN (SELECT value FROM json_each(?))`,
      ),
      upsertKey: db.prepare(
        `INSERT INTO auth_keys (tenant_id, type, id, value) VALUES (?, ?, ?, ?)
         ON CONFLICT (tenant_id, type, id) DO UPDATE SET value = excluded.value`,
      ),
      deleteKey: db.prepare('DELETE FROM auth_keys WHERE tenant_id = ? AND type = ? AND id = ?'),
      deleteKeys: db.prepare('DELETE FROM auth_keys WHERE tenant_id = ?'),
      clearTenant: db.prepare(
        `UPDATE auth_tenants SET creds = NULL, account_id = NULL,
         generation = generation + 1, updated_at = ? WHERE tenant_id = ?`,
      ),
      deleteTenant: db.prepare('DELETE FROM auth_tenants WHERE tenant_id = ?'),
      list: db.prepare(
        `SELECT tenant_id AS tenant, account_id AS account, created_at AS createdAt,
         updated_at AS updatedAt FROM auth_tenants ORDER BY tenant_id`,
      ),
      replaceTenant: db.prepare(
        `UPDATE auth_tenants SET creds = ?, account_id = ?, generation = generation + 1,
         creds_version = creds_version + 1, updated_at = ? WHERE tenant_id = ?`,
      ),
    };
  }

  async loadCreds(tenant: string, fresh: CredsWrite): Promise<LoadedCreds> {
    return this.db
      .transaction((): LoadedCreds => {
        const row = this.row(tenant);
        const now = Date.now();
        if (!row) {
          this.sql.insertTenant.run(tenant, fresh.creds, fresh.account, 1, now, now);
          return { creds: fresh.creds, generation: 1 };
        }
        if (row.creds === null) {
          this.sql.refill.run(fresh.creds, fresh.account, now, tenant);
          return { creds: fresh.creds, generation: row.generation };
        }
        return { creds: row.creds, generation: row.generation };
      })
      .immediate();
  }

  async writeCreds(tenant: string, generation: number, write: CredsWrite): Promise<void> {
    const result = this.sql.writeCreds.run(
      write.creds,
      write.account,
      Date.now(),
      tenant,
      generation,
    );
    if (result.changes === 0) throw stale(tenant);
  }

  async readKeys(tenant: string, type: string, ids: readonly string[]) {
    const found = new Map<string, string>();
    if (ids.length === 0) return found;
    const rows = this.sql.readKeys.all(tenant, type, JSON.stringify(ids)) as {
      id: string;
      value: string;
    }[];
    for (const row of rows) found.set(row.id, row.value);
    return found;
  }

  async writeKeys(tenant: string, generation: number, rows: readonly KeyRow[]): Promise<void> {
    this.db
      .transaction(() => {
        this.assertGeneration(tenant, generation);
        for (const row of rows) {
          if (row.value === null) this.sql.deleteKey.run(tenant, row.type, row.id);
          else this.sql.upsertKey.run(tenant, row.type, row.id, row.value);
        }
      })
      .immediate();
  }

  async clearKeys(tenant: string, generation: number): Promise<void> {
    this.db
      .transaction(() => {
        this.assertGeneration(tenant, generation);
        this.sql.deleteKeys.run(tenant);
      })
      .immediate();
  }

  async clearTenant(tenant: string): Promise<void> {
    this.db
      .transaction(() => {
        this.sql.deleteKeys.run(tenant);
        this.sql.clearTenant.run(Date.now(), tenant);
      })
      .immediate();
  }

  async deleteTenant(tenant: string): Promise<boolean> {
    return this.sql.deleteTenant.run(tenant).changes > 0;
  }

  async listTenants(): Promise<TenantSummary[]> {
    return this.sql.list.all() as TenantSummary[];
  }

  async importTenant(
    tenant: string,
    creds: CredsWrite,
    rows: readonly KeyRow[],
    replace: boolean,
  ): Promise<void> {
    this.db
      .transaction(() => {
        const row = this.row(tenant);
        const now = Date.now();
        if (row?.account && !replace) throw exists(tenant);
        if (row) {
          this.sql.deleteKeys.run(tenant);
          this.sql.replaceTenant.run(creds.creds, creds.account, now, tenant);
        } else {
          this.sql.insertTenant.run(tenant, creds.creds, creds.account, 1, now, now);
        }
        for (const key of rows) this.sql.upsertKey.run(tenant, key.type, key.id, key.value);
      })
      .immediate();
  }

  async close(): Promise<void> {
    this.file.close();
  }

  private row(tenant: string) {
    return this.sql.tenant.get(tenant) as
      { creds: string | null; account: string | null; generation: number } | undefined;
  }

  private assertGeneration(tenant: string, generation: number): void {
    if (this.row(tenant)?.generation !== generation) throw stale(tenant);
  }
}

function stale(tenant: string): StoreError {
  return new StoreError('store_stale_handle', `tenant ${tenant}`, { tenant });
}

function exists(tenant: string): StoreError {
  return new StoreError('import_tenant_exists', `tenant ${tenant}`, { tenant });
}
