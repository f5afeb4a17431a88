import { describe, expect, it } from 'vitest';
import { parseSessionConfig } from '../../src/session/config.js';
import { decideDisconnect } from '../../src/session/disconnect.js';
import {
  SESSION_STATUSES,
  SessionStateMachine,
  type SessionStatus,
  type SessionTransition,
} from '../../src/session/state.js';

const ALLOWED = new Set([
  'stopped→starting',
  'stopped→logged_out',
  'starting→qr',
  'starting→connected',
  'starting→reconnecting',
  'starting→logged_out',
  'starting→replaced',
  'starting→failed',
  'starting→stopped',
  'qr→connected',
  'qr→reconnecting',
  'qr→logged_out',
  'qr→replaced',
  'qr→failed',
  'qr→stopped',
  'connected→reconnecting',
  'connected→logged_out',
  'connected→replaced',
  'connected→failed',
  'connected→stopped',
  'reconnecting→starting',
  'reconnecting→logged_out',
  'reconnecting→failed',
  'reconnecting→stopped',
  'logged_out→starting',
  'logged_out→stopped',
  'replaced→starting',
  'replaced→stopped',
  'failed→starting',
  'failed→stopped',
]);

/** Walks a fresh machine to `status` by allowed steps. */
function machineIn(status: SessionStatus): SessionStateMachine {
  const machine = new SessionStateMachine('t');
  const path: Record<SessionStatus, SessionStatus[]> = {
    stopped: [],
    starting: ['starting'],
    qr: ['starting', 'qr'],
    connected: ['starting', 'connected'],
    reconnecting: ['starting', 'reconnecting'],
    logged_out: ['starting', 'logged_out'],
    replaced: ['starting', 'replaced'],
    failed: ['starting', 'failed'],
  };
  for (const step of path[status]) machine.transition(step, 'error');
  return machine;
}

describe('the session status machine', () => {
  it('begins stopped', () => {
    expect(new SessionStateMachine('t').status).toBe('stopped');
  });

  it('emits each transition of a first pairing with its reason and times', () => {
    let now = 1_000;
    const machine = new SessionStateMachine('taqueria', { now: () => now });
    const seen: SessionTransition[] = [];
    machine.on('transition', (t) => seen.push(t));
    machine.transition('starting', 'start_requested');
    now = 1_500;
    machine.transition('qr', 'qr_shown');
    now = 31_500;
    machine.transition('reconnecting', 'restart_required', { statusCode: 515, delayMs: 0 });
    now = 31_600;
    machine.transition('starting', 'socket_created', { attempt: 1 });
    now = 33_000;
    machine.transition('connected', 'opened');
    expect(seen.map((t) => [t.from, t.to, t.reason, t.since, t.at])).toEqual([
      ['stopped', 'starting', 'start_requested', 1_000, 1_000],
      ['starting', 'qr', 'qr_shown', 1_000, 1_500],
      ['qr', 'reconnecting', 'restart_required', 1_500, 31_500],
      ['reconnecting', 'starting', 'socket_created', 31_500, 31_600],
      ['starting', 'connected', 'opened', 31_600, 33_000],
    ]);
    expect(seen[2]?.detail).toEqual({ statusCode: 515, delayMs: 0 });
    expect(seen.every((t) => t.tenant === 'taqueria')).toBe(true);
    expect(machine.status).toBe('connected');
    expect(machine.since).toBe(33_000);
    expect(machine.history()).toEqual(seen);
  });

  const pairs = SESSION_STATUSES.flatMap((from) =>
    SESSION_STATUSES.map((to) => [from, to] as const),
  );

  it.each(pairs)('%s → %s follows the table', (from, to) => {
    const machine = machineIn(from);
    const seen: SessionTransition[] = [];
    machine.on('transition', (t) => seen.push(t));
    if (ALLOWED.has(`${from}→${to}`)) {
      machine.transition(to, 'error');
      expect([machine.status, seen.length]).toEqual([to, 1]);
    } else {
      expect(() => machine.transition(to, 'error')).toThrow(
        expect.objectContaining({
          code: 'illegal_transition',
          context: expect.objectContaining({ from, to }),
        }),
      );
      expect([machine.status, seen.length]).toEqual([from, 0]);
    }
  });

  it('keeps only the most recent transitions', () => {
    const machine = new SessionStateMachine('t', { historySize: 3 });
    machine.transition('starting', 'start_requested');
    machine.transition('connected', 'opened');
    machine.transition('reconnecting', 'connection_lost');
    machine.transition('starting', 'socket_created');
    expect(machine.history().map((t) => t.to)).toEqual(['connected', 'reconnecting', 'starting']);
  });

  it('can enter the status every disconnect decision names, from connected and from qr', () => {
    const rules = parseSessionConfig();
    const context = { attempt: 0, recentReconnects: 0, random: 0 };
    for (const phase of ['open', 'qr'] as const) {
      for (const code of [401, 403, 408, 411, 428, 440, 500, 503, 515, 499]) {
        const decision = decideDisconnect(
          { statusCode: code, message: 'x', qrExpired: false, intentional: false },
          { ...context, phase },
          rules,
        );
        const status =
          decision.action === 'stop'
            ? decision.status
            : decision.action === 'logout'
              ? 'logged_out'
              : 'reconnecting';
        const machine = machineIn(phase === 'open' ? 'connected' : 'qr');
        machine.transition(status, decision.reason);
        if (decision.action === 'logout') machine.transition('starting', 'restart_requested');
        expect(machine.status).toBe(decision.action === 'logout' ? 'starting' : status);
      }
    }
  });
});
