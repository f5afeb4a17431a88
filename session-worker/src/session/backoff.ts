import type { SessionConfig } from './config.js';
import {
  decideDisconnect,
  type DisconnectDecision,
  type DisconnectInfo,
  type SessionPhase,
} from './disconnect.js';

type TrackerConfig = Pick<
  SessionConfig,
  | 'backoffBaseMs'
  | 'backoffMaxMs'
  | 'backoffJitter'
  | 'loopWindowMs'
  | 'loopThreshold'
  | 'loopBackoffMs'
>;

/**
 * One tenant's reconnect history, feeding the pure disconnect rules. The
 * attempt count resets only when the session opens; a QR shown is not
 * success, so a socket that keeps dropping during pairing keeps backing off.
 * Every reconnect and logout-restart is counted in a sliding window; at
 * `loopThreshold` within `loopWindowMs` the loop flag is up (FIELD-NOTES F5).
 */
export class ReconnectTracker {
  private attempt = 0;
  private readonly reconnects: number[] = [];

  constructor(
    private readonly config: TrackerConfig,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Decides on a close and counts the reconnect it leads to, if any. */
  onClose(info: DisconnectInfo, phase: SessionPhase): DisconnectDecision {
    const decision = decideDisconnect(
      info,
      { phase, attempt: this.attempt, recentReconnects: this.recent(), random: this.random() },
      this.config,
    );
    if (decision.action === 'reconnect' || decision.action === 'logout') {
      this.reconnects.push(this.now());
      this.attempt += 1;
    }
    return decision;
  }

  /** The session opened: the next failure starts from the base delay again. */
  opened(): void {
    this.attempt = 0;
  }

  /** An operator asked for a fresh start: forget the history. */
  reset(): void {
    this.attempt = 0;
    this.reconnects.length = 0;
  }

  /** Reconnects within the loop window, this moment included. */
  recent(): number {
    const since = this.now() - this.config.loopWindowMs;
    while (this.reconnects.length > 0 && (this.reconnects[0] ?? 0) <= since)
      this.reconnects.shift();
    return this.reconnects.length;
  }

  /** The loop flag health reports: reconnects in the window reached the threshold. */
  get looping(): boolean {
    return this.recent() >= this.config.loopThreshold;
  }

  get attempts(): number {
    return this.attempt;
  }
}
