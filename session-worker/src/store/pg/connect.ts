import pg from 'pg';
import { StoreError } from '../errors.js';
import { PG_MIGRATIONS } from './migrations.js';

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PgOpenOptions {
  readonly connectionString: string;
  /** Schema holding every table of the store and the leases. */
  readonly schema?: string;
  readonly poolSize?: number;
  readonly applicationName?: string;
  /**
   * Errors of idle pooled connections (a server restart, a dropped link).
   * pg emits them on the pool; without a listener Node would crash.
   */
  readonly onError?: (error: Error) => void;
}

/** A pool bound to one schema, migrated to the latest version. */
export interface PgDatabase {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** The schema-qualified, quoted name of a table. */
  table(name: string): string;
  close(): Promise<void>;
}

export async function openPostgres(options: PgOpenOptions): Promise<PgDatabase> {
  const schema = options.schema ?? 'pasarela';
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new StoreError(
      'store_invalid_option',
      `schema name "${schema}" is not a plain identifier`,
      {
        schema,
      },
    );
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'pasarela-session-worker',
  });
  pool.on('error', (error) => options.onError?.(error));
  const quoted = `"${schema}"`;
  const database: PgDatabase = {
    pool,
    schema,
    table: (name) => `${quoted}."${name}"`,
    close: () => pool.end(),
  };
  try {
    await migratePostgres(pool, schema);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return database;
}

async function migratePostgres(pool: pg.Pool, schema: string): Promise<void> {
  const s = `"${schema}"`;
  const latest = PG_MIGRATIONS.at(-1)?.version ?? 0;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `pasarela-migrate:${schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ current: number | null }>(
      `SELECT max(version) AS current FROM ${s}.schema_migrations`,
    );
    const current = rows[0]?.current ?? 0;
    if (current > latest) {
      throw new StoreError(
        'store_schema_newer',
        `schema ${schema} is at version ${current}; this release knows up to ${latest}`,
        { schema, current, latest },
      );
    }
    for (const migration of PG_MIGRATIONS) {
      if (migration.version <= current) continue;
      await client.query(migration.sql(s));
      await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
