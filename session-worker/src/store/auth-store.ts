import { initAuthCreds } from '@whiskeysockets/baileys';
import { isTenantId } from '@pasarela/shared';
import type { AuthBackend, KeyRow } from './backend.js';
import { decodeCreds, encodeValue, pairedAccountOf } from './codec.js';
import { StoreError } from './errors.js';
import { BackendTenantAuth } from './tenant-auth.js';
import type {
  AuthSnapshot,
  AuthStore,
  ImportOptions,
  OpenOptions,
  TenantAuth,
  TenantSummary,
} from './types.js';

/**
 * The store every backend shares. It keeps at most one open handle per
 * tenant in this process, which is the store's side of "one socket per
 * tenant": a second load while the first is open is a bug upstream.
 */
export class BackendAuthStore implements AuthStore {
  private readonly open = new Map<string, BackendTenantAuth | 'loading'>();
  private closed = false;

  constructor(private readonly backend: AuthBackend) {}

  get kind(): 'sqlite' | 'postgres' {
    return this.backend.kind;
  }

  async load(tenant: string, options: OpenOptions = {}): Promise<TenantAuth> {
    this.assertUsable(tenant);
    if (this.open.has(tenant)) {
      throw new StoreError('store_tenant_open', `tenant ${tenant} is already loaded`, { tenant });
    }
    this.open.set(tenant, 'loading');
    try {
      const fresh = initAuthCreds();
      const loaded = await this.backend.loadCreds(tenant, {
        creds: encodeValue(fresh),
        account: null,
      });
      const creds = decodeCreds(loaded.creds, tenant);
      const handle = new BackendTenantAuth(
        tenant,
        creds,
        loaded.generation,
        this.backend,
        options,
        () => this.open.delete(tenant),
      );
      this.open.set(tenant, handle);
      return handle;
    } catch (error) {
      this.open.delete(tenant);
      throw error;
    }
  }

  async clear(tenant: string): Promise<void> {
    this.assertClosedHere(tenant);
    await this.backend.clearTenant(tenant);
  }

  async delete(tenant: string): Promise<boolean> {
    this.assertClosedHere(tenant);
    return this.backend.deleteTenant(tenant);
  }

  async list(): Promise<TenantSummary[]> {
    this.assertUsable();
    return this.backend.listTenants();
  }

  async importSnapshot(
    tenant: string,
    snapshot: AuthSnapshot,
    options: ImportOptions = {},
  ): Promise<void> {
    this.assertClosedHere(tenant);
    const rows: KeyRow[] = [];
    for (const [type, entries] of snapshot.keys) {
      for (const [id, value] of entries) {
        if (value !== null && value !== undefined)
          rows.push({ type, id, value: encodeValue(value) });
      }
    }
    const creds = { creds: encodeValue(snapshot.creds), account: pairedAccountOf(snapshot.creds) };
    await this.backend.importTenant(tenant, creds, rows, options.replace ?? false);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const handles = [...this.open.values()].filter((h) => h !== 'loading');
    const results = await Promise.allSettled(handles.map((handle) => handle.close()));
    this.closed = true;
    await this.backend.close();
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private assertUsable(tenant?: string): void {
    if (this.closed) throw new StoreError('store_closed', 'the auth store is closed');
    if (tenant !== undefined && !isTenantId(tenant)) {
      throw new StoreError('store_invalid_tenant', `"${String(tenant).slice(0, 64)}"`, {});
    }
  }

  private assertClosedHere(tenant: string): void {
    this.assertUsable(tenant);
    if (this.open.has(tenant)) {
      throw new StoreError('store_tenant_open', `tenant ${tenant} is loaded; close it first`, {
        tenant,
      });
    }
  }
}
