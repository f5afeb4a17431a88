import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseSessionConfig } from '../../src/session/config.js';
import { Child, type Line } from '../helpers/child.js';
import { TEST_DATABASE_URL, dropSchema, queryRows, uniqueSchema } from '../helpers/pg.js';

const replica = new URL('./fixtures/replica.ts', import.meta.url);
const settings = {
  leaseDurationMs: 1_500,
  leaseRenewIntervalMs: 300,
  takeoverBoundMs: 3_000,
  revokeTimeoutMs: 1_000,
};
const config = parseSessionConfig(settings);
const START_MS = 30_000;
const WAIT_MS = config.takeoverBoundMs * 5;

const schemas: string[] = [];
const children: Child[] = [];

function start(schema: string, id: string, tenants: string[]): Child {
  const child = new Child(replica, [
    TEST_DATABASE_URL,
    schema,
    id,
    tenants.join(','),
    JSON.stringify(settings),
  ]);
  children.push(child);
  return child;
}

function freshSchema(label: string): string {
  const schema = uniqueSchema(label);
  schemas.push(schema);
  return schema;
}

const held = (child: Child) => {
  const now = new Set<string>();
  for (const line of child.lines) {
    if (line.ev === 'start') now.add(String(line['tenant']));
    if (line.ev === 'stop') now.delete(String(line['tenant']));
  }
  return [...now].sort();
};

async function until(check: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Over every connect any replica made for a tenant, in time order, the epoch
 * never goes down and each epoch belongs to one replica: no two replicas
 * ever connected one tenant in an overlapping way.
 */
function expectOrderlyConnects(...replicas: Child[]): void {
  const connects = replicas
    .flatMap((c) => c.lines)
    .filter((l) => l.ev === 'connect')
    .sort((a, b) => Number(a['at']) - Number(b['at']));
  const ownerOfEpoch = new Map<string, string>();
  const lastEpoch = new Map<string, number>();
  for (const line of connects) {
    const tenant = String(line['tenant']);
    const epoch = Number(line['epoch']);
    const key = `${tenant}#${epoch}`;
    expect(ownerOfEpoch.get(key) ?? line['replica']).toBe(line['replica']);
    ownerOfEpoch.set(key, String(line['replica']));
    expect(epoch).toBeGreaterThanOrEqual(lastEpoch.get(tenant) ?? 0);
    lastEpoch.set(tenant, epoch);
  }
}

const firstStart = (child: Child, tenant: string, after = 0): Line | undefined =>
  child.lines.find((l) => l.ev === 'start' && l['tenant'] === tenant && Number(l['at']) >= after);

afterEach(async () => {
  for (const child of children.splice(0)) await child.stop();
});
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

describe('two replica processes on PostgreSQL', () => {
  it('split four tenants two and two and never connect one tenant from both', async () => {
    const schema = freshSchema('rep_split');
    const tenants = ['t1', 't2', 't3', 't4'];
    const a = start(schema, 'replica-a', tenants);
    await a.waitFor((l) => l.ev === 'ready', START_MS);
    expect(held(a)).toEqual(tenants);
    const b = start(schema, 'replica-b', tenants);
    await b.waitFor((l) => l.ev === 'ready', START_MS);
    await until(() => held(a).length === 2 && held(b).length === 2, 'two tenants each');
    expect([...held(a), ...held(b)].sort()).toEqual(tenants);
    const moved = held(b);
    for (const tenant of moved) {
      const stop = a.lines.find((l) => l.ev === 'stop' && l['tenant'] === tenant);
      expect(stop?.['reason']).toBe('rebalance');
      expect(Number(firstStart(b, tenant)?.['at'])).toBeGreaterThanOrEqual(Number(stop?.['at']));
      expect(firstStart(b, tenant)?.['epoch']).toBe(2);
    }
    await until(
      () => moved.every((t) => b.lines.some((l) => l.ev === 'connect' && l['tenant'] === t)),
      'b connected',
    );
    expectOrderlyConnects(a, b);
  });

  it(`move a SIGKILLed replica's tenants to the live one within takeoverBoundMs`, async () => {
    const schema = freshSchema('rep_kill');
    const tenants = ['t1', 't2', 't3', 't4'];
    const a = start(schema, 'replica-a', tenants);
    await a.waitFor((l) => l.ev === 'ready', START_MS);
    const b = start(schema, 'replica-b', tenants);
    await b.waitFor((l) => l.ev === 'ready', START_MS);
    await until(() => held(a).length === 2 && held(b).length === 2, 'two tenants each');
    const orphans = held(a);
    const killedAt = Date.now();
    a.signal('SIGKILL');
    await a.exited;
    await until(() => held(b).length === 4, 'b holds all four');
    const takeovers = orphans.map((t) => Number(firstStart(b, t, killedAt)?.['at']) - killedAt);
    console.log(
      `takeover after SIGKILL: ${takeovers.join(', ')} ms (bound ${config.takeoverBoundMs} ms: ` +
        `lease ${config.leaseDurationMs} ms, renew every ${config.leaseRenewIntervalMs} ms)`,
    );
    for (const ms of takeovers) expect(ms).toBeLessThanOrEqual(config.takeoverBoundMs);
    for (const t of orphans) expect(firstStart(b, t, killedAt)?.['epoch']).toBe(2);
    expectOrderlyConnects(a, b);
  });

  it(
    'a replica SIGSTOPped past its lease finds ' + 'it lost on resume and never connects again',
    async () => {
      const schema = freshSchema('rep_stop');
      const a = start(schema, 'replica-a', ['t1']);
      await a.waitFor((l) => l.ev === 'ready', START_MS);
      await a.waitFor((l) => l.ev === 'connect', START_MS);
      const b = start(schema, 'replica-b', ['t1']);
      await b.waitFor((l) => l.ev === 'ready', START_MS);
      expect(held(b)).toEqual([]);

      const stoppedAt = Date.now();
      a.signal('SIGSTOP');
      const takeover = await b.waitFor((l) => l.ev === 'start' && l['tenant'] === 't1', WAIT_MS);
      await b.waitFor((l) => l.ev === 'connect', WAIT_MS);
      const resumedAt = Date.now();
      a.signal('SIGCONT');
      const stop = await a.waitFor((l) => l.ev === 'stop' && l['tenant'] === 't1', WAIT_MS);
      console.log(
        `paused ${resumedAt - stoppedAt} ms (lease ${config.leaseDurationMs} ms); replica-b took ` +
          `over after ${Number(takeover['at']) - stoppedAt} ms; replica-a stopped t1 ` +
          `${Number(stop['at']) - resumedAt} ms after resuming (${String(stop['reason'])})`,
      );
      expect(['lost', 'expired']).toContain(stop['reason']);
      expect(takeover['epoch']).toBe(2);
      const connectsAfterPause = a.lines.filter(
        (l) => l.ev === 'connect' && Number(l['checkedAt']) >= stoppedAt,
      );
      expect(connectsAfterPause).toEqual([]);
      // Resumed and live again, replica-a still leaves t1 where it went.
      await new Promise((resolve) => setTimeout(resolve, config.leaseRenewIntervalMs * 4));
      expect(held(a)).toEqual([]);
      expect(held(b)).toEqual(['t1']);
      expectOrderlyConnects(a, b);
    },
  );

  it(
    'SIGTERM releases at once: the other replica ' + 'takes over well before any lease expiry',
    async () => {
      const schema = freshSchema('rep_term');
      const tenants = ['t1', 't2'];
      const a = start(schema, 'replica-a', tenants);
      await a.waitFor((l) => l.ev === 'ready', START_MS);
      const b = start(schema, 'replica-b', tenants);
      await b.waitFor((l) => l.ev === 'ready', START_MS);
      await until(() => held(a).length === 1 && held(b).length === 1, 'one tenant each');
      const leaving = held(a)[0] ?? '';
      const termAt = Date.now();
      a.signal('SIGTERM');
      expect(await a.exited).toEqual({ code: 0, signal: null });
      const stop = a.lines.find((l) => l.ev === 'stop' && l['tenant'] === leaving);
      expect(stop?.['reason']).toBe('shutdown');
      const rows = await queryRows<{ owner: string | null }>(
        `SELECT owner_id AS owner FROM "${schema}".leases WHERE owner_id = 'replica-a'`,
      );
      expect(rows).toEqual([]);
      const taken = await b.waitFor(
        (l) => l.ev === 'start' && l['tenant'] === leaving && Number(l['at']) >= termAt,
        WAIT_MS,
      );
      const ms = Number(taken['at']) - termAt;
      // Waiting for expiry instead would take at least the lease minus one renewal interval.
      const expiryPath = config.leaseDurationMs - config.leaseRenewIntervalMs;
      console.log(`takeover after SIGTERM: ${ms} ms (expiry would need at least ${expiryPath} ms)`);
      expect(ms).toBeLessThan(expiryPath);
      expectOrderlyConnects(a, b);
    },
  );
});
