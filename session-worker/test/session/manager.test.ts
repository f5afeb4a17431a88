import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandin, type Standin } from '@pasarela/standin';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairTenant, startHarness, statuses, type Harness } from './support/harness.js';

let standin: Standin;
let harness: Harness;
let loginMs: number;

/** Every QR and pairing code handed out in this file, to look for in the logs at the end. */
const secrets: string[] = [];

beforeAll(async () => {
  standin = await startStandin();
  harness = await startHarness(standin);
  loginMs = harness.config.connectTimeoutMs * 2;
  harness.manager.on('qr', (event) => {
    // The link's fields: ref, noise key, identity key, ADV secret (the secret one).
    secrets.push(...(event.qr.split('#')[1] ?? '').split(',').slice(0, 4));
  });
});

afterAll(async () => {
  await harness.close();
  await standin.close();
});

/**
 * The socket is closed on the worker's side when a stop resolves; the
 * stand-in sees the upstream close a moment later, through the egress.
 */
async function closedAtStandin(phone: string): Promise<void> {
  const deadline = Date.now() + harness.config.socketCloseTimeoutMs;
  while ((await standin.control.account(phone)).open !== 0) {
    if (Date.now() > deadline) throw new Error(`${phone} still open at the stand-in`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function logins(phone: string): Promise<number> {
  return (await standin.control.account(phone)).logins.length;
}

describe('the session manager', () => {
  it('shows the pairing QR as the raw string and as a PNG of it', async () => {
    const shown = new Promise<string>((resolve) =>
      harness.manager.on('qr', (e) => e.tenant === 'qr-tacos' && resolve(e.qr)),
    );
    const view = await harness.manager.start('qr-tacos');
    expect(view).toMatchObject({ tenant: 'qr-tacos', held: true, account: null });
    const qr = await shown;
    expect(harness.manager.qr('qr-tacos')?.qr).toBe(qr);
    // rc14's link: ref, noise key, identity key, ADV secret, companion platform.
    expect(qr).toMatch(
      /^https:\/\/wa\.me\/settings\/linked_devices#2@[^,]+(,[A-Za-z0-9+/]{43}=){3},\d+$/,
    );

    const png = await harness.manager.qrPng('qr-tacos', { scale: 4, margin: 2 });
    expect(png.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    const modules = QRCode.create(qr, {}).modules.size;
    // IHDR: width and height in pixels, (modules + 2 × margin) × scale.
    expect(png.readUInt32BE(16)).toBe((modules + 4) * 4);
    expect(png.readUInt32BE(20)).toBe((modules + 4) * 4);

    await standin.control.scanQr(qr, { phone: '15550104101' });
    await harness.reach('qr-tacos', 'connected', loginMs);
    expect(harness.manager.qr('qr-tacos')).toBeUndefined();
    await expect(harness.manager.qrPng('qr-tacos')).rejects.toMatchObject({ code: 'no_qr' });
  });

  it('pairs by phone number with the code the restaurant types on its phone', async () => {
    const code = await harness.manager.requestPairingCode('code-arepas', '+1 555-010-4201');
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    secrets.push(code);
    const paired = await standin.control.enterLinkCode('15550104201', code);
    expect(paired.method).toBe('code');
    await harness.reach('code-arepas', 'connected', loginMs);
    expect(harness.manager.status('code-arepas')?.account).toBe(paired.jid);
    await expect(
      harness.manager.requestPairingCode('code-arepas', '15550104201'),
    ).rejects.toMatchObject({ code: 'already_paired' });
    await expect(harness.manager.requestPairingCode('code-arepas', '12-34')).rejects.toMatchObject({
      code: 'invalid_phone',
    });
  });

  it('forgets a pairing code that was never typed, so the next start registers again', async () => {
    await harness.manager.requestPairingCode('code-olvido', '15550104202');
    await harness.manager.stop('code-olvido');
    const from = harness.transitions.length;
    await harness.manager.start('code-olvido');
    await harness.reach('code-olvido', 'qr', loginMs, from);
    expect(statuses(harness, 'code-olvido', from)).toEqual([
      'starting(start_requested)',
      'qr(qr_shown)',
    ]);
    await harness.manager.stop('code-olvido');
  });

  it('stops a tenant and starts it again with a login, no QR', async () => {
    await pairTenant(harness, standin, 'stop-empanadas', '15550104301');
    const before = await logins('15550104301');
    const from = harness.transitions.length;
    expect(await harness.manager.stop('stop-empanadas')).toMatchObject({ status: 'stopped' });
    await closedAtStandin('15550104301');
    await harness.manager.start('stop-empanadas');
    await harness.reach('stop-empanadas', 'connected', loginMs, from);
    expect(statuses(harness, 'stop-empanadas', from)).toEqual([
      'stopped(stop_requested)',
      'starting(start_requested)',
      'connected(opened)',
    ]);
    expect(await logins('15550104301')).toBe(before + 1);
  });

  it('logs a tenant out at WhatsApp, clears its creds and stays logged out', async () => {
    await pairTenant(harness, standin, 'logout-churros', '15550104401');
    const from = harness.transitions.length;
    expect(await harness.manager.logout('logout-churros')).toMatchObject({
      status: 'logged_out',
      account: null,
    });
    expect(statuses(harness, 'logout-churros', from)).toEqual(['logged_out(logout_requested)']);
    const stored = (await harness.store.list()).find((t) => t.tenant === 'logout-churros');
    expect(stored?.account).toBeNull();
    const account = await standin.control.account('15550104401');
    expect(account.devices.map((d) => d.removedAt === null)).toEqual([false]);
    await closedAtStandin('15550104401');
  });

  it(
    'makes one socket and one login for a route ' +
      'change, a reconnect and a restart fired at once',
    async () => {
      await pairTenant(harness, standin, 'storm-pupusas', '15550104501');
      const before = await logins('15550104501');
      const from = harness.transitions.length;
      const firedAt = new Date().toISOString();
      const results = await Promise.all([
        harness.manager.reconnect('storm-pupusas', 'route_changed'),
        harness.manager.restart('storm-pupusas'),
        harness.manager.reconnect('storm-pupusas', 'route_changed'),
      ]);
      expect(results[0]).toBe(true);
      expect(results[2]).toBe(false);
      await harness.reach('storm-pupusas', 'connected', loginMs, from);
      expect(statuses(harness, 'storm-pupusas', from)).toEqual([
        'reconnecting(route_changed)',
        'starting(route_changed)',
        'connected(opened)',
      ]);
      expect(await logins('15550104501')).toBe(before + 1);
      const account = await standin.control.account('15550104501');
      const since = account.openTimeline.filter((s) => s.time >= firedAt).map((s) => s.open);
      expect(Math.max(...since)).toBe(1);
      const { connections } = await standin.control.records();
      expect(
        connections.filter((c) => c.account === '15550104501' && c.outcome === 'replaced'),
      ).toEqual([]);
    },
  );
});

describe('the logs of all of the above', () => {
  it('never carry a QR field or a pairing code, even at debug level', () => {
    expect(secrets.length).toBeGreaterThan(8);
    const text = harness.logs.text.join('\n');
    expect(secrets.filter((secret) => text.includes(secret))).toEqual([]);
    expect(harness.logs.lines.some((l) => l['level'] === 20)).toBe(true);
  });
});

describe('three start triggers for one tenant at once', () => {
  it('make one registration for a new tenant', async () => {
    const before = (await standin.control.records()).registrations.length;
    const views = await Promise.all([
      harness.manager.start('triple-nuevo'),
      harness.manager.start('triple-nuevo'),
      harness.manager.restart('triple-nuevo'),
    ]);
    expect(views.map((v) => v.held)).toEqual([true, true, true]);
    await harness.reach('triple-nuevo', 'qr', loginMs);
    expect(statuses(harness, 'triple-nuevo')).toEqual(['starting(lease_acquired)', 'qr(qr_shown)']);
    expect((await standin.control.records()).registrations.length - before).toBe(1);
    await harness.manager.stop('triple-nuevo');
  });

  it('make one socket and one login', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'pasarela-triple-'));
    const first = await startHarness(standin, { folder });
    await pairTenant(first, standin, 'triple-tamales', '15550104601');
    await first.close();
    const before = await logins('15550104601');

    // A worker restart on the same store: the lease is won while an API
    // start and an API restart for the tenant arrive.
    const next = await startHarness(standin, { folder, deferRun: true });
    try {
      await Promise.all([
        next.manager.run(),
        next.manager.start('triple-tamales'),
        next.manager.restart('triple-tamales'),
      ]);
      await next.reach('triple-tamales', 'connected', loginMs);
      expect(statuses(next, 'triple-tamales')).toEqual([
        'starting(lease_acquired)',
        'connected(opened)',
      ]);
      expect(await logins('15550104601')).toBe(before + 1);
      expect((await standin.control.account('15550104601')).peakOpen).toBe(1);
    } finally {
      await next.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
