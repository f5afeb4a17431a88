import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandin, type Standin } from '@pasarela/standin';
import { makeWASocket, useMultiFileAuthState } from '@whiskeysockets/baileys';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgress } from '../../src/egress/index.js';
import { startHarness, statuses, type Harness } from './support/harness.js';

let standin: Standin;
let harness: Harness;
let folder: string;
let phone: string;

/**
 * Runs a Baileys socket on Baileys' own multi-file helper, as an app does,
 * scanning any QR with the stand-in's phone: until WhatsApp asks for the
 * restart after pairing, or until the session opened once.
 */
async function runWithMultiFileHelper(
  dir: string,
  until: 'restart-requested' | 'open',
): Promise<void> {
  const egress = createEgress({
    tenant: 'elsewhere',
    policy: 'direct',
    hostMap: standin.hostMap,
    ca: standin.caPem,
    production: false,
  });
  const { state, saveCreds } = await useMultiFileAuthState(dir);
  // Ending a socket does not wait for the key writes Baileys started, and the
  // multi-file helper writes files in place: the folder is whole only once
  // every write has settled, as it would be after an app shut down cleanly.
  const writes = new Set<Promise<void>>();
  const keys: typeof state.keys = {
    get: (type, ids) => state.keys.get(type, ids),
    set: (data) => {
      const write = Promise.resolve(state.keys.set(data));
      writes.add(write);
      void write.finally(() => writes.delete(write));
      return write;
    },
  };
  const sock = makeWASocket({
    auth: { creds: state.creds, keys },
    logger: pino({ level: 'silent' }),
    agent: egress.agent,
    fetchAgent: egress.agent,
    options: { dispatcher: egress.dispatcher } as RequestInit,
  });
  // The first login also runs the initial sync, whose pre-key message from
  // the phone uses up (deletes) a pre-key: end the socket only after it.
  let appStateSynced: () => void = () => undefined;
  let historyArrived: () => void = () => undefined;
  const synced = Promise.all([
    new Promise<void>((resolve) => (appStateSynced = resolve)),
    new Promise<void>((resolve) => (historyArrived = resolve)),
  ]);
  sock.ev.on('messaging-history.set', () => historyArrived());
  let saving: Promise<void> = Promise.resolve();
  sock.ev.on('creds.update', (update) => {
    saving = saving.then(saveCreds);
    if ((update.accountSyncCounter ?? 0) > 0) appStateSynced();
  });
  const closed = new Promise<number | undefined>((resolve) => {
    sock.ev.on('connection.update', (update) => {
      if (update.qr) void standin.control.scanQr(update.qr, { phone: '15550105001' });
      if (update.connection === 'open' && until === 'open') {
        // Baileys uploads its first pre-keys after the login, beside 'open'.
        void Promise.all([preKeysSaved(dir), synced]).then(() => sock.end(undefined));
      }
      if (update.connection === 'close') {
        const error = update.lastDisconnect?.error as { output?: { statusCode?: number } };
        resolve(error?.output?.statusCode);
      }
    });
  });
  expect(await closed).toBe(until === 'open' ? undefined : 515);
  await saving;
  while (writes.size > 0) await Promise.allSettled([...writes]);
  await egress.close();
}

async function preKeysSaved(dir: string): Promise<void> {
  const boundMs = harness.config.connectTimeoutMs * 2;
  const deadline = Date.now() + boundMs;
  while (!(await readdir(dir)).some((name) => name.startsWith('pre-key-'))) {
    if (Date.now() > deadline) throw new Error(`no pre-keys saved within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  standin = await startStandin();
  harness = await startHarness(standin);
  folder = await mkdtemp(join(tmpdir(), 'pasarela-multi-file-'));
  // Paired, then logged in once (which stores its first pre-keys), as a
  // restaurant running elsewhere would be.
  await runWithMultiFileHelper(folder, 'restart-requested');
  await runWithMultiFileHelper(folder, 'open');
  phone = '15550105001';
});

afterAll(async () => {
  await harness.close();
  await standin.close();
  await rm(folder, { recursive: true, force: true });
});

describe('moving a restaurant paired elsewhere', () => {
  it(
    'imports a folder written by Baileys’ ' + 'multi-file helper and logs in without a QR',
    async () => {
      const qrs: string[] = [];
      harness.manager.on('qr', (event) => qrs.push(event.tenant));
      const result = await harness.manager.importFolder('moved-ramen', folder);
      expect(result.account).toMatch(/^15550105001:\d+@s\.whatsapp\.net$/);
      expect(result.keys['pre-key']).toBeGreaterThan(0);
      await harness.reach('moved-ramen', 'connected', harness.config.connectTimeoutMs * 2);
      expect(statuses(harness, 'moved-ramen')).toEqual([
        'starting(lease_acquired)',
        'connected(opened)',
      ]);
      expect(qrs).toEqual([]);
      const account = await standin.control.account(phone);
      expect(account.registrations.map((r) => r.result)).toEqual(['paired']);
      expect(account.logins.map((l) => l.result)).toEqual(['success', 'success']);
      expect(account.peakOpen).toBe(1);
    },
  );

  it('refuses a partial copy of the folder and leaves no tenant behind', async () => {
    const partial = await mkdtemp(join(tmpdir(), 'pasarela-partial-'));
    try {
      await cp(join(folder, 'creds.json'), join(partial, 'creds.json'));
      expect(await readdir(partial)).toEqual(['creds.json']);
      await expect(harness.manager.importFolder('half-ramen', partial)).rejects.toMatchObject({
        code: 'import_missing_keys',
      });
      expect((await harness.store.list()).map((t) => t.tenant)).not.toContain('half-ramen');
      expect(harness.manager.status('half-ramen')).toBeUndefined();
    } finally {
      await rm(partial, { recursive: true, force: true });
    }
  });
});
