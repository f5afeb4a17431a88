import { EventEmitter } from 'node:events';
import { isTenantId } from '@pasarela/shared';
import type { WASocket } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import type { TenantEgress } from '../egress/index.js';
import type { Lease, LeaseHolder, LeaseManager, RevokeReason } from '../lease/index.js';
import {
  importMultiFileFolder,
  type AuthStore,
  type FolderImportOptions,
  type FolderImportResult,
} from '../store/index.js';
import { SESSION_DEFAULTS, type SessionConfig } from './config.js';
import { SessionError } from './errors.js';
import { normalisePhone, renderQrPng, type QrPngOptions } from './pairing.js';
import type { ExtraSocketOptions } from './socket.js';
import type { TransitionReason } from './state.js';
import type { SessionContext } from './context.js';
import { TenantSession } from './tenant-session.js';
import type { SessionManagerEvents, SessionView } from './view.js';
import { WebVersionSource } from './wa-version.js';

export interface SessionManagerOptions {
  readonly store: AuthStore;
  readonly leases: LeaseManager;
  /** The worker's logger; each tenant logs through a child carrying `tenant`. */
  readonly logger: Logger;
  /** Builds a tenant's egress; called once per run of the tenant, closed when it stops. */
  readonly egressFor: (tenant: string) => TenantEgress;
  readonly config?: SessionConfig;
  /** Shared WhatsApp Web version source; one is made from `config` if absent. */
  readonly versions?: WebVersionSource;
  /** Further Baileys options per tenant (`getMessage`, `browser`, ...). */
  readonly socketOptions?: (tenant: string) => ExtraSocketOptions;
  /** Called with every socket built, for the layers that listen to its events. */
  readonly onSocket?: (tenant: string, sock: WASocket) => void;
  /** Level of Baileys' own lines (default `warn`: lower levels print protocol nodes). */
  readonly baileysLogLevel?: string;
}

/** Why a reconnect was asked for; a route change is the tunnel's. */
export type ReconnectReason = Extract<TransitionReason, 'route_changed' | 'restart_requested'>;

/**
 * One Baileys socket per tenant, never two. The lease manager decides which
 * tenants this worker runs (`leaseHolder`); callers start, stop, restart,
 * reconnect and log out tenants here, and every such request for a tenant
 * runs on that tenant's serialised path.
 */
export class SessionManager extends EventEmitter<SessionManagerEvents> {
  readonly config: SessionConfig;
  readonly leaseHolder: LeaseHolder;
  private readonly sessions = new Map<string, TenantSession>();
  private readonly context: SessionContext;
  private tickets = 0;
  private closing = false;

  constructor(private readonly options: SessionManagerOptions) {
    super();
    this.config = options.config ?? { ...SESSION_DEFAULTS };
    const versions =
      options.versions ??
      new WebVersionSource({
        config: this.config,
        onFallback: (version) =>
          options.logger.warn(
            { error: version.error, version: version.version.join('.') },
            'could not read the WhatsApp Web version; using the bundled one',
          ),
      });
    this.context = {
      store: options.store,
      leases: options.leases,
      config: this.config,
      versions,
      egressFor: options.egressFor,
      socketOptions: options.socketOptions,
      onSocket: options.onSocket,
      baileysLogLevel: options.baileysLogLevel ?? 'warn',
      ticket: () => ++this.tickets,
      emit: (event, ...args) => {
        (this.emit as (name: string, ...values: unknown[]) => boolean)(event, ...args);
      },
    };
    this.leaseHolder = {
      start: (lease: Lease) => {
        void this.session(lease.tenant).leaseAcquired(lease);
      },
      stop: (tenant: string, reason: RevokeReason) =>
        this.sessions.get(tenant)?.leaseRevoked(reason) ?? Promise.resolve(),
    };
  }

  /** Starts taking this worker's share of tenants; paired ones connect at once. */
  run(): Promise<void> {
    return this.options.leases.start(this.leaseHolder);
  }

  /** Starts a tenant (creating it in the store if new): a login if paired, else a QR. */
  async start(tenant: string): Promise<SessionView> {
    const session = await this.heldSession(tenant, true);
    await session.start();
    return session.view();
  }

  /** Stops a tenant here; it stays stopped until started again (or until this worker restarts). */
  async stop(tenant: string): Promise<SessionView> {
    const session = this.known(tenant);
    await session.stop();
    return session.view();
  }

  async restart(tenant: string): Promise<SessionView> {
    const ticket = this.ticket();
    const session = await this.heldSession(tenant, true);
    await session.restart(ticket);
    return session.view();
  }

  /**
   * Gives a running tenant a new upstream connection (a login with saved
   * creds), as a route change needs. Resolves false when nothing was done:
   * not running here, waiting out a backoff, or already renewed since.
   */
  async reconnect(tenant: string, reason: ReconnectReason = 'route_changed'): Promise<boolean> {
    const ticket = this.ticket();
    this.accepting(tenant);
    const session = this.sessions.get(tenant);
    return session ? session.reconnect(ticket, reason) : false;
  }

  async logout(tenant: string): Promise<SessionView> {
    const session = await this.heldSession(tenant, false);
    await session.logout();
    return session.view();
  }

  /** Stops the tenant and removes its auth state; resolves false if it did not exist. */
  async delete(tenant: string): Promise<boolean> {
    this.accepting(tenant);
    const session = this.sessions.get(tenant);
    await session?.stop();
    const deleted = await this.options.store.delete(tenant);
    this.sessions.delete(tenant);
    await this.options.leases.refresh();
    return deleted;
  }

  /**
   * Imports a Baileys multi-file auth folder for a tenant (all or nothing)
   * and starts it: a restaurant paired elsewhere moves over without a scan.
   */
  async importFolder(
    tenant: string,
    folder: string,
    options: FolderImportOptions = {},
  ): Promise<FolderImportResult> {
    this.accepting(tenant);
    const running = this.sessions.get(tenant);
    if (running) await running.stop();
    const result = await importMultiFileFolder(this.options.store, tenant, folder, options);
    await this.start(tenant);
    return result;
  }

  status(tenant: string): SessionView | undefined {
    this.checkTenant(tenant);
    return this.sessions.get(tenant)?.view();
  }

  list(): SessionView[] {
    return [...this.sessions.values()].map((session) => session.view()).sort(byTenant);
  }

  /** The pairing QR shown right now, as Baileys emitted it. Secret-bearing: never log it. */
  qr(tenant: string): { qr: string; at: number } | undefined {
    this.checkTenant(tenant);
    return this.sessions.get(tenant)?.qr;
  }

  async qrPng(tenant: string, options?: QrPngOptions): Promise<Buffer> {
    const shown = this.qr(tenant);
    if (!shown) throw new SessionError('no_qr', `tenant ${tenant}`, { tenant });
    return renderQrPng(shown.qr, options);
  }

  /**
   * Pairing by phone number: starts the tenant if needed, waits (up to
   * `pairingCodeWaitMs`) for its registration socket, and returns the code
   * the restaurant types on its phone.
   */
  async requestPairingCode(tenant: string, phone: string): Promise<string> {
    const digits = normalisePhone(phone);
    const session = await this.heldSession(tenant, true);
    if (await session.isPaired()) throw new SessionError('already_paired', tenant, { tenant });
    await session.start();
    await this.waitForQr(session);
    const code = await session.withRegistration((sock) => sock.requestPairingCode(digits));
    if (code === undefined) {
      throw new SessionError('pairing_timeout', `tenant ${tenant}: the QR phase ended`, { tenant });
    }
    return code;
  }

  /** Runs `job` with the tenant's connected socket, on its serialised path. */
  withSocket<T>(tenant: string, job: (sock: WASocket) => Promise<T>): Promise<T> {
    return this.known(tenant).withSocket(job);
  }

  /** The tenant's egress while it runs here (for policy changes and the tunnel). */
  egress(tenant: string): TenantEgress | undefined {
    this.checkTenant(tenant);
    return this.sessions.get(tenant)?.egress;
  }

  /**
   * Stops every tenant (sockets end, creds are flushed) and releases every
   * lease at once. The store is the caller's to close afterwards.
   */
  async shutdown(): Promise<void> {
    this.closing = true;
    await this.options.leases.shutdown();
    await Promise.all([...this.sessions.values()].map((session) => session.stop()));
  }

  private ticket(): number {
    return ++this.tickets;
  }

  private session(tenant: string): TenantSession {
    let session = this.sessions.get(tenant);
    if (!session) {
      session = new TenantSession(tenant, this.context, this.options.logger.child({ tenant }));
      this.sessions.set(tenant, session);
    }
    return session;
  }

  private known(tenant: string): TenantSession {
    this.accepting(tenant);
    const session = this.sessions.get(tenant);
    if (!session) throw new SessionError('session_not_running', `tenant ${tenant}`, { tenant });
    return session;
  }

  /**
   * The tenant's session, after making sure it exists in the store and
   * asking for its lease. `want` marks it to run before the lease can be
   * won, so winning it starts the tenant even if it is not paired.
   */
  private async heldSession(tenant: string, want: boolean): Promise<TenantSession> {
    this.accepting(tenant);
    const session = this.session(tenant);
    if (want) session.want();
    if (session.held) return session;
    // On the tenant's path: two first starts must not both create it.
    await session.path.run(async () => {
      if (session.held) return;
      const stored = (await this.options.store.list()).some((t) => t.tenant === tenant);
      if (!stored) await (await this.options.store.load(tenant)).close();
    });
    await this.options.leases.refresh();
    if (!session.held) {
      throw new SessionError('session_not_held', `tenant ${tenant} runs on another replica`, {
        tenant,
      });
    }
    return session;
  }

  private async waitForQr(session: TenantSession): Promise<void> {
    if (session.qr) return;
    const timeoutMs = this.config.pairingCodeWaitMs;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new SessionError(
            'pairing_timeout',
            `tenant ${session.tenant}: no QR phase within ${timeoutMs} ms`,
            { tenant: session.tenant },
          ),
        );
      }, timeoutMs);
      const onQr = (event: { tenant: string }) => {
        if (event.tenant !== session.tenant) return;
        cleanup();
        resolve();
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.off('qr', onQr);
      };
      this.on('qr', onQr);
    });
  }

  /** Refuses new work once shutdown began, and tenant ids that are not slugs. */
  private accepting(tenant: string): void {
    if (this.closing) throw new SessionError('shutting_down', `tenant ${String(tenant)}`);
    this.checkTenant(tenant);
  }

  private checkTenant(tenant: string): void {
    if (!isTenantId(tenant)) {
      throw new SessionError('invalid_tenant', JSON.stringify(String(tenant).slice(0, 64)));
    }
  }
}

function byTenant(a: SessionView, b: SessionView): number {
  return a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0;
}
