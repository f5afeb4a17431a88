import { startStandin, type Standin } from '@pasarela/standin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairTenant, startHarness, statuses, type Harness } from './support/harness.js';

let standin: Standin;
let harness: Harness;
/** Every wait here: the longest backoff plus a login's timeout, both from the configuration. */
let settleMs: number;

beforeAll(async () => {
  standin = await startStandin();
  harness = await startHarness(standin);
  settleMs = harness.config.backoffMaxMs + harness.config.connectTimeoutMs;
});

afterAll(async () => {
  await harness.close();
  await standin.close();
});

async function logins(phone: string): Promise<number> {
  return (await standin.control.account(phone)).logins.length;
}

/** Waits as long as any reconnect could take, then reports what the tenant did meanwhile. */
async function quietPeriod(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
}

// Each case has its own tenant and phone number, so the cases run side by side.
describe.concurrent('a disconnect code injected by WhatsApp ends in the right state', () => {
  it('503: reconnects after a backoff and logs in again with the saved creds', async () => {
    await pairTenant(harness, standin, 'pollos-503', '15550103503');
    const before = await logins('15550103503');
    const from = harness.transitions.length;
    const sentAt = Date.now();
    await standin.control.disconnect('15550103503', 503);
    const back = await harness.reach('pollos-503', 'connected', settleMs, from);
    console.log(`503: connected again ${back.at - sentAt} ms after the code`);
    expect(statuses(harness, 'pollos-503', from)).toEqual([
      'reconnecting(unavailable)',
      'starting(socket_created)',
      'connected(opened)',
    ]);
    const waited = harness.transitions
      .slice(from)
      .find((t) => t.tenant === 'pollos-503' && t.to === 'reconnecting');
    expect(waited?.detail).toMatchObject({ statusCode: 503, loop: false, attempt: 1 });
    expect(waited?.detail.delayMs).toBeLessThanOrEqual(harness.config.backoffBaseMs);
    expect(await logins('15550103503')).toBe(before + 1);
  });

  it('515: restarts at once with flushed creds, a login and no QR', async () => {
    await pairTenant(harness, standin, 'pollos-515', '15550103515');
    const before = await logins('15550103515');
    const from = harness.transitions.length;
    await standin.control.disconnect('15550103515', 515);
    await harness.reach('pollos-515', 'connected', settleMs, from);
    expect(statuses(harness, 'pollos-515', from)).toEqual([
      'reconnecting(restart_required)',
      'starting(socket_created)',
      'connected(opened)',
    ]);
    const waited = harness.transitions
      .slice(from)
      .find((t) => t.tenant === 'pollos-515' && t.to === 'reconnecting');
    expect(waited?.detail).toMatchObject({ statusCode: 515, delayMs: 0 });
    expect(await logins('15550103515')).toBe(before + 1);
    const account = await standin.control.account('15550103515');
    expect(account.registrations.map((r) => r.result)).toEqual(['paired']);
  });

  it('440: stops as replaced and never fights back', async () => {
    await pairTenant(harness, standin, 'pollos-440', '15550103440');
    const before = await logins('15550103440');
    const from = harness.transitions.length;
    await standin.control.disconnect('15550103440', 440);
    await harness.reach('pollos-440', 'replaced', settleMs, from);
    await quietPeriod();
    expect(statuses(harness, 'pollos-440', from)).toEqual(['replaced(replaced)']);
    expect(harness.manager.status('pollos-440')).toMatchObject({
      status: 'replaced',
      lastDisconnect: { statusCode: 440, reason: 'replaced' },
    });
    expect(await logins('15550103440')).toBe(before);
  });

  it('403: fails with an alert and does not retry', async () => {
    await pairTenant(harness, standin, 'pollos-403', '15550103403');
    const alerts: unknown[] = [];
    harness.manager.on('alert', (alert) => alerts.push(alert));
    const before = await logins('15550103403');
    const from = harness.transitions.length;
    await standin.control.disconnect('15550103403', 403);
    await harness.reach('pollos-403', 'failed', settleMs, from);
    await quietPeriod();
    expect(statuses(harness, 'pollos-403', from)).toEqual(['failed(forbidden)']);
    expect(alerts.filter((a) => (a as { tenant: string }).tenant === 'pollos-403')).toEqual([
      { tenant: 'pollos-403', reason: 'forbidden', statusCode: 403 },
    ]);
    expect(await logins('15550103403')).toBe(before);
  });

  it('401: clears the creds and goes back to a new QR', async () => {
    await pairTenant(harness, standin, 'pollos-401', '15550103401');
    const from = harness.transitions.length;
    await standin.control.disconnect('15550103401', 401);
    await harness.reach('pollos-401', 'qr', settleMs, from);
    expect(statuses(harness, 'pollos-401', from)).toEqual([
      'logged_out(logged_out)',
      'starting(socket_created)',
      'qr(qr_shown)',
    ]);
    const stored = (await harness.store.list()).find((t) => t.tenant === 'pollos-401');
    expect(stored?.account).toBeNull();
    expect(harness.manager.status('pollos-401')).toMatchObject({ account: null, qr: true });
    const { registrations } = await standin.control.records();
    const pending = registrations.filter((r) => r.result === 'pending');
    // The new registration is not tied to an account until a phone scans it.
    expect(pending.map((r) => r.account)).toEqual([null]);
    await harness.manager.stop('pollos-401');
  });
});
