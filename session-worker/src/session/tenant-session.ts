import type { WASocket } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import type { TenantEgress } from '../egress/index.js';
import { isLeaseError, type Lease, type LeaseManager, type RevokeReason } from '../lease/index.js';
import { isStoreError, type AuthStore, type TenantAuth } from '../store/index.js';
import { ReconnectTracker } from './backoff.js';
import type { SessionConfig } from './config.js';
import type { DisconnectInfo } from './disconnect.js';
import { SessionError } from './errors.js';
import { LiveSocket, type ExtraSocketOptions } from './socket.js';
import { SerialPath } from './serial.js';
import { SessionStateMachine, type TransitionDetail, type TransitionReason } from './state.js';
import type { SessionManagerEvents, SessionView } from './view.js';
import type { WebVersion, WebVersionSource } from './wa-version.js';

/** What every tenant session shares, handed down by the manager. */
export interface SessionContext {
  readonly store: AuthStore;
  readonly leases: LeaseManager;
  readonly config: SessionConfig;
  readonly versions: WebVersionSource;
  readonly egressFor: (tenant: string) => TenantEgress;
  readonly socketOptions?: (tenant: string) => ExtraSocketOptions;
  readonly onSocket?: (tenant: string, sock: WASocket) => void;
  readonly baileysLogLevel: string;
  /** Orders requests and sockets of every tenant; see `renew`. */
  readonly ticket: () => number;
  readonly emit: <K extends keyof SessionManagerEvents>(
    event: K,
    ...args: SessionManagerEvents[K]
  ) => void;
}

/**
 * One tenant's session. Every operation that builds or ends a socket runs on
 * the tenant's `SerialPath`, so at most one socket exists at any moment and a
 * new one is built only after the old one's WebSocket has closed. Requests
 * carry a ticket taken when they were made; a socket built after a request
 * already serves it, so racing triggers (a lease won, an API start, a route
 * change) make one socket, not three (FIELD-NOTES F3).
 */
export class TenantSession {
  readonly machine: SessionStateMachine;
  readonly tracker: ReconnectTracker;
  readonly path = new SerialPath();
  private lease: Lease | undefined;
  /** Run here: asked for by a caller, or a paired tenant whose lease this worker won. */
  private wanted = false;
  private auth: TenantAuth | undefined;
  private egressHandle: TenantEgress | undefined;
  private socket: LiveSocket | undefined;
  private retry: { timer: NodeJS.Timeout; token: number } | undefined;
  private retrySeq = 0;
  private shownQr: { qr: string; at: number } | undefined;
  private account: string | null = null;
  private lastClose: SessionView['lastDisconnect'] = null;
  private webVersion: WebVersion | undefined;

  constructor(
    readonly tenant: string,
    private readonly ctx: SessionContext,
    private readonly log: Logger,
  ) {
    this.machine = new SessionStateMachine(tenant);
    this.tracker = new ReconnectTracker(ctx.config);
    this.machine.on('transition', (change) => {
      const { statusCode, delayMs, loop, alert, epoch } = change.detail;
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
        },
        'session status changed',
      );
      ctx.emit('transition', change);
    });
  }

  get held(): boolean {
    return this.lease !== undefined;
  }

  get egress(): TenantEgress | undefined {
    return this.egressHandle;
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
        const auth = await this.openAuth().catch((error: unknown) => this.startFailed(error));
        if (!auth) return;
        if (!auth.paired) {
          // An unpaired tenant waits for someone to ask for its QR.
          await this.closeAuth();
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
    const why: TransitionReason =
      reason === 'shutdown'
        ? 'shutdown'
        : reason === 'lost' || reason === 'expired'
          ? 'lease_lost'
          : 'lease_released';
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
      await this.closeAuth();
      await this.ctx.store.clear(this.tenant);
      this.account = null;
      await this.closeEgress();
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
      if (this.auth) return this.auth.paired;
      const summary = (await this.ctx.store.list()).find((t) => t.tenant === this.tenant);
      return summary?.account != null;
    });
  }

  // ---- the path's steps ----

  private requireLease(): void {
    if (this.lease) return;
    throw new SessionError('session_not_held', `tenant ${this.tenant}`, { tenant: this.tenant });
  }

  /** A socket built after the request was made already serves it. */
  private servedBy(ticket: number): boolean {
    const socket = this.socket;
    return socket !== undefined && !socket.isClosed && socket.ticket > ticket;
  }

  private async ensureRunning(reason: TransitionReason): Promise<void> {
    if (this.socket && !this.socket.isClosed) return;
    if (this.retry) return;
    await this.build(reason);
  }

  /** Replaces the socket: the old one closes and pending creds are saved before the next reads them. */
  private async renew(reason: TransitionReason): Promise<void> {
    this.cancelRetry();
    const socket = this.socket;
    this.socket = undefined;
    this.shownQr = undefined;
    await socket?.end();
    try {
      await this.auth?.flush();
    } catch (error) {
      this.fail(error, 'creds could not be saved; not restarting on stale creds');
      return;
    }
    await this.build(reason);
  }

  private async build(reason: TransitionReason, detail: TransitionDetail = {}): Promise<void> {
    const lease = this.lease;
    if (!lease) return;
    this.cancelRetry();
    this.enterStarting(reason, { ...detail, epoch: lease.epoch });
    try {
      const auth = await this.openAuth();
      forgetUnfinishedPairing(auth);
      this.account = auth.paired ? (auth.state.creds.me?.id ?? null) : null;
      this.egressHandle ??= this.ctx.egressFor(this.tenant);
      const egress = this.egressHandle;
      this.webVersion = await this.ctx.versions.get(egress.dispatcher);
      const proof = await this.ctx.leases.assertLease(this.tenant);
      // Nothing may be awaited between this check and the socket: a pause
      // here is exactly what the check exists to catch.
      proof.check();
      const socket: LiveSocket = new LiveSocket({
        ticket: this.ctx.ticket(),
        auth,
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
      this.ctx.onSocket?.(this.tenant, socket.sock);
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

  private async startFailed(error: unknown): Promise<undefined> {
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
    await this.closeAuth();
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
    const statusCode = info.statusCode;
    switch (decision.action) {
      case 'none':
        await this.halt('intentional');
        return;
      case 'stop':
        this.move(decision.status, decision.reason, { statusCode, alert: decision.alert });
        if (decision.alert) {
          this.ctx.emit('alert', {
            tenant: this.tenant,
            reason: decision.reason,
            statusCode: statusCode ?? null,
          });
        }
        await this.closeAuth();
        await this.closeEgress();
        return;
      case 'logout': {
        this.move('logged_out', 'logged_out', {
          statusCode,
          delayMs: decision.delayMs,
          loop: decision.loop,
        });
        this.reportLoop(decision.loop, decision.delayMs);
        await this.closeAuth();
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
        };
        this.move('reconnecting', decision.reason, detail);
        this.reportLoop(decision.loop, decision.delayMs);
        if (decision.flushCreds) {
          try {
            await this.auth?.flush();
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

  private cancelRetry(): void {
    if (!this.retry) return;
    clearTimeout(this.retry.timer);
    this.retry = undefined;
  }

  /** Ends the socket, saves and closes the auth handle and the egress, and reports `stopped`. */
  private async halt(reason: TransitionReason): Promise<void> {
    this.cancelRetry();
    const socket = this.socket;
    this.socket = undefined;
    this.shownQr = undefined;
    await socket?.end();
    await this.closeAuth();
    await this.closeEgress();
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
    this.account = this.auth?.state.creds.me?.id ?? null;
    this.log.info({ account: this.account }, 'paired; WhatsApp asks for a restart next');
    this.ctx.emit('paired', { tenant: this.tenant, account: this.account });
  }

  private onOpened(socket: LiveSocket): void {
    if (socket !== this.socket) return;
    this.shownQr = undefined;
    this.tracker.opened();
    this.account = this.auth?.state.creds.me?.id ?? this.account;
    if (this.machine.can('connected')) this.move('connected', 'opened');
  }

  // ---- resources ----

  private async openAuth(): Promise<TenantAuth> {
    if (this.auth) return this.auth;
    const lease = this.lease;
    const fence =
      this.ctx.leases.mode === 'postgres' && lease
        ? { owner: lease.owner, epoch: lease.epoch }
        : undefined;
    const handle: TenantAuth = await this.ctx.store.load(this.tenant, {
      ...(fence ? { fence } : {}),
      onWriteError: (error) => this.onWriteError(handle, error),
    });
    this.auth = handle;
    return handle;
  }

  private onWriteError(handle: TenantAuth, error: Error): void {
    if (handle !== this.auth) return;
    if (isStoreError(error, 'store_fenced') || isStoreError(error, 'store_stale_handle')) {
      // Another replica owns the tenant now, or it was logged out elsewhere:
      // this socket must not go on writing or talking.
      this.log.warn({ code: error.code }, 'auth write refused; ending the socket');
      void this.path.run(() => this.halt('lease_lost'));
      return;
    }
    this.log.error({ err: errorFields(error) }, 'auth write failed');
  }

  private async closeAuth(): Promise<void> {
    const handle = this.auth;
    this.auth = undefined;
    if (!handle) return;
    try {
      await handle.close();
    } catch (error) {
      // After a lost lease the fence refuses the flush, as it should.
      this.log.warn({ err: errorFields(error) }, 'auth handle closed with unsaved writes');
    }
  }

  private async closeEgress(): Promise<void> {
    const egress = this.egressHandle;
    this.egressHandle = undefined;
    await egress?.close().catch((error: unknown) => {
      this.log.warn({ err: errorFields(error) }, 'egress did not close cleanly');
    });
  }

  private move(
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

/**
 * A pairing-code request sets `creds.me` before pairing finishes
 * (rc14 `requestPairingCode`), and Baileys logs in rather than registers
 * whenever `me` is set (`validateConnection`). An abandoned request would
 * make every later socket fail its login, so an unpaired state forgets it.
 */
function forgetUnfinishedPairing(auth: TenantAuth): void {
  if (auth.paired) return;
  const creds = auth.state.creds as { me?: unknown; pairingCode?: unknown };
  if (creds.me === undefined && creds.pairingCode === undefined) return;
  delete creds.me;
  delete creds.pairingCode;
}

/** What a log line may carry of an error: its code, name and message, never its payload. */
export function errorFields(error: unknown): { code?: string; name?: string; message: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    ...(typeof code === 'string' ? { code } : {}),
    name: error.name,
    message: error.message,
  };
}
