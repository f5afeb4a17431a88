import { EventEmitter } from 'node:events';
import type { DisconnectReason } from './disconnect.js';
import { SessionError } from './errors.js';

/**
 * A tenant session's status, changed in one place only: `transition`, which
 * checks the table below, stamps the change and emits it. Everything that
 * reports status (API, events, the room's status frame) listens here.
 */
export type SessionStatus =
  | 'stopped'
  | 'starting'
  | 'qr'
  | 'connected'
  | 'reconnecting'
  | 'logged_out'
  | 'replaced'
  | 'failed';

export const SESSION_STATUSES: readonly SessionStatus[] = [
  'stopped',
  'starting',
  'qr',
  'connected',
  'reconnecting',
  'logged_out',
  'replaced',
  'failed',
];

/**
 * Allowed moves. `starting` is entered for every socket built, first start
 * and reconnects alike; `reconnecting` is the wait before the next one.
 * Stopping is allowed from anywhere but `stopped`; a stopped session can be
 * logged out (its creds cleared) without a socket.
 */
export const SESSION_TRANSITIONS: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  stopped: ['starting', 'logged_out'],
  starting: ['qr', 'connected', 'reconnecting', 'logged_out', 'replaced', 'failed', 'stopped'],
  qr: ['connected', 'reconnecting', 'logged_out', 'replaced', 'failed', 'stopped'],
  connected: ['reconnecting', 'logged_out', 'replaced', 'failed', 'stopped'],
  reconnecting: ['starting', 'logged_out', 'failed', 'stopped'],
  logged_out: ['starting', 'stopped'],
  replaced: ['starting', 'stopped'],
  failed: ['starting', 'stopped'],
};

/** Why a transition happened: a disconnect rule, or one of the product's own causes. */
export type TransitionReason =
  | DisconnectReason
  | 'start_requested'
  | 'restart_requested'
  | 'stop_requested'
  | 'logout_requested'
  | 'socket_created'
  | 'qr_shown'
  | 'opened'
  | 'lease_acquired'
  | 'lease_lost'
  | 'lease_released'
  | 'route_changed'
  | 'shutdown'
  | 'error';

export interface TransitionDetail {
  readonly statusCode?: number;
  readonly delayMs?: number;
  readonly attempt?: number;
  readonly loop?: boolean;
  readonly alert?: boolean;
  readonly epoch?: number;
  readonly message?: string;
}

export interface SessionTransition {
  readonly tenant: string;
  readonly from: SessionStatus;
  readonly to: SessionStatus;
  readonly reason: TransitionReason;
  /** When the transition happened (epoch ms). */
  readonly at: number;
  /** When the previous status began, so `at - since` is the time spent in it. */
  readonly since: number;
  readonly detail: TransitionDetail;
}

export interface SessionStateEvents {
  transition: [transition: SessionTransition];
}

export class SessionStateMachine extends EventEmitter<SessionStateEvents> {
  private current: SessionStatus = 'stopped';
  private enteredAt: number;
  private last: SessionTransition | undefined;
  private readonly log: SessionTransition[] = [];

  constructor(
    readonly tenant: string,
    private readonly options: { now?: () => number; historySize?: number } = {},
  ) {
    super();
    this.enteredAt = this.now();
  }

  get status(): SessionStatus {
    return this.current;
  }

  /** When the current status began (epoch ms). */
  get since(): number {
    return this.enteredAt;
  }

  get lastTransition(): SessionTransition | undefined {
    return this.last;
  }

  can(to: SessionStatus): boolean {
    return SESSION_TRANSITIONS[this.current].includes(to);
  }

  /** Moves to `to`, or throws `illegal_transition` leaving the status as it was. */
  transition(
    to: SessionStatus,
    reason: TransitionReason,
    detail: TransitionDetail = {},
  ): SessionTransition {
    if (!this.can(to)) {
      throw new SessionError(
        'illegal_transition',
        `tenant ${this.tenant}: ${this.current} → ${to} (${reason})`,
        { tenant: this.tenant, from: this.current, to, reason },
      );
    }
    const at = this.now();
    const change: SessionTransition = {
      tenant: this.tenant,
      from: this.current,
      to,
      reason,
      at,
      since: this.enteredAt,
      detail,
    };
    this.current = to;
    this.enteredAt = at;
    this.last = change;
    this.log.push(change);
    if (this.log.length > (this.options.historySize ?? 50)) this.log.shift();
    this.emit('transition', change);
    return change;
  }

  /** The most recent transitions, oldest first. */
  history(): readonly SessionTransition[] {
    return [...this.log];
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
