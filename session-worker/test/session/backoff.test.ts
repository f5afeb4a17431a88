import { describe, expect, it } from 'vitest';
import { ReconnectTracker } from '../../src/session/backoff.js';
import { SESSION_DEFAULTS } from '../../src/session/config.js';
import type { DisconnectInfo } from '../../src/session/disconnect.js';

const dropped: DisconnectInfo = {
  statusCode: 428,
  message: 'Connection Terminated',
  qrExpired: false,
  intentional: false,
};

describe('reconnect tracking for one tenant', () => {
  it(
    'keeps backing off through a QR phase whose ' + 'connection drops every 2 s (FIELD-NOTES F5)',
    () => {
      // Defaults: base 1 s doubling, loop at 5 reconnects in 60 s, then 120 s.
      let now = 0;
      const tracker = new ReconnectTracker(
        SESSION_DEFAULTS,
        () => now,
        () => 0,
      );
      const registrations: number[] = [];
      let loopRaisedAt: number | undefined;
      let nextStart = 0;
      while (nextStart < 60_000) {
        registrations.push(nextStart);
        now = nextStart + 2_000;
        const decision = tracker.onClose(dropped, 'qr');
        expect(decision).toMatchObject({ action: 'reconnect', registration: true });
        if (decision.action !== 'reconnect') break;
        if (decision.loop && loopRaisedAt === undefined) loopRaisedAt = now;
        nextStart = now + decision.delayMs;
      }
      expect(registrations).toEqual([0, 3_000, 7_000, 13_000, 23_000]);
      expect(loopRaisedAt).toBe(25_000);
      expect(tracker.looping).toBe(true);
    },
  );

  it('starts again from the base delay once the session opened', () => {
    let now = 0;
    const tracker = new ReconnectTracker(
      SESSION_DEFAULTS,
      () => now,
      () => 0,
    );
    const delays = [1, 2, 3].map(() => {
      now += 1_000;
      const d = tracker.onClose(dropped, 'open');
      return d.action === 'reconnect' ? d.delayMs : -1;
    });
    tracker.opened();
    now += 1_000;
    const after = tracker.onClose(dropped, 'open');
    expect([...delays, after.action === 'reconnect' ? after.delayMs : -1]).toEqual([
      1_000, 2_000, 4_000, 1_000,
    ]);
  });

  it('flags a loop of connections that open and drop again, though each one opened', () => {
    let now = 0;
    const tracker = new ReconnectTracker(
      SESSION_DEFAULTS,
      () => now,
      () => 0,
    );
    const loops = [1, 2, 3, 4, 5].map(() => {
      now += 5_000;
      tracker.opened();
      const d = tracker.onClose(dropped, 'open');
      return d.action === 'reconnect' && d.loop;
    });
    expect(loops).toEqual([false, false, false, false, true]);
  });

  it('lowers the loop flag once the window holds fewer reconnects than the threshold', () => {
    let now = 0;
    const tracker = new ReconnectTracker(
      SESSION_DEFAULTS,
      () => now,
      () => 0,
    );
    for (let i = 0; i < 5; i++) {
      now += 1_000;
      tracker.onClose(dropped, 'open');
    }
    expect(tracker.looping).toBe(true);
    now += SESSION_DEFAULTS.loopWindowMs;
    expect(tracker.looping).toBe(false);
    expect(tracker.recent()).toBe(0);
  });

  it('counts neither stops nor intentional ends as reconnects', () => {
    const tracker = new ReconnectTracker(
      SESSION_DEFAULTS,
      () => 0,
      () => 0,
    );
    tracker.onClose({ ...dropped, statusCode: 440 }, 'open');
    tracker.onClose({ ...dropped, statusCode: undefined, intentional: true }, 'open');
    expect([tracker.recent(), tracker.attempts]).toEqual([0, 0]);
  });
});
