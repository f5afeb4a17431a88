import { afterAll, describe, expect, it } from 'vitest';
import { PgLeaseManager, type Lease } from '../../src/lease/index.js';
import { parseSessionConfig } from '../../src/session/config.js';
import { createPgAuthStore, openPostgres } from '../../src/store/index.js';
import { TEST_DATABASE_URL, dropSchema, queryRows, uniqueSchema } from '../helpers/pg.js';

const config = parseSessionConfig({
  leaseDurationMs: 900,
  leaseRenewIntervalMs: 300,
  takeoverBoundMs: 1_500,
  revokeTimeoutMs: 500,
});
const schema = uniqueSchema('fenced');
afterAll(() => dropSchema(schema));

describe('a store fenced by the lease it runs under', () => {
  it(
    'takes writes from the lease holder and ' + 'refuses them once another replica took over',
    async () => {
      const dbA = await openPostgres({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 });
      const dbB = await openPostgres({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 });
      const storeA = createPgAuthStore(dbA);
      const tenants = async () => ['fenced'];
      const a = new PgLeaseManager({ database: dbA, tenants, config, replicaId: 'replica-a' });
      const b = new PgLeaseManager({ database: dbB, tenants, config, replicaId: 'replica-b' });
      try {
        let leaseA: Lease | undefined;
        await a.start({ start: (lease) => void (leaseA = lease), stop: async () => undefined });
        const auth = await storeA.load('fenced', {
          fence: { owner: a.replicaId, epoch: leaseA?.epoch ?? 0 },
        });
        await auth.state.keys.set({ session: { s: Buffer.from('from-a') } });

        // replica-a is paused: its lease runs out and replica-b takes the tenant.
        await queryRows(`UPDATE "${schema}".leases SET expires_at = now()`);
        await queryRows(`DELETE FROM "${schema}".replicas WHERE replica_id = 'replica-a'`);
        let leaseB: Lease | undefined;
        await b.start({ start: (lease) => void (leaseB = lease), stop: async () => undefined });
        expect(leaseB).toEqual({ tenant: 'fenced', epoch: 2, owner: 'replica-b' });

        await expect(
          auth.state.keys.set({ session: { s: Buffer.from('late-from-a') } }),
        ).rejects.toMatchObject({ code: 'store_fenced' });
        const rows = await queryRows<{ value: string }>(
          `SELECT value FROM "${schema}".auth_keys WHERE tenant_id = 'fenced'`,
        );
        expect(rows.map((r) => Buffer.from(JSON.parse(r.value).data, 'base64').toString())).toEqual(
          ['from-a'],
        );
      } finally {
        await a.shutdown();
        await b.shutdown();
        await storeA.close().catch(() => undefined);
        await dbB.close();
      }
    },
  );
});
