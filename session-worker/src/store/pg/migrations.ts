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
  {
    version: 3,
    name: 'API keys, sends, events, webhooks, received messages, tenant settings',
    // Times are epoch milliseconds (bigint), as in the SQLite store, so both
    // backends share one record shape.
    sql: (s) => `
      CREATE TABLE ${s}.api_keys (
        key_id     text PRIMARY KEY,
        tenant_id  text NOT NULL,
        hash       text NOT NULL,
        label      text,
        created_at bigint NOT NULL,
        revoked_at bigint
      );
      CREATE INDEX api_keys_tenant ON ${s}.api_keys (tenant_id);
      CREATE TABLE ${s}.sends (
        tenant_id     text NOT NULL,
        idem_key      text NOT NULL,
        request_hash  text NOT NULL,
        state         text NOT NULL,
        retryable     boolean NOT NULL,
        message_id    text,
        recipient     text NOT NULL,
        kind          text NOT NULL,
        error_code    text,
        error_message text,
        message       text,
        created_at    bigint NOT NULL,
        updated_at    bigint NOT NULL,
        ack_at        bigint,
        owner         text NOT NULL,
        PRIMARY KEY (tenant_id, idem_key)
      );
      CREATE INDEX sends_message ON ${s}.sends (tenant_id, message_id);
      CREATE INDEX sends_created ON ${s}.sends (created_at);
      CREATE TABLE ${s}.events (
        id        bigserial PRIMARY KEY,
        type      text NOT NULL,
        tenant_id text,
        at        bigint NOT NULL,
        data      text NOT NULL
      );
      CREATE INDEX events_tenant ON ${s}.events (tenant_id, id);
      CREATE INDEX events_at ON ${s}.events (at);
      CREATE TABLE ${s}.webhooks (
        webhook_id text PRIMARY KEY,
        tenant_id  text,
        url        text NOT NULL,
        events     text,
        secret     text NOT NULL,
        created_at bigint NOT NULL
      );
      CREATE TABLE ${s}.webhook_deliveries (
        id           bigserial PRIMARY KEY,
        webhook_id   text NOT NULL REFERENCES ${s}.webhooks (webhook_id) ON DELETE CASCADE,
        event_id     bigint NOT NULL,
        attempt      integer NOT NULL DEFAULT 0,
        next_at      bigint NOT NULL,
        locked_until bigint NOT NULL DEFAULT 0,
        last_status  integer,
        last_error   text
      );
      CREATE INDEX webhook_deliveries_due ON ${s}.webhook_deliveries (next_at);
      CREATE INDEX webhook_deliveries_hook ON ${s}.webhook_deliveries (webhook_id, next_at);
      CREATE TABLE ${s}.webhook_dead_letters (
        id          bigserial PRIMARY KEY,
        webhook_id  text NOT NULL REFERENCES ${s}.webhooks (webhook_id) ON DELETE CASCADE,
        event_id    bigint NOT NULL,
        event       text NOT NULL,
        attempts    integer NOT NULL,
        last_status integer,
        last_error  text,
        created_at  bigint NOT NULL
      );
      CREATE INDEX webhook_dead_letters_hook ON ${s}.webhook_dead_letters (webhook_id, id);
      CREATE TABLE ${s}.inbound_messages (
        tenant_id  text NOT NULL,
        message_id text NOT NULL,
        chat       text NOT NULL,
        at         bigint NOT NULL,
        raw        text NOT NULL,
        PRIMARY KEY (tenant_id, message_id)
      );
      CREATE INDEX inbound_messages_at ON ${s}.inbound_messages (at);
      CREATE TABLE ${s}.tenant_settings (
        tenant_id  text PRIMARY KEY,
        policy     text NOT NULL,
        updated_at bigint NOT NULL
      );
    `,
  },
];
