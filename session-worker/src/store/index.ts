/**
 * The auth-state store: one interface (`AuthStore`) over SQLite (default,
 * one file, exclusively locked) and PostgreSQL (several replicas).
 */
import { BackendAuthStore } from './auth-store.js';
import type { PgDatabase } from './pg/connect.js';
import { PgBackend } from './pg/backend.js';
import { SqliteBackend } from './sqlite/backend.js';
import type { SqliteFile } from './sqlite/open.js';
import type { AuthStore } from './types.js';

export type {
  AuthSnapshot,
  AuthStore,
  ImportOptions,
  OpenOptions,
  TenantAuth,
  TenantSummary,
  WriteFence,
} from './types.js';
export { STORE_ERRORS, StoreError, isStoreError, type StoreErrorCode } from './errors.js';
export { KEY_TYPES, type KeyType } from './codec.js';
export {
  openSqliteFile,
  type LockHolder,
  type LockWait,
  type SqliteFile,
  type SqliteOpenOptions,
} from './sqlite/open.js';
export { SQLITE_MIGRATIONS } from './sqlite/migrations.js';
export { openPostgres, type PgDatabase, type PgOpenOptions } from './pg/connect.js';
export { PG_MIGRATIONS } from './pg/migrations.js';
export {
  importMultiFileFolder,
  type FolderImportOptions,
  type FolderImportResult,
} from './import/multi-file.js';

/** The store over a locked SQLite file; closing the store closes the file. */
export function createSqliteAuthStore(file: SqliteFile): AuthStore {
  return new BackendAuthStore(new SqliteBackend(file));
}

/** The store over a migrated PostgreSQL schema; closing the store ends the pool. */
export function createPgAuthStore(database: PgDatabase): AuthStore {
  return new BackendAuthStore(new PgBackend(database));
}
