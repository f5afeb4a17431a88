import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  PgLeaseManager,
  isLeaseError,
  type Lease,
  type LeaseHolder,
  type RevokeReason,
} from '../../src/lease/index.js';
import { parseSessionConfig } from '../../src/session/config.js';
import { openPostgres, type PgDatabase } from '../../src/store/index.js';
import { TEST_DATABASE_URL, dropSchema, queryRows, uniqueSchema } from '../helpers/pg.js';

const config = parseSessionConfig({
  leaseDurationMs: 900,
  leaseRenewIntervalMs: 300,
  takeoverBoundMs: 1_500,
  revokeTimeoutMs: 500,
});
// Waits are bounded by a few lease lengths: a slow shared machine may delay ticks.
const SETTLE_MS = config.takeoverBoundMs * 4;

/** Records what the manager asked of it, and answers stop after `stopDelayMs`. */
class RecordingHolder implements LeaseHolder {
  readonly started: Lease[] = [];
  readonly stopped: { tenant: string; reason: RevokeReason }[] = [];
  stopDelayMs = 0;
  onStop: (tenant: string) => Promise<void> = async () => undefined;
  start(lease: Lease): void {
    this.started.push(lease);
  }
  async stop(tenant: string, reason: RevokeReason): Promise<void> {
    await this.onStop(tenant);
    await new Promise((resolve) => setTimeout(resolve, this.stopDelayMs));
    this.stopped.push({ tenant, reason });
  }
}

const schemas: string[] = [];
const databases: PgDatabase[] = [];
const managers: PgLeaseManager[] = [];

async function setup(label: string) {
  const schema = uniqueSchema(label);
  schemas.push(schema);
  const db = await openPostgres({ connectionString: TEST_DATABASE_URL, schema, poolSize: 3 });
  databases.push(db);
  return { schema, db };
}

function manager(
  db: PgDatabase,
  replicaId: string,
  tenants: () => readonly string[],
  clock?: () => number,
) {
  const leases = new PgLeaseManager({
    database: db,
    tenants: async () => tenants(),
    config,
    replicaId,
    ...(clock ? { clock } : {}),
  });
  managers.push(leases);
  return leases;
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${SETTLE_MS} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function leaseRows(schema: string) {
  return queryRows<{ tenant: string; owner: string | null; epoch: string }>(
    `SELECT tenant_id AS tenant, owner_id AS owner, ` +
      `epoch FROM "${schema}".leases ORDER BY tenant_id`,
  );
}

afterEach(async () => {
  for (const leases of managers.splice(0)) await leases.shutdown().catch(() => undefined);
  for (const db of databases.splice(0)) await db.close();
});
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

describe('PostgreSQL leases', () => {
  it('a lone replica takes every tenant at epoch 1 and renews without raising it', async () => {
    const { schema, db } = await setup('lease_one');
    const holder = new RecordingHolder();
    const leases = manager(db, 'replica-a', () => ['t1', 't2', 't3']);
    let ticks = 0;
    leases.on('tick', () => ticks++);
    await leases.start(holder);
    expect(holder.started.map((l) => [l.tenant, l.epoch]).sort()).toEqual([
      ['t1', 1],
      ['t2', 1],
      ['t3', 1],
    ]);
    await until(() => ticks >= 3, 'three ticks');
    expect(await leaseRows(schema)).toEqual([
      { tenant: 't1', owner: 'replica-a', epoch: '1' },
      { tenant: 't2', owner: 'replica-a', epoch: '1' },
      { tenant: 't3', owner: 'replica-a', epoch: '1' },
    ]);
  });

  it('raises the epoch on every takeover, after a release or an expiry', async () => {
    const { schema, db } = await setup('lease_epoch');
    const a = manager(db, 'replica-a', () => ['t1']);
    await a.start(new RecordingHolder());
    await a.shutdown();
    expect(await leaseRows(schema)).toEqual([{ tenant: 't1', owner: null, epoch: '1' }]);

    const b = manager(db, 'replica-b', () => ['t1']);
    const holderB = new RecordingHolder();
    await b.start(holderB);
    expect(holderB.started).toEqual([{ tenant: 't1', epoch: 2, owner: 'replica-b' }]);

    // replica-b stops renewing without releasing, as a dead process would.
    await queryRows(`UPDATE "${schema}".leases SET expires_at = now() - interval '1 second'`);
    await queryRows(`DELETE FROM "${schema}".replicas WHERE replica_id = 'replica-b'`);
    const c = manager(db, 'replica-c', () => ['t1']);
    const holderC = new RecordingHolder();
    await c.start(holderC);
    expect(holderC.started).toEqual([{ tenant: 't1', epoch: 3, owner: 'replica-c' }]);
  });

  it(
    'never gives one tenant to two replicas ' + 'starting at once, and splits them evenly',
    async () => {
      const { schema, db } = await setup('lease_race');
      const tenants = Array.from({ length: 10 }, (_, i) => `t${i}`);
      const holders = [new RecordingHolder(), new RecordingHolder()];
      const [a, b] = [
        manager(db, 'replica-a', () => tenants),
        manager(db, 'replica-b', () => tenants),
      ];
      await Promise.all([a.start(holders[0]!), b.start(holders[1]!)]);
      await until(() => a.held().length === 5 && b.held().length === 5, 'five tenants each');
      const held = [...a.held(), ...b.held()].map((l) => l.tenant).sort();
      expect(held).toEqual([...tenants].sort());
      const rows = await leaseRows(schema);
      expect(rows.filter((r) => r.owner === 'replica-a')).toHaveLength(5);
      expect(rows.filter((r) => r.owner === 'replica-b')).toHaveLength(5);
    },
  );

  it(
    'makes a busy replica shed down to its share ' + 'when others start, stopping before releasing',
    async () => {
      const { schema, db } = await setup('lease_spread');
      const tenants = Array.from({ length: 7 }, (_, i) => `t${i}`);
      const holderA = new RecordingHolder();
      const a = manager(db, 'replica-a', () => tenants);
      const ownerAtStop: (string | null)[] = [];
      holderA.onStop = async (tenant) => {
        const rows = await leaseRows(schema);
        ownerAtStop.push(rows.find((r) => r.tenant === tenant)?.owner ?? null);
      };
      await a.start(holderA);
      expect(a.held()).toHaveLength(7);
      const b = manager(db, 'replica-b', () => tenants);
      const c = manager(db, 'replica-c', () => tenants);
      await b.start(new RecordingHolder());
      await c.start(new RecordingHolder());
      await until(
        () => [a, b, c].map((m) => m.held().length).join() === '3,2,2',
        'shares 3, 2 and 2',
      );
      expect(holderA.stopped.map((s) => s.reason)).toEqual([
        'rebalance',
        'rebalance',
        'rebalance',
        'rebalance',
      ]);
      // While replica-a stopped each tenant, the lease was still its own.
      expect(ownerAtStop).toEqual(['replica-a', 'replica-a', 'replica-a', 'replica-a']);
    },
  );

  it('confirms a held lease against the database and returns its epoch', async () => {
    const { db } = await setup('lease_assert');
    const a = manager(db, 'replica-a', () => ['t1']);
    await a.start(new RecordingHolder());
    const proof = await a.assertLease('t1');
    expect([proof.tenant, proof.epoch, proof.owner]).toEqual(['t1', 1, 'replica-a']);
    expect(() => proof.check()).not.toThrow();
    await expect(a.assertLease('t9')).rejects.toMatchObject({ code: 'lease_not_held' });
  });

  it('refuses a lease another replica took over, and tells the holder it was lost', async () => {
    const { schema, db } = await setup('lease_lost');
    const holder = new RecordingHolder();
    const a = manager(db, 'replica-a', () => ['t1']);
    await a.start(holder);
    await queryRows(`UPDATE "${schema}".leases SET owner_id = 'replica-b', epoch = epoch + 1`);
    await expect(a.assertLease('t1')).rejects.toMatchObject({
      code: 'lease_lost',
      context: { tenant: 't1', epoch: 1, currentEpoch: 2 },
    });
    await until(() => holder.stopped.length === 1, 'the holder stopped');
    expect(holder.stopped).toEqual([{ tenant: 't1', reason: 'lost' }]);
    expect(a.held()).toEqual([]);
  });

  it(
    'judges a proof by elapsed monotonic time, ' + 'so one taken before a long pause refuses',
    async () => {
      const { db } = await setup('lease_clock');
      let now = 1_000_000;
      const a = manager(
        db,
        'replica-a',
        () => ['t1'],
        () => now,
      );
      await a.start(new RecordingHolder());
      const proof = await a.assertLease('t1');
      expect(proof.validUntil).toBeGreaterThan(now);
      now += config.leaseDurationMs;
      expect(() => proof.check()).toThrow(/lease_expired: tenant t1 epoch 1/);
    },
  );

  it('stops its tenants when cut off from the database past their validity', async () => {
    const { db } = await setup('lease_cutoff');
    let now = 1_000_000;
    let reachable = true;
    const holder = new RecordingHolder();
    const leases = new PgLeaseManager({
      database: db,
      tenants: async () => {
        if (!reachable) throw new Error('connection refused');
        return ['t1', 't2'];
      },
      config,
      replicaId: 'replica-a',
      clock: () => now,
    });
    managers.push(leases);
    const problems: string[] = [];
    leases.on('problem', (_, context) => problems.push(context.during));
    await leases.start(holder);
    reachable = false;
    await leases.refresh();
    expect(holder.stopped).toEqual([]);
    now += config.leaseDurationMs + 1;
    await leases.refresh();
    await until(() => holder.stopped.length === 2, 'both tenants stopped');
    expect(holder.stopped.map((s) => s.reason)).toEqual(['expired', 'expired']);
    expect(problems).toContain('renew');
  });

  it('stops and releases a tenant that is no longer listed', async () => {
    const { schema, db } = await setup('lease_removed');
    let tenants = ['t1', 't2'];
    const holder = new RecordingHolder();
    const a = manager(db, 'replica-a', () => tenants);
    await a.start(holder);
    tenants = ['t2'];
    await a.refresh();
    await until(() => holder.stopped.length === 1, 'the removed tenant stopped');
    expect(holder.stopped).toEqual([{ tenant: 't1', reason: 'removed' }]);
    await until(async () => (await leaseRows(schema))[0]?.owner === null, 'lease released');
  });

  it('on shutdown stops every tenant, then releases every lease at once', async () => {
    const { schema, db } = await setup('lease_shutdown');
    const holder = new RecordingHolder();
    holder.stopDelayMs = 50;
    const a = manager(db, 'replica-a', () => ['t1', 't2']);
    await a.start(holder);
    await a.shutdown();
    expect(holder.stopped.map((s) => [s.tenant, s.reason]).sort()).toEqual([
      ['t1', 'shutdown'],
      ['t2', 'shutdown'],
    ]);
    expect((await leaseRows(schema)).map((r) => r.owner)).toEqual([null, null]);
    expect(await queryRows(`SELECT 1 FROM "${schema}".replicas`)).toEqual([]);
    await expect(a.assertLease('t1')).rejects.toMatchObject({ code: 'lease_stopped' });
  });

  it('lets a lease expire rather than renew it forever when its holder never stops', async () => {
    const { schema, db } = await setup('lease_stuck');
    let tenants = ['t1'];
    const holder = new RecordingHolder();
    holder.onStop = () => new Promise(() => undefined);
    const a = manager(db, 'replica-a', () => tenants);
    const problems: string[] = [];
    a.on('problem', (error) => problems.push(isLeaseError(error) ? error.code : error.message));
    await a.start(holder);
    tenants = [];
    await a.refresh();
    await until(() => problems.includes('lease_stop_timeout'), 'the stop timed out');
    const rows = await leaseRows(schema);
    expect(rows[0]?.owner).toBe('replica-a');
    await until(async () => {
      const [row] = await queryRows<{ expired: boolean }>(
        `SELECT expires_at <= now() AS expired FROM "${schema}".leases`,
      );
      return row?.expired === true;
    }, 'the lease expired unrenewed');
  });
});
