import { describe, expect, it } from 'vitest';
import { parseSessionConfig } from '../../src/session/config.js';
import {
  backoffDelay,
  decideDisconnect,
  type DisconnectContext,
  type DisconnectInfo,
} from '../../src/session/disconnect.js';

const rules = parseSessionConfig({
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  backoffJitter: 0.2,
  loopThreshold: 5,
  loopBackoffMs: 120_000,
});

const close = (statusCode: number | undefined, message = 'x'): DisconnectInfo => ({
  statusCode,
  message,
  qrExpired: false,
  intentional: false,
});
const open: DisconnectContext = { phase: 'open', attempt: 0, recentReconnects: 0, random: 0 };

describe('the disconnect rule for each code, first close of a logged-in session', () => {
  it.each([
    [515, { action: 'reconnect', reason: 'restart_required', delayMs: 0, flushCreds: true }],
    [440, { action: 'stop', reason: 'replaced', status: 'replaced', alert: false }],
    [401, { action: 'logout', reason: 'logged_out', delayMs: 0 }],
    [403, { action: 'stop', reason: 'forbidden', status: 'failed', alert: true }],
    [411, { action: 'stop', reason: 'multidevice_mismatch', status: 'failed', alert: true }],
    [408, { action: 'reconnect', reason: 'connection_lost', delayMs: 1_000, flushCreds: false }],
    [428, { action: 'reconnect', reason: 'connection_closed', delayMs: 1_000, flushCreds: false }],
    [500, { action: 'reconnect', reason: 'bad_session', delayMs: 1_000, flushCreds: false }],
    [503, { action: 'reconnect', reason: 'unavailable', delayMs: 1_000, flushCreds: false }],
    [499, { action: 'reconnect', reason: 'unknown', delayMs: 1_000, flushCreds: false }],
    [undefined, { action: 'reconnect', reason: 'unknown', delayMs: 1_000, flushCreds: false }],
  ])('%s → %o', (code, expected) => {
    expect(decideDisconnect(close(code), open, rules)).toMatchObject({
      ...expected,
      statusCode: code,
    });
  });

  it('does nothing for a close the product made itself (no error)', () => {
    const info = { statusCode: undefined, message: undefined, qrExpired: false, intentional: true };
    expect(decideDisconnect(info, open, rules)).toEqual({
      action: 'none',
      reason: 'intentional',
      statusCode: undefined,
    });
  });
});

describe('the QR phase', () => {
  const qr: DisconnectContext = { phase: 'qr', attempt: 0, recentReconnects: 0, random: 0 };

  it('reports a QR that expired unscanned as expired and stops, without retrying', () => {
    const expired = { ...close(408, 'QR refs attempts ended'), qrExpired: true };
    expect(decideDisconnect(expired, qr, rules)).toEqual({
      action: 'stop',
      reason: 'qr_expired',
      statusCode: 408,
      status: 'stopped',
      alert: false,
    });
  });

  it.each([
    [408, 'connection_lost'],
    [428, 'connection_closed'],
    [503, 'unavailable'],
  ])(
    'treats a %i during the QR phase as a lost connection: back off, register again',
    (code, reason) => {
      expect(decideDisconnect(close(code, 'Connection was lost'), qr, rules)).toEqual({
        action: 'reconnect',
        reason,
        statusCode: code,
        delayMs: 1_000,
        flushCreds: false,
        registration: true,
        loop: false,
      });
    },
  );
});

describe('backoff', () => {
  it.each([
    [0, 0, 1_000],
    [1, 0, 2_000],
    [2, 0, 4_000],
    [5, 0, 32_000],
    [6, 0, 60_000],
    [40, 0, 60_000],
    [0, 0.5, 900],
    [3, 0.999, 6_402],
    [6, 0.999, 48_012],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(backoffDelay(attempt, rules, random)).toBe(expected);
  });

  it('grows with the attempt for a reconnectable code, never past the maximum', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7].map((attempt) =>
      decideDisconnect(close(503), { ...open, attempt }, rules),
    );
    expect(delays.map((d) => (d.action === 'reconnect' ? d.delayMs : -1))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000,
    ]);
  });
});

describe('reconnect loops', () => {
  it('raises the loop flag at the threshold and waits at least the loop delay', () => {
    const below = decideDisconnect(close(428), { ...open, recentReconnects: 3 }, rules);
    const at = decideDisconnect(close(428), { ...open, recentReconnects: 4 }, rules);
    expect(below).toMatchObject({ loop: false, delayMs: 1_000 });
    expect(at).toMatchObject({ loop: true, delayMs: 120_000 });
  });

  it('slows even 515 restarts and 401 restarts down when they loop', () => {
    const looping = { ...open, recentReconnects: 9, random: 0.5 };
    expect(decideDisconnect(close(515), looping, rules)).toMatchObject({
      action: 'reconnect',
      loop: true,
      delayMs: 108_000,
    });
    expect(decideDisconnect(close(401), looping, rules)).toMatchObject({
      action: 'logout',
      loop: true,
      delayMs: 108_000,
    });
  });

  it('never loops on 440: a replaced session stops however often it happened', () => {
    expect(decideDisconnect(close(440), { ...open, recentReconnects: 50 }, rules)).toMatchObject({
      action: 'stop',
      status: 'replaced',
    });
  });
});
