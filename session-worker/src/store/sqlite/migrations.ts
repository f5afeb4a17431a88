import type { Database } from 'better-sqlite3';
import { StoreError } from '../errors.js';

/**
 * Versioned schema of the SQLite store, tracked in `PRAGMA user_version`.
 * Append new versions; never edit one that has shipped.
 */
export const SQLITE_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'auth state and worker lock',
    sql: `
      CREATE TABLE auth_tenants (
        tenant_id     TEXT PRIMARY KEY,
        creds         TEXT,
        account_id    TEXT,
        generation    INTEGER NOT NULL,
        creds_version INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE auth_keys (
        tenant_id TEXT NOT NULL REFERENCES auth_tenants (tenant_id) ON DELETE CASCADE,
        type      TEXT NOT NULL,
        id        TEXT NOT NULL,
        value     TEXT NOT NULL,
        PRIMARY KEY (tenant_id, type, id)
      ) WITHOUT ROWID;
      CREATE TABLE worker_lock (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        epoch       INTEGER NOT NULL,
        owner       TEXT,
        acquired_at INTEGER
      );
      INSERT INTO worker_lock (id, epoch) VALUES (1, 0);
    `,
  },
];

export function migrateSqlite(db: Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = SQLITE_MIGRATIONS.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new StoreError(
      'store_schema_newer',
      `the SQLite store is at schema ${current}; this release knows up to ${latest}`,
      { current, latest },
    );
  }
  for (const migration of SQLITE_MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return latest;
}
