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
  {
    version: 2,
    name: 'API keys, sends, events, webhooks, received messages, tenant settings',
    sql: `
      CREATE TABLE api_keys (
        key_id     TEXT PRIMARY KEY,
        tenant_id  TEXT NOT NULL,
        hash       TEXT NOT NULL,
        label      TEXT,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      ) WITHOUT ROWID;
      CREATE INDEX api_keys_tenant ON api_keys (tenant_id);
      CREATE TABLE sends (
        tenant_id     TEXT NOT NULL,
        idem_key      TEXT NOT NULL,
        request_hash  TEXT NOT NULL,
        state         TEXT NOT NULL,
        retryable     INTEGER NOT NULL,
        message_id    TEXT,
        recipient     TEXT NOT NULL,
        kind          TEXT NOT NULL,
        error_code    TEXT,
        error_message TEXT,
        message       TEXT,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        ack_at        INTEGER,
        owner         TEXT NOT NULL,
        PRIMARY KEY (tenant_id, idem_key)
      ) WITHOUT ROWID;
      CREATE INDEX sends_message ON sends (tenant_id, message_id);
      CREATE INDEX sends_created ON sends (created_at);
      CREATE TABLE events (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        type      TEXT NOT NULL,
        tenant_id TEXT,
        at        INTEGER NOT NULL,
        data      TEXT NOT NULL
      );
      CREATE INDEX events_tenant ON events (tenant_id, id);
      CREATE INDEX events_at ON events (at);
      CREATE TABLE webhooks (
        webhook_id TEXT PRIMARY KEY,
        tenant_id  TEXT,
        url        TEXT NOT NULL,
        events     TEXT,
        secret     TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE webhook_deliveries (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        webhook_id   TEXT NOT NULL REFERENCES webhooks (webhook_id) ON DELETE CASCADE,
        event_id     INTEGER NOT NULL,
        attempt      INTEGER NOT NULL DEFAULT 0,
        next_at      INTEGER NOT NULL,
        locked_until INTEGER NOT NULL DEFAULT 0,
        last_status  INTEGER,
        last_error   TEXT
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at);
      CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, next_at);
      CREATE TABLE webhook_dead_letters (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        webhook_id  TEXT NOT NULL REFERENCES webhooks (webhook_id) ON DELETE CASCADE,
        event_id    INTEGER NOT NULL,
        event       TEXT NOT NULL,
        attempts    INTEGER NOT NULL,
        last_status INTEGER,
        last_error  TEXT,
        created_at  INTEGER NOT NULL
      );
      CREATE INDEX webhook_dead_letters_hook ON webhook_dead_letters (webhook_id, id);
      CREATE TABLE inbound_messages (
        tenant_id  TEXT NOT NULL,
        message_id TEXT NOT NULL,
        chat       TEXT NOT NULL,
        at         INTEGER NOT NULL,
        raw        TEXT NOT NULL,
        PRIMARY KEY (tenant_id, message_id)
      ) WITHOUT ROWID;
      CREATE INDEX inbound_messages_at ON inbound_messages (at);
      CREATE TABLE tenant_settings (
        tenant_id  TEXT PRIMARY KEY,
        policy     TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
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
