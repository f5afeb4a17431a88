/**
 * Versioned schema of the PostgreSQL store and leases, applied in order by
 * `openPostgres` under an advisory lock, so replicas starting together
 * migrate once. Append new versions; never edit one that has shipped.
 * Each takes the quoted schema name.
 */
export interface PgMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: (schema: string) => string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'auth state',
    sql: (s) => `
      CREATE TABLE ${s}.auth_tenants (
        tenant_id     text PRIMARY KEY,
        creds         text,
        account_id    text,
        generation    bigint NOT NULL,
        creds_version bigint NOT NULL DEFAULT 0,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE ${s}.auth_keys (
        tenant_id text NOT NULL REFERENCES ${s}.auth_tenants (tenant_id) ON DELETE CASCADE,
        type      text NOT NULL,
        id        text NOT NULL,
        value     text NOT NULL,
        PRIMARY KEY (tenant_id, type, id)
      );
    `,
  },
  {
    version: 2,
    name: 'leases and replica heartbeats',
    // Lease rows are never deleted: the epoch must keep rising for a tenant
    // even across delete and re-create, since rooms refuse lower epochs.
    sql: (s) => `
      CREATE TABLE ${s}.leases (
        tenant_id   text PRIMARY KEY,
        owner_id    text,
        epoch       bigint NOT NULL,
        expires_at  timestamptz NOT NULL,
        acquired_at timestamptz NOT NULL,
        renewed_at  timestamptz NOT NULL
      );
      CREATE INDEX leases_owner ON ${s}.leases (owner_id);
      CREATE TABLE ${s}.replicas (
        replica_id   text PRIMARY KEY,
        started_at   timestamptz NOT NULL,
        heartbeat_at timestamptz NOT NULL,
        expires_at   timestamptz NOT NULL
      );
    `,
  },
];
