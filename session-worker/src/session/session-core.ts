import type { Logger } from 'pino';
import { isLeaseError, type Lease } from '../lease/index.js';
import { ReconnectTracker } from './backoff.js';
import { errorFields, type SessionContext } from './context.js';
import type { DisconnectInfo } from './disconnect.js';
import { TenantResources, forgetUnfinishedPairing } from './resources.js';
import { LiveSocket } from './socket.js';
import { SerialPath } from './serial.js';
import { SessionStateMachine, type TransitionDetail, type TransitionReason } from './state.js';
import type { SessionView } from './view.js';
import type { WebVersion } from './wa-version.js';

/**
 * The steps of one tenant's serialised path: build a socket on the lease,
 * replace it, apply the disconnect rules when it closes, halt. Every step
 * runs on `path`; `TenantSession` adds the requests that queue them.
 */
export abstract class SessionCore {
  readonly machine: SessionStateMachine;
  readonly tracker: ReconnectTracker;
  readonly path = new SerialPath();
  protected lease: Lease | undefined;
  /** Run here: asked for by a caller, or a paired tenant whose lease this worker won. */
  protected wanted = false;
  protected socket: LiveSocket | undefined;
  protected retry: { timer: NodeJS.Timeout; token: number } | undefined;
  private retrySeq = 0;
  protected shownQr: { qr: string; at: number } | undefined;
  protected account: string | null = null;
  protected lastClose: SessionView['lastDisconnect'] = null;
  protected webVersion: WebVersion | undefined;
  protected readonly resources: TenantResources;

  constructor(
    readonly tenant: string,
    protected readonly ctx: SessionContext,
    protected readonly log: Logger,
  ) {
    this.machine = new SessionStateMachine(tenant);
    this.tracker = new ReconnectTracker(ctx.config);
    this.resources = new TenantResources(tenant, ctx, log, () => {
      this.cutNow();
      void this.path.run(() => this.halt('lease_lost'));
    });
    this.machine.on('transition', (change) => {
      const { statusCode, delayMs, loop, alert, epoch, message } = change.detail;
      this.log.info(
        {
          from: change.from,
          to: change.to,
          reason: change.reason,
          statusCode,
          delayMs,
          loop,
          alert,
          epoch,
          message,
        },
        'session status changed',
      );
      ctx.emit('transition', change);
    });
  }

  protected async ensureRunning(reason: TransitionReason): Promise<void> {
    if (this.socket && !this.socket.isClosed) return;
    if (this.retry) return;
    await this.build(reason);
  }

  /**
   * Replaces the socket: the old one closes and pending creds are saved before the next reads them.
   */
  protected async renew(reason: TransitionReason): Promise<void> {
    this.cancelRetry();
    const socket = this.socket;
    this.socket = undefined;
    this.shownQr = undefined;
    await socket?.end();
    try {
      await this.resources.auth?.flush();
    } catch (error) {
      this.fail(error, 'creds could not be saved; not restarting on stale creds');
      return;
    }
    await this.build(reason);
  }

  protected async build(reason: TransitionReason, detail: TransitionDetail = {}): Promise<void> {
    const lease = this.lease;
    if (!lease) return;
    this.cancelRetry();
    this.enterStarting(reason, { ...detail, epoch: lease.epoch });
    try {
      const auth = await this.resources.openAuth(lease);
      forgetUnfinishedPairing(auth);
      this.account = auth.paired ? (auth.state.creds.me?.id ?? null) : null;
      const egress = this.resources.ensureEgress();
      this.webVersion = await this.ctx.versions.get(egress.dispatcher);
      const proof = await this.ctx.leases.assertLease(this.tenant);
      // Nothing may be awaited between this check and the socket: a pause
      // here is exactly what the check exists to catch.
      proof.check();
      const socket: LiveSocket = new LiveSocket({
        ticket: this.ctx.ticket(),
        auth,
        keys: this.resources.keys ?? auth.state.keys,
        egress,
        version: this.webVersion.version,
        config: this.ctx.config,
        logger: this.log.child({ class: 'baileys' }, { level: this.ctx.baileysLogLevel }),
        extra: this.ctx.socketOptions?.(this.tenant),
        onSaveError: (error) =>
          this.log.error({ err: errorFields(error) }, 'creds could not be saved'),
        events: {
          qr: (qr) => this.onQr(socket, qr),
          paired: () => this.onPaired(socket),
          opened: () => this.onOpened(socket),
          closed: (info) => void this.path.run(() => this.onClosed(socket, info)),
        },
      });
      this.socket = socket;
      this.ctx.emit('socket', {
        tenant: this.tenant,
        epoch: proof.epoch,
        ticket: socket.ticket,
        webVersion: this.webVersion.version,
      });
      try {
        this.ctx.onSocket?.(this.tenant, socket.sock);
      } catch (error) {
        this.log.error({ err: errorFields(error) }, 'a socket listener threw');
      }
    } catch (error) {
      await this.startFailed(error);
    }
  }

  private enterStarting(reason: TransitionReason, detail: TransitionDetail): void {
    const status = this.machine.status;
    if (status === 'connected' || status === 'qr' || status === 'starting') {
      this.move('reconnecting', reason, detail);
    }
    this.move('starting', reason, detail);
  }

  protected async startFailed(error: unknown): Promise<undefined> {
    if (isLeaseError(error, 'lease_unverified')) {
      // The database did not answer: the lease may still be ours. Try again
      // after a backoff; if it really lapsed, the lease manager stops us.
      const delayMs = this.ctx.config.backoffBaseMs;
      this.log.warn({ err: errorFields(error), delayMs }, 'lease could not be checked');
      if (this.machine.can('reconnecting')) this.move('reconnecting', 'error', { delayMs });
      this.schedule(delayMs, 'socket_created');
      return undefined;
    }
    if (isLeaseError(error)) {
      this.log.warn({ code: error.code }, 'not connecting: the lease is not ours');
      await this.halt('lease_lost');
      return undefined;
    }
    this.fail(error, 'the session could not start');
    await this.resources.closeAuth();
    return undefined;
  }

  private fail(error: unknown, message: string): void {
    const fields = errorFields(error);
    this.log.error({ err: fields }, message);
    this.ctx.emit('alert', {
      tenant: this.tenant,
      reason: fields.code ?? 'error',
      statusCode: null,
      message: fields.message,
    });
    if (this.machine.can('failed')) {
      this.move('failed', 'error', { alert: true, message: fields.message });
    }
  }

  private async onClosed(socket: LiveSocket, info: DisconnectInfo): Promise<void> {
    if (socket !== this.socket || socket.retired) return;
    this.socket = undefined;
    this.shownQr = undefined;
    const decision = this.tracker.onClose(info, socket.phase);
    this.lastClose = {
      statusCode: info.statusCode ?? null,
      reason: decision.reason,
      at: Date.now(),
    };
    const { statusCode, message } = info;
    switch (decision.action) {
      case 'none':
        await this.halt('intentional');
        return;
      case 'stop':
        this.move(decision.status, decision.reason, { statusCode, alert: decision.alert, message });
        if (decision.alert) {
          this.ctx.emit('alert', {
            tenant: this.tenant,
            reason: decision.reason,
            statusCode: statusCode ?? null,
          });
        }
        await this.resources.closeAuth();
        await this.resources.closeEgress();
        return;
      case 'logout': {
        this.move('logged_out', 'logged_out', {
          statusCode,
          delayMs: decision.delayMs,
          loop: decision.loop,
        });
        this.reportLoop(decision.loop, decision.delayMs);
        await this.resources.closeAuth();
        await this.ctx.store.clear(this.tenant);
        this.account = null;
        // Back to a QR: the restaurant scans again.
        this.schedule(decision.delayMs, 'socket_created');
        return;
      }
      case 'reconnect': {
        const detail = {
          statusCode,
          delayMs: decision.delayMs,
          attempt: this.tracker.attempts,
          loop: decision.loop,
          message,
        };
        this.move('reconnecting', decision.reason, detail);
        this.reportLoop(decision.loop, decision.delayMs);
        if (decision.flushCreds) {
          try {
            await this.resources.auth?.flush();
          } catch (error) {
            this.fail(error, 'creds could not be saved after the restart request');
            return;
          }
        }
        this.schedule(decision.delayMs, 'socket_created');
        return;
      }
    }
  }

  private reportLoop(loop: boolean, delayMs: number): void {
    if (!loop) return;
    const recentReconnects = this.tracker.recent();
    this.log.warn({ recentReconnects, delayMs }, 'reconnect loop: backing off');
    this.ctx.emit('loop', { tenant: this.tenant, recentReconnects, delayMs });
  }

  private schedule(delayMs: number, reason: TransitionReason): void {
    this.cancelRetry();
    const token = ++this.retrySeq;
    const timer = setTimeout(() => {
      void this.path.run(async () => {
        if (this.retry?.token !== token) return;
        this.retry = undefined;
        if (!this.lease || !this.wanted) return;
        await this.build(reason, { attempt: this.tracker.attempts });
      });
    }, delayMs);
    this.retry = { timer, token };
  }

  /** Ends the socket at once, outside the path; `halt` on the path then cleans up. */
  protected cutNow(): void {
    this.cancelRetry();
    void this.socket?.end();
  }

  protected cancelRetry(): void {
    if (!this.retry) return;
    clearTimeout(this.retry.timer);
    this.retry = undefined;
  }

  /** Ends the socket, saves and closes the auth handle and the egress, and reports `stopped`. */
  protected async halt(reason: TransitionReason): Promise<void> {
    this.cancelRetry();
    const socket = this.socket;
    this.socket = undefined;
    this.shownQr = undefined;
    await socket?.end();
    await this.resources.closeAuth();
    await this.resources.closeEgress();
    if (this.machine.status !== 'stopped') this.move('stopped', reason, {});
  }

  // ---- socket events (synchronous, from the socket that is current) ----

  private onQr(socket: LiveSocket, qr: string): void {
    if (socket !== this.socket) return;
    const at = Date.now();
    this.shownQr = { qr, at };
    if (this.machine.status === 'starting') this.move('qr', 'qr_shown');
    this.ctx.emit('qr', { tenant: this.tenant, qr, at });
  }

  private onPaired(socket: LiveSocket): void {
    if (socket !== this.socket) return;
    this.shownQr = undefined;
    this.account = this.resources.auth?.state.creds.me?.id ?? null;
    this.log.info({ account: this.account }, 'paired; WhatsApp asks for a restart next');
    this.ctx.emit('paired', { tenant: this.tenant, account: this.account });
  }

  private onOpened(socket: LiveSocket): void {
    if (socket !== this.socket) return;
    this.shownQr = undefined;
    this.tracker.opened();
    this.account = this.resources.auth?.state.creds.me?.id ?? this.account;
    if (this.machine.can('connected')) this.move('connected', 'opened');
  }

  protected move(
    to: Parameters<SessionStateMachine['transition']>[0],
    reason: TransitionReason,
    detail: TransitionDetail = {},
  ): void {
    const clean = Object.fromEntries(
      Object.entries(detail).filter(([, value]) => value !== undefined),
    ) as TransitionDetail;
    this.machine.transition(to, reason, clean);
  }
}
