import type { Route } from '../../egress/index.js';
import type { RouteSettings } from '../defaults.js';
import type { SessionControl } from '../session-control.js';
import { decideMove } from './decide-move.js';
import type { MoveDecision, MoveReason, MoveSituation } from './decide-move.js';

export interface MoveRecord {
  readonly at: number;
  readonly from: Route;
  readonly to: Route;
  readonly reason: MoveReason;
  /** False when the session manager did nothing (not running, backing off, already renewed). */
  readonly done: boolean;
  readonly durationMs: number;
}

export interface RouteControllerOptions {
  readonly tenant: string;
  readonly settings: RouteSettings;
  readonly sessions: SessionControl;
  readonly situation: () => MoveSituation;
  /** A move starts: the tunnel marks itself unfit before the new socket decides its route. */
  readonly moving: (to: Route, reason: MoveReason) => void;
  readonly moved: (record: MoveRecord) => void;
  readonly failed: (reason: MoveReason, error: unknown) => void;
  readonly now?: () => number;
}

/**
 * One tenant's route controller: looks at the situation whenever it may
 * have changed (and again when a wait it was told about runs out), and
 * asks the session manager for a reconnect when the pure `decideMove`
 * says so. One move at a time; moves onto the tunnel are remembered for
 * the hourly cap.
 */
export class RouteController {
  readonly #options: RouteControllerOptions;
  readonly #now: () => number;
  readonly #movesOntoTunnel: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #moving: MoveReason | null = null;
  #closed = false;
  #last: MoveDecision | null = null;

  constructor(options: RouteControllerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Moves onto the tunnel within the last hour, oldest first. */
  get movesOntoTunnel(): readonly number[] {
    const now = this.#now();
    while (this.#movesOntoTunnel.length > 0 && now - this.#movesOntoTunnel[0]! >= 3_600_000) {
      this.#movesOntoTunnel.shift();
    }
    return this.#movesOntoTunnel;
  }

  /** The move in progress, if any. */
  get moving(): MoveReason | null {
    return this.#moving;
  }

  /** The last decision and why, for the status and the stats. */
  get lastDecision(): MoveDecision | null {
    return this.#last;
  }

  /** Something changed: decide again (coalesced to one decision per tick). */
  evaluate(): void {
    if (this.#closed || this.#moving) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#decide(), 0);
    this.#timer.unref();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #decide(): void {
    if (this.#closed || this.#moving) return;
    const situation = this.#options.situation();
    const decision = decideMove(
      { ...situation, movesOntoTunnel: this.movesOntoTunnel },
      this.#options.settings,
    );
    this.#last = decision;
    if (decision.action === 'stay') {
      if (decision.recheckInMs !== null) {
        this.#timer = setTimeout(() => this.#decide(), Math.max(decision.recheckInMs, 10));
        this.#timer.unref();
      }
      return;
    }
    const from = situation.websocket?.route ?? 'direct';
    void this.#move(from, decision.to, decision.reason);
  }

  async #move(from: Route, to: Route, reason: MoveReason): Promise<void> {
    this.#moving = reason;
    const startedAt = this.#now();
    this.#options.moving(to, reason);
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `the reconnect did not finish within ${this.#options.settings.moveTimeoutMs} ms`,
              ),
            ),
          this.#options.settings.moveTimeoutMs,
        );
      });
      const done = await Promise.race([
        this.#options.sessions.reconnect(this.#options.tenant, reason),
        timeout,
      ]);
      if (done && to === 'tunnel') this.#movesOntoTunnel.push(startedAt);
      this.#options.moved({
        at: startedAt,
        from,
        to,
        reason,
        done,
        durationMs: this.#now() - startedAt,
      });
    } catch (error) {
      this.#options.failed(reason, error);
    } finally {
      clearTimeout(timer);
      this.#moving = null;
      this.evaluate();
    }
  }
}
