import { startStandin, type Standin } from '@pasarela/standin';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSessionConfig } from '../../src/session/index.js';
import { TEST_DATABASE_URL, dropSchema, uniqueSchema } from '../helpers/pg.js';
import { TEST_SESSION_SETTINGS } from './support/harness.js';
import { WorkerProcess, workerEnv, type ControlLine } from './support/worker-process.js';

const config = parseSessionConfig(TEST_SESSION_SETTINGS);
const PROCESS_START_MS = 15_000;
const LOGIN_MS = config.connectTimeoutMs * 2;
/** A tenant of a dead or paused replica runs elsewhere within the lease bound plus a login. */
const TAKEOVER_MS = config.takeoverBoundMs + LOGIN_MS;
/** Vitest's limit for one test: its replicas' starts, pairings and takeovers in turn. */
const TEST_MS = (PROCESS_START_MS + TAKEOVER_MS) * 4;

let standin: Standin;
const schemas: string[] = [];
const workers: WorkerProcess[] = [];

function spawnReplica(schema: string, id: string): WorkerProcess {
  const worker = new WorkerProcess(
    workerEnv(standin, {
      PASARELA_STORE: 'postgres',
      PASARELA_DATABASE_URL: TEST_DATABASE_URL,
      PASARELA_PG_SCHEMA: schema,
      PASARELA_REPLICA_ID: id,
    }),
  );
  workers.push(worker);
  return worker;
}

function freshSchema(label: string): string {
  const schema = uniqueSchema(label);
  schemas.push(schema);
  return schema;
}

/** Starts and pairs each tenant on `worker`, one after another. */
async function pairAll(
  worker: WorkerProcess,
  tenants: readonly string[],
  phones: readonly string[],
) {
  await worker.waitFor((l) => l.ev === 'ready', PROCESS_START_MS, 'ready');
  for (const [index, tenant] of tenants.entries()) {
    const from = worker.lines.length;
    await worker.request('start', { tenant });
    const qr = await worker.waitFor(
      (l) => l.ev === 'qr' && l['tenant'] === tenant,
      LOGIN_MS,
      'QR',
      from,
    );
    await standin.control.scanQr(String(qr['qr']), { phone: phones[index] });
    await worker.reach(tenant, 'connected', LOGIN_MS, from);
  }
}

/** Tenants whose latest status on `worker` is connected. */
function connectedOn(worker: WorkerProcess): string[] {
  const last = new Map<string, string>();
  for (const line of worker.lines) {
    if (line.ev === 'transition') last.set(String(line['tenant']), String(line['to']));
  }
  return [...last]
    .filter(([, status]) => status === 'connected')
    .map(([t]) => t)
    .sort();
}

async function until(check: () => boolean, what: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Date.now() - started;
}

async function peakOpenSince(phone: string, since: number): Promise<number> {
  const account = await standin.control.account(phone);
  const samples = account.openTimeline.filter((s) => Date.parse(s.time) >= since);
  return Math.max(0, ...samples.map((s) => s.open));
}

async function replacedConnections(phones: readonly string[], openedSince = 0) {
  const { connections } = await standin.control.records();
  return connections.filter(
    (c) =>
      phones.includes(String(c.account)) &&
      c.outcome === 'replaced' &&
      Date.parse(c.openedAt) >= openedSince,
  );
}

const epochOf = (line: ControlLine) => Number(line['epoch']);

beforeAll(async () => {
  standin = await startStandin();
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.kill()));
});

afterAll(async () => {
  await standin.close();
  for (const schema of schemas) await dropSchema(schema);
});

describe('worker replicas on PostgreSQL', () => {
  it(
    'never log one tenant in on two replicas, and move a killed replica’s tenants',
    async () => {
      const schema = freshSchema('replicas');
      const tenants = ['bar-a', 'bar-b', 'bar-c', 'bar-d'];
      const phones = ['15550102001', '15550102002', '15550102003', '15550102004'];
      const first = spawnReplica(schema, 'replica-1');
      await pairAll(first, tenants, phones);

      const second = spawnReplica(schema, 'replica-2');
      const spreadMs = await until(
        () => connectedOn(first).length === 2 && connectedOn(second).length === 2,
        'two tenants connected on each replica',
        PROCESS_START_MS + TAKEOVER_MS,
      );
      console.log(`rebalanced 2 of 4 tenants to the new replica in ${spreadMs} ms`);
      expect([...connectedOn(first), ...connectedOn(second)].sort()).toEqual(tenants);
      for (const phone of phones) expect((await standin.control.account(phone)).peakOpen).toBe(1);
      expect(await replacedConnections(phones)).toEqual([]);

      const moving = connectedOn(first);
      first.signal('SIGKILL');
      const killedAt = Date.now();
      await first.exited;
      const movedMs = await until(
        () => moving.every((tenant) => connectedOn(second).includes(tenant)),
        'the killed replica’s tenants connected on the other',
        TAKEOVER_MS,
      );
      console.log(
        `killed replica's ${moving.length} tenants ` +
          `connected on the other ${Date.now() - killedAt} ms ` +
          `after the kill (bound ${TAKEOVER_MS} ms: ` +
          `takeoverBoundMs ${config.takeoverBoundMs} + login)`,
      );
      void movedMs;
      expect(connectedOn(second)).toEqual(tenants);
      for (const phone of phones) expect((await standin.control.account(phone)).peakOpen).toBe(1);
      expect(await replacedConnections(phones)).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'a replica paused past its lease and resumed does not log in again',
    async () => {
      const schema = freshSchema('paused');
      const tenant = 'deli-uno';
      const phone = '15550102011';
      const paused = spawnReplica(schema, 'replica-paused');
      await pairAll(paused, [tenant], [phone]);
      const steady = spawnReplica(schema, 'replica-steady');
      await steady.waitFor((l) => l.ev === 'ready', PROCESS_START_MS, 'ready');
      // One tenant, two replicas: the share goes to the replica holding it.
      await new Promise((resolve) => setTimeout(resolve, config.leaseRenewIntervalMs * 3));
      expect(connectedOn(steady)).toEqual([]);
      const lostEpoch = epochOf(paused.lines.findLast((l) => l.ev === 'socket') as ControlLine);

      paused.signal('SIGSTOP');
      const stoppedAt = Date.now();
      const taken = await steady.reach(tenant, 'connected', TAKEOVER_MS);
      console.log(
        `paused replica's tenant connected on the other ` +
          `${taken.readAt - stoppedAt} ms after SIGSTOP`,
      );
      const takenEpoch = epochOf(steady.lines.findLast((l) => l.ev === 'socket') as ControlLine);
      expect(takenEpoch).toBeGreaterThan(lostEpoch);
      const loginsBefore = (await standin.control.account(phone)).logins.length;

      const pausedFrom = paused.lines.length;
      const resumedAt = Date.now();
      paused.signal('SIGCONT');
      // Long enough for the resumed replica to notice, stop, and rebalance if it would.
      await new Promise((resolve) => setTimeout(resolve, config.takeoverBoundMs * 2));

      const after = paused.lines.slice(pausedFrom);
      const statuses = after
        .filter((l) => l.ev === 'transition')
        .map((l) => `${String(l['to'])}(${String(l['reason'])})`);
      console.log(`resumed replica: ${statuses.join(' → ')}`);
      expect(statuses.at(-1)).toMatch(/^(stopped\(lease_lost\)|replaced\(replaced\))$/);
      expect(statuses).not.toContain('connected(opened)');
      expect(after.filter((l) => l.ev === 'socket')).toEqual([]);
      expect((await standin.control.account(phone)).logins.length).toBe(loginsBefore);
      expect(await peakOpenSince(phone, resumedAt)).toBeLessThanOrEqual(1);
      expect(await replacedConnections([phone], resumedAt)).toEqual([]);
      expect(connectedOn(steady)).toEqual([tenant]);
    },
    TEST_MS,
  );

  it(
    'hands its tenants to a replica started during its SIGTERM stop: one login each, no 440',
    async () => {
      const schema = freshSchema('deploy');
      const tenants = ['grill-a', 'grill-b', 'grill-c'];
      const phones = ['15550102021', '15550102022', '15550102023'];
      const old = spawnReplica(schema, 'replica-old');
      await pairAll(old, tenants, phones);
      const logins = async () =>
        Promise.all(phones.map(async (p) => (await standin.control.account(p)).logins.length));
      const before = await logins();

      old.signal('SIGTERM');
      const next = spawnReplica(schema, 'replica-new');
      for (const tenant of tenants)
        await next.reach(tenant, 'connected', PROCESS_START_MS + TAKEOVER_MS);
      expect(await old.exited).toEqual({ code: 0, signal: null });
      const stopped = old.lines.find((l) => l.ev === 'stopped');
      console.log(`old replica stopped ${String(stopped?.['ms'])} ms after SIGTERM`);

      const after = await logins();
      expect(after.map((count, index) => count - (before[index] ?? 0))).toEqual([1, 1, 1]);
      expect(await replacedConnections(phones)).toEqual([]);
      for (const phone of phones) expect((await standin.control.account(phone)).peakOpen).toBe(1);
    },
    TEST_MS,
  );
});
