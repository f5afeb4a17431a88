import { startStandin, type Standin } from '@pasarela/standin';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, statuses, type Harness } from './support/harness.js';

/**
 * FIELD-NOTES F5 asks for a drop every 2 s for 60 s with the production
 * backoff. Here every duration is divided by SCALE, the drops and the
 * window as well as the backoff settings, so the proportions (and the bound
 * derived from them) stay those of the field note.
 */
const SCALE = 10;
const DROP_EVERY_MS = 2_000 / SCALE;
const WINDOW_MS = 60_000 / SCALE;
const LOOP_SETTINGS = {
  backoffBaseMs: 1_000 / SCALE,
  backoffMaxMs: 60_000 / SCALE,
  loopWindowMs: 60_000 / SCALE,
  loopBackoffMs: 120_000 / SCALE,
  loopThreshold: 5,
  backoffJitter: 0.2,
};

const opened: { standin: Standin; harness: Harness }[] = [];

async function setUp(
  standinOptions: Parameters<typeof startStandin>[0],
  settings: Record<string, number>,
) {
  const standin = await startStandin(standinOptions);
  const harness = await startHarness(standin, { settings });
  opened.push({ standin, harness });
  return { standin, harness };
}

afterEach(async () => {
  for (const { standin, harness } of opened.splice(0)) {
    await harness.close();
    await standin.close();
  }
});

describe('a reconnect loop during pairing (FIELD-NOTES F5)', () => {
  it('keeps registrations bounded and reports the loop while every socket is dropped', async () => {
    const { standin, harness } = await setUp({}, LOOP_SETTINGS);
    const loops: unknown[] = [];
    harness.manager.on('loop', (event) => loops.push(event));
    await harness.manager.start('loop-pozole');
    await harness.reach('loop-pozole', 'qr', harness.config.connectTimeoutMs);

    const dropper = setInterval(() => void standin.control.drop('*'), DROP_EVERY_MS);
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    clearInterval(dropper);

    const { connections, registrations } = await standin.control.records();
    // Closes 1 to threshold−1 back off normally; the next one finds the loop
    // flag up and waits at least loopBackoffMs × (1 − jitter), longer than
    // the window. So the window holds the first socket and threshold−1 more.
    const { loopThreshold, loopBackoffMs, backoffJitter, loopWindowMs } = harness.config;
    expect(loopBackoffMs * (1 - backoffJitter)).toBeGreaterThan(WINDOW_MS);
    const bound = loopThreshold;
    const unguarded = WINDOW_MS / DROP_EVERY_MS;
    console.log(
      `F5 (durations ÷${SCALE}): ${connections.length} sockets and ${registrations.length} ` +
        `registrations in ${WINDOW_MS} ms of drops every ${DROP_EVERY_MS} ms ` +
        `(bound ${bound}; a drop-driven retry would make ${unguarded})`,
    );
    expect(connections.length).toBeLessThanOrEqual(bound);
    expect(registrations.length).toBeLessThanOrEqual(bound);
    expect(registrations.every((r) => r.result !== 'paired')).toBe(true);

    const view = harness.manager.status('loop-pozole');
    expect(view).toMatchObject({ status: 'reconnecting', loop: true });
    expect(loops).toHaveLength(1);
    expect(loops[0]).toMatchObject({ tenant: 'loop-pozole', recentReconnects: loopThreshold });
    const last = harness.transitions.findLast((t) => t.tenant === 'loop-pozole');
    expect(last?.detail).toMatchObject({ loop: true });
    expect(last?.detail.delayMs).toBeGreaterThanOrEqual(loopBackoffMs * (1 - backoffJitter));
    expect(loopWindowMs).toBe(WINDOW_MS);
  });
});

describe('a QR that nobody scans', () => {
  it('is reported as expired once its refs run out, and not retried', async () => {
    const refMs = 300;
    const { standin, harness } = await setUp(
      { qr: { refCount: 2, firstRefMs: refMs, nextRefMs: refMs } },
      { qrTimeoutMs: refMs, backoffBaseMs: 100, backoffMaxMs: 1_000 },
    );
    await harness.manager.start('qr-nadie');
    const expiry = 2 * refMs + harness.config.connectTimeoutMs;
    const stopped = await harness.reach('qr-nadie', 'stopped', expiry);
    expect(stopped.reason).toBe('qr_expired');
    // Longer than any backoff: a retry would have registered again by now.
    await new Promise((resolve) => setTimeout(resolve, harness.config.backoffMaxMs * 2));
    expect(statuses(harness, 'qr-nadie')).toEqual([
      'starting(lease_acquired)',
      'qr(qr_shown)',
      'stopped(qr_expired)',
    ]);
    const { registrations } = await standin.control.records();
    expect(registrations.map((r) => [r.refsHandedOut, r.result])).toEqual([[2, 'closed']]);
    expect(harness.manager.status('qr-nadie')).toMatchObject({
      status: 'stopped',
      loop: false,
      lastDisconnect: { statusCode: 408, reason: 'qr_expired' },
    });
  });
});
