import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandin, type Standin } from '@pasarela/standin';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSessionConfig } from '../../src/session/index.js';
import { createSqliteAuthStore, openSqliteFile } from '../../src/store/index.js';
import { TEST_SESSION_SETTINGS } from './support/harness.js';
import { WorkerProcess, workerEnv } from './support/worker-process.js';

const config = parseSessionConfig(TEST_SESSION_SETTINGS);
/** A worker process starts (tsx, Baileys) within this on this machine class; printed each time. */
const PROCESS_START_MS = 15_000;
/** A login: the socket handshake and login are bounded by Baileys' connect timeout. */
const LOGIN_MS = config.connectTimeoutMs * 2;
/** Vitest's limit for a test that starts worker processes one after another. */
const PER_WORKER_MS = PROCESS_START_MS + LOGIN_MS;

let standin: Standin;
let folder: string;
const workers: WorkerProcess[] = [];

function spawnWorker(path: string): WorkerProcess {
  const worker = new WorkerProcess(workerEnv(standin, { PASARELA_SQLITE_PATH: path }));
  workers.push(worker);
  return worker;
}

/** Opens the store file as a worker would and loads the tenant; true if it loads paired. */
async function loadsPaired(path: string, tenant: string): Promise<boolean> {
  const store = createSqliteAuthStore(
    await openSqliteFile({ path, lockWaitMs: config.sqliteLockWaitMs, lockPollMs: 20 }),
  );
  try {
    const auth = await store.load(tenant);
    return auth.paired;
  } finally {
    await store.close();
  }
}

async function logins(phone: string): Promise<number> {
  return (await standin.control.account(phone)).logins.length;
}

beforeAll(async () => {
  standin = await startStandin();
  folder = await mkdtemp(join(tmpdir(), 'pasarela-worker-sqlite-'));
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.kill()));
});

afterAll(async () => {
  await standin.close();
  await rm(folder, { recursive: true, force: true });
});

describe('the worker process on SQLite', () => {
  it(
    'pairs a new tenant, and after a restart logs it in again without a QR',
    async () => {
      const path = join(folder, 'restart.db');
      const first = spawnWorker(path);
      await first.waitFor((l) => l.ev === 'ready', PROCESS_START_MS, 'ready');
      expect(await first.request('start', { tenant: 'pizzeria-sol' })).toMatchObject({
        tenant: 'pizzeria-sol',
        held: true,
      });
      const qr = await first.waitFor((l) => l.ev === 'qr', LOGIN_MS, 'a QR');
      const link = String(qr['qr']);
      const paired = await standin.control.scanQr(link, { phone: '15550101001' });
      await first.reach('pizzeria-sol', 'connected', LOGIN_MS);
      expect(first.statuses('pizzeria-sol')).toEqual([
        'starting(lease_acquired)',
        'qr(qr_shown)',
        'reconnecting(restart_required)',
        'starting(socket_created)',
        'connected(opened)',
      ]);

      first.signal('SIGTERM');
      expect(await first.exited).toEqual({ code: 0, signal: null });
      expect(first.statuses('pizzeria-sol').at(-1)).toBe('stopped(shutdown)');

      const second = spawnWorker(path);
      const connected = await second.reach(
        'pizzeria-sol',
        'connected',
        PROCESS_START_MS + LOGIN_MS,
      );
      console.log(
        `restarted worker connected ${connected.readAt - second.spawnedAt} ms after spawn`,
      );
      expect(second.lines.filter((l) => l.ev === 'qr')).toEqual([]);
      expect(second.statuses('pizzeria-sol')).toEqual([
        'starting(lease_acquired)',
        'connected(opened)',
      ]);
      const account = await standin.control.account(paired.phone);
      expect(account.registrations.map((r) => r.result)).toEqual(['paired']);
      expect(account.logins.map((l) => l.result)).toEqual(['success', 'success']);
      expect(account.peakOpen).toBe(1);
      // Debug-level logs of both workers hold none of the QR's fields (the ADV secret among them).
      const fields = (link.split('#')[1] ?? '').split(',').slice(0, 4);
      const logs = [...first.logs, ...second.logs].join('\n');
      expect(fields.filter((field) => logs.includes(field))).toEqual([]);
    },
    PER_WORKER_MS * 3,
  );

  it(
    'keeps a store that loads through 20 kills (-9) during the logins’ creds writes',
    async () => {
      const path = join(folder, 'kills.db');
      const setup = spawnWorker(path);
      await setup.waitFor((l) => l.ev === 'ready', PROCESS_START_MS, 'ready');
      await setup.request('start', { tenant: 'taqueria-kill' });
      const qr = await setup.waitFor((l) => l.ev === 'qr', LOGIN_MS, 'a QR');
      const { phone } = await standin.control.scanQr(String(qr['qr']), { phone: '15550101002' });
      await setup.reach('taqueria-kill', 'connected', LOGIN_MS);
      setup.signal('SIGKILL');
      await setup.exited;

      // One clean login measures the span in which a start writes: the store
      // load, the login, the pre-key check and the creds updates after it.
      const probe = spawnWorker(path);
      const probeStart = await probe.reach('taqueria-kill', 'starting', PROCESS_START_MS);
      const probeOpen = await probe.reach('taqueria-kill', 'connected', LOGIN_MS);
      const loginMs = probeOpen.readAt - probeStart.readAt;
      probe.signal('SIGKILL');
      await probe.exited;
      const loginsBefore = await logins(phone);

      const windowMs = loginMs * 1.5;
      let beforeOpen = 0;
      for (let round = 0; round < 20; round += 1) {
        const worker = spawnWorker(path);
        await worker.reach('taqueria-kill', 'starting', PROCESS_START_MS);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * windowMs));
        if (!worker.statuses('taqueria-kill').includes('connected(opened)')) beforeOpen += 1;
        worker.signal('SIGKILL');
        await worker.exited;
        expect(worker.statuses('taqueria-kill')).not.toContain('failed(error)');
        expect(await loadsPaired(path, 'taqueria-kill')).toBe(true);
      }
      const loginsDuring = (await logins(phone)) - loginsBefore;
      console.log(
        `20 kills -9 within ${Math.round(windowMs)} ms of a start (a login took ${loginMs} ms): ` +
          `${beforeOpen} before the session opened, ${20 - beforeOpen} after; ` +
          `${loginsDuring} logins reached the stand-in`,
      );

      const last = spawnWorker(path);
      await last.reach('taqueria-kill', 'connected', PROCESS_START_MS + LOGIN_MS);
      expect(last.lines.filter((l) => l.ev === 'qr')).toEqual([]);
      const account = await standin.control.account(phone);
      expect(account.registrations.map((r) => r.result)).toEqual(['paired']);
      expect(account.logins.filter((l) => l.result !== 'success')).toEqual([]);
    },
    PER_WORKER_MS * 23,
  );

  it(
    'hands its tenants to a worker started during its SIGTERM stop: one login each, no 440',
    async () => {
      const path = join(folder, 'handover.db');
      const tenants = ['cafe-uno', 'cafe-dos', 'cafe-tres'];
      const phones = ['15550101011', '15550101012', '15550101013'];
      const old = spawnWorker(path);
      await old.waitFor((l) => l.ev === 'ready', PROCESS_START_MS, 'ready');
      for (const [index, tenant] of tenants.entries()) {
        const from = old.lines.length;
        await old.request('start', { tenant });
        const qr = await old.waitFor(
          (l) => l.ev === 'qr' && l['tenant'] === tenant,
          LOGIN_MS,
          'QR',
          from,
        );
        await standin.control.scanQr(String(qr['qr']), { phone: phones[index] });
        await old.reach(tenant, 'connected', LOGIN_MS);
      }
      const before = await Promise.all(phones.map(logins));

      old.signal('SIGTERM');
      const next = spawnWorker(path);
      for (const tenant of tenants)
        await next.reach(tenant, 'connected', PROCESS_START_MS + LOGIN_MS);
      expect(await old.exited).toEqual({ code: 0, signal: null });
      const stopped = old.lines.find((l) => l.ev === 'stopped');
      console.log(`old worker stopped in ${String(stopped?.['ms'])} ms after SIGTERM`);

      const after = await Promise.all(phones.map(logins));
      expect(after.map((count, index) => count - (before[index] ?? 0))).toEqual([1, 1, 1]);
      const { connections } = await standin.control.records();
      const ours = connections.filter((c) => phones.includes(String(c.account)));
      expect(ours.filter((c) => c.outcome === 'replaced')).toEqual([]);
      for (const phone of phones) expect((await standin.control.account(phone)).peakOpen).toBe(1);
    },
    PER_WORKER_MS * 3,
  );
});
