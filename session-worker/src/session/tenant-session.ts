import type { WASocket } from '@whiskeysockets/baileys';
import type { TenantEgress } from '../egress/index.js';
import type { Lease, RevokeReason } from '../lease/index.js';
import { errorFields } from './context.js';
import { SessionError } from './errors.js';
import { SessionCore } from './session-core.js';
import type { TransitionReason } from './state.js';
import type { SessionView } from './view.js';

/**
 * One tenant's session. Every operation that builds or ends a socket runs on
 * the tenant's `SerialPath`, so at most one socket exists at any moment and a
 * new one is built only after the old one's WebSocket has closed. Requests
 * carry a ticket taken when they were made; a socket built after a request
 * already serves it, so racing triggers (a lease won, an API start, a route
 * change) make one socket, not three (FIELD-NOTES F3).
 */
export class TenantSession extends SessionCore {
  get held(): boolean {
    return this.lease !== undefined;
  }

  get egress(): TenantEgress | undefined {
    return this.resources.egress;
  }

  get qr(): { qr: string; at: number } | undefined {
    return this.shownQr;
  }

  view(): SessionView {
    const last = this.machine.lastTransition;
    return {
      tenant: this.tenant,
      status: this.machine.status,
      since: this.machine.since,
      reason: last?.reason ?? null,
      held: this.held,
      epoch: this.lease?.epoch ?? null,
      account: this.account,
      loop: this.tracker.looping,
      attempts: this.tracker.attempts,
      lastDisconnect: this.lastClose,
      qr: this.shownQr !== undefined,
      webVersion: this.webVersion
        ? { version: this.webVersion.version, source: this.webVersion.source }
        : null,
    };
  }

  // ---- lease holder side ----

  /** This worker won the lease: run the tenant if it is paired or was asked to run. */
  leaseAcquired(lease: Lease): Promise<void> {
    this.lease = lease;
    return this.path.run(async () => {
      if (this.lease !== lease) return;
      if (!this.wanted) {
        const auth = await this.resources
          .openAuth(lease)
          .catch((error: unknown) => this.startFailed(error));
        if (!auth) return;
        if (!auth.paired) {
          // An unpaired tenant waits for someone to ask for its QR.
          await this.resources.closeAuth();
          return;
        }
        this.wanted = true;
      }
      await this.ensureRunning('lease_acquired');
    });
  }

  /** The lease is gone or given up: stop at once; after `lost`/`expired` write nothing more. */
  leaseRevoked(reason: RevokeReason): Promise<void> {
    this.lease = undefined;
    const gone = reason === 'lost' || reason === 'expired';
    // Another replica may already be logging in: the socket ends now, ahead
    // of whatever is queued on the path (a build waiting for the version).
    if (gone) this.cutNow();
    const why: TransitionReason =
      reason === 'shutdown' ? 'shutdown' : gone ? 'lease_lost' : 'lease_released';
    return this.path.run(() => this.halt(why));
  }

  // ---- requests ----

  /** Marks the tenant to run here once its lease is won, paired or not. */
  want(): void {
    this.wanted = true;
  }

  start(): Promise<void> {
    this.wanted = true;
    return this.path.run(async () => {
      this.requireLease();
      await this.ensureRunning('start_requested');
    });
  }

  stop(): Promise<void> {
    this.wanted = false;
    return this.path.run(() => this.halt('stop_requested'));
  }

  /** Ends the socket, saves pending creds and builds a fresh one with a clean reconnect history. */
  restart(ticket: number): Promise<void> {
    this.wanted = true;
    return this.path.run(async () => {
      this.requireLease();
      if (this.servedBy(ticket)) return;
      this.tracker.reset();
      await this.renew('restart_requested');
    });
  }

  /**
   * The route changed (or another cause needs a new upstream connection):
   * a running session gets a new socket with its saved creds. A session
   * that is not running, or is waiting out a backoff, is left alone: its
   * next socket takes the new route anyway, and a route that comes and goes
   * must not bypass the backoff (FIELD-NOTES F5).
   */
  reconnect(ticket: number, reason: TransitionReason): Promise<boolean> {
    return this.path.run(async () => {
      if (!this.lease || !this.wanted || this.retry) return false;
      if (!this.socket || this.socket.isClosed || this.servedBy(ticket)) return false;
      await this.renew(reason);
      return true;
    });
  }

  /** Logs the device out at WhatsApp if connected, clears its creds, and stays logged out. */
  logout(): Promise<void> {
    this.wanted = false;
    return this.path.run(async () => {
      this.requireLease();
      this.cancelRetry();
      const socket = this.socket;
      this.socket = undefined;
      this.shownQr = undefined;
      if (socket?.phase === 'open') {
        await socket.logout().catch((error: unknown) => {
          this.log.warn({ err: errorFields(error) }, 'logout at WhatsApp failed; clearing creds');
        });
      } else await socket?.end();
      await this.resources.closeAuth();
      await this.ctx.store.clear(this.tenant);
      this.account = null;
      await this.resources.closeEgress();
      const status = this.machine.status;
      if (status === 'replaced' || status === 'failed') this.move('stopped', 'logout_requested');
      if (this.machine.status !== 'logged_out') this.move('logged_out', 'logout_requested');
    });
  }

  /** Runs `job` on the serialised path with the connected socket. */
  withSocket<T>(job: (sock: WASocket) => Promise<T>): Promise<T> {
    return this.path.run(async () => {
      const socket = this.socket;
      if (!socket || socket.phase !== 'open' || socket.isClosed) {
        throw new SessionError('session_not_connected', `tenant ${this.tenant}`, {
          tenant: this.tenant,
          status: this.machine.status,
        });
      }
      return job(socket.sock);
    });
  }

  /** Runs `job` on the serialised path with the socket showing a QR, if there is one. */
  withRegistration<T>(job: (sock: WASocket) => Promise<T>): Promise<T | undefined> {
    return this.path.run(async () => {
      const socket = this.socket;
      if (!socket || socket.phase !== 'qr' || socket.isClosed) return undefined;
      return job(socket.sock);
    });
  }

  /** Whether the tenant's auth state belongs to a paired device, loading it if needed. */
  isPaired(): Promise<boolean> {
    return this.path.run(async () => {
      const auth = this.resources.auth;
      if (auth) return auth.paired;
      const summary = (await this.ctx.store.list()).find((t) => t.tenant === this.tenant);
      return summary?.account != null;
    });
  }

  private requireLease(): void {
    if (this.lease) return;
    throw new SessionError('session_not_held', `tenant ${this.tenant}`, { tenant: this.tenant });
  }

  /** A socket built after the request was made already serves it. */
  private servedBy(ticket: number): boolean {
    const socket = this.socket;
    return socket !== undefined && !socket.isClosed && socket.ticket > ticket;
  }
}
