import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  createPgAuthStore,
  openPostgres,
  type AuthStore,
  type PgDatabase,
} from '../../src/store/index.js';
import { TEST_DATABASE_URL, dropSchema, queryRows, uniqueSchema } from '../helpers/pg.js';

const schemas: string[] = [];
const stores: AuthStore[] = [];

async function openStore(schema: string): Promise<AuthStore> {
  const store = createPgAuthStore(
    await openPostgres({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 }),
  );
  stores.push(store);
  return store;
}

function freshSchema(label: string): string {
  const schema = uniqueSchema(label);
  schemas.push(schema);
  return schema;
}

async function setLease(schema: string, tenant: string, owner: string, epoch: number) {
  await queryRows(
    `INSERT INTO "${schema}".leases
       (tenant_id, owner_id, epoch, expires_at, acquired_at, renewed_at)
     VALUES ($1, $2, $3, now() + interval '1 minute', now(), now())
     ON CONFLICT (tenant_id) DO UPDATE SET owner_id = $2, epoch = $3`,
    [tenant, owner, epoch],
  );
}

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close().catch(() => undefined);
});
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

describe('writes fenced by a lease epoch', () => {
  it('succeed while the lease is ours and are refused once another replica took it', async () => {
    const schema = freshSchema('fence');
    const store = await openStore(schema);
    await setLease(schema, 'fenced', 'replica-a', 1);
    const failures: string[] = [];
    const auth = await store.load('fenced', {
      fence: { owner: 'replica-a', epoch: 1 },
      onWriteError: (error) => failures.push((error as { code?: string }).code ?? 'none'),
    });
    await auth.state.keys.set({ session: { s: Buffer.from('mine') } });
    auth.state.creds.accountSyncCounter = 1;
    await auth.saveCreds();

    await setLease(schema, 'fenced', 'replica-b', 2);
    await expect(
      auth.state.keys.set({ session: { s: Buffer.from('stale') } }),
    ).rejects.toMatchObject({
      code: 'store_fenced',
    });
    auth.state.creds.accountSyncCounter = 2;
    await expect(auth.saveCreds()).rejects.toMatchObject({ code: 'store_fenced' });
    await expect(auth.state.keys.clear?.()).rejects.toMatchObject({ code: 'store_fenced' });
    expect(failures).toEqual(['store_fenced', 'store_fenced', 'store_fenced']);

    expect(await auth.state.keys.get('session', ['s'])).toEqual({ s: Buffer.from('mine') });
    const rows = await queryRows<{ creds: string }>(
      `SELECT creds FROM "${schema}".auth_tenants WHERE tenant_id = 'fenced'`,
    );
    expect(JSON.parse(rows[0]?.creds ?? '{}').accountSyncCounter).toBe(1);
  });

  it(
    'flush reports creds that stay unsaved, ' + 'so a restart does not go on without them',
    async () => {
      const schema = freshSchema('fence_flush');
      const store = await openStore(schema);
      await setLease(schema, 'unsaved', 'replica-a', 3);
      const auth = await store.load('unsaved', { fence: { owner: 'replica-a', epoch: 3 } });
      await setLease(schema, 'unsaved', 'replica-b', 4);
      auth.state.creds.accountSyncCounter = 9;
      void auth.saveCreds().catch(() => undefined);
      await expect(auth.flush()).rejects.toMatchObject({ code: 'store_write_failed' });
      await expect(auth.flush()).rejects.toThrow(/store_write_failed: creds of tenant unsaved/);
    },
  );

  it('refuse a handle without a lease row at all', async () => {
    const schema = freshSchema('fence_none');
    const store = await openStore(schema);
    const auth = await store.load('unleased', { fence: { owner: 'replica-a', epoch: 1 } });
    await expect(auth.state.keys.set({ session: { s: Buffer.from('x') } })).rejects.toMatchObject({
      code: 'store_fenced',
    });
  });
});

describe('a handle of one replica after another replica logged the tenant out', () => {
  it('can no longer write anything (store_stale_handle), and the logout stands', async () => {
    const schema = freshSchema('stale');
    const first = await openStore(schema);
    const second = await openStore(schema);
    const auth = await first.load('shared');
    await auth.state.keys.set({ session: { s: Buffer.from('old') } });
    await second.clear('shared');
    await expect(auth.saveCreds()).rejects.toMatchObject({ code: 'store_stale_handle' });
    await expect(auth.state.keys.set({ session: { s: Buffer.from('x') } })).rejects.toMatchObject({
      code: 'store_stale_handle',
    });
    expect((await second.list()).map((t) => t.account)).toEqual([null]);
    const rows = await queryRows(`SELECT 1 FROM "${schema}".auth_keys`);
    expect(rows).toEqual([]);
  });
});

describe('PostgreSQL migrations', () => {
  it('run once when three replicas start together on an empty schema', async () => {
    const schema = freshSchema('migrate');
    const databases: PgDatabase[] = await Promise.all(
      [1, 2, 3].map(() =>
        openPostgres({ connectionString: TEST_DATABASE_URL, schema, poolSize: 1 }),
      ),
    );
    await Promise.all(databases.map((db) => db.close()));
    const rows = await queryRows<{ version: number; name: string }>(
      `SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`,
    );
    expect(rows).toEqual([
      { version: 1, name: 'auth state' },
      { version: 2, name: 'leases and replica heartbeats' },
      {
        version: 3,
        name: 'API keys, sends, events, webhooks, received messages, tenant settings',
      },
    ]);
  });

  it('refuse a schema migrated by a newer release', async () => {
    const schema = freshSchema('newer');
    await (await openPostgres({ connectionString: TEST_DATABASE_URL, schema })).close();
    await queryRows(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES (99, 'x')`);
    await expect(
      openPostgres({ connectionString: TEST_DATABASE_URL, schema }),
    ).rejects.toMatchObject({ code: 'store_schema_newer' });
  });

  it('refuse a schema name that is not a plain identifier', async () => {
    await expect(
      openPostgres({ connectionString: TEST_DATABASE_URL, schema: 'x"; DROP TABLE y; --' }),
    ).rejects.toMatchObject({ code: 'store_invalid_option' });
  });
});
