import type { TenantSummary, WriteFence } from './types.js';

/**
 * What a database must offer the generic store. Values arrive encoded
 * (JSON text); every write method commits before it resolves, and checks in
 * the same transaction that the tenant's generation is still the one the
 * handle loaded (a logout or import in between makes the handle stale).
 */
export interface KeyRow {
  readonly type: string;
  readonly id: string;
  /** Encoded value, or null to delete the key. */
  readonly value: string | null;
}

export interface LoadedCreds {
  readonly creds: string;
  readonly generation: number;
}

export interface CredsWrite {
  readonly creds: string;
  readonly account: string | null;
}

export interface AuthBackend {
  readonly kind: 'sqlite' | 'postgres';
  /** Returns the stored creds, storing `fresh` first if the tenant is new or cleared. */
  loadCreds(tenant: string, fresh: CredsWrite): Promise<LoadedCreds>;
  writeCreds(
    tenant: string,
    generation: number,
    write: CredsWrite,
    fence?: WriteFence,
  ): Promise<void>;
  readKeys(tenant: string, type: string, ids: readonly string[]): Promise<Map<string, string>>;
  writeKeys(
    tenant: string,
    generation: number,
    rows: readonly KeyRow[],
    fence?: WriteFence,
  ): Promise<void>;
  clearKeys(tenant: string, generation: number, fence?: WriteFence): Promise<void>;
  clearTenant(tenant: string): Promise<void>;
  deleteTenant(tenant: string): Promise<boolean>;
  listTenants(): Promise<TenantSummary[]>;
  /**
   * Replaces the tenant's whole state in one transaction and moves it to a
   * new generation; refuses with `import_tenant_exists` when the tenant has a
   * paired account and `replace` is false.
   */
  importTenant(
    tenant: string,
    creds: CredsWrite,
    rows: readonly KeyRow[],
    replace: boolean,
  ): Promise<void>;
  close(): Promise<void>;
}
