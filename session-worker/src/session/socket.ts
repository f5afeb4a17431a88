import {
  makeWASocket,
  type SignalKeyStore,
  type UserFacingSocketConfig,
  type WASocket,
  type WAVersion,
} from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import type { TenantEgress } from '../egress/index.js';
import type { TenantAuth } from '../store/index.js';
import type { SessionConfig } from './config.js';
import { readDisconnect, type DisconnectInfo, type SessionPhase } from './disconnect.js';

/** Baileys options the product owns; extra options given by the caller never replace these. */
export type ExtraSocketOptions = Omit<
  Partial<UserFacingSocketConfig>,
  'auth' | 'agent' | 'fetchAgent' | 'options' | 'version' | 'logger' | 'waWebSocketUrl'
>;

export interface SocketEvents {
  qr(qr: string): void;
  /** pair-success arrived: the creds now belong to a paired device (515 follows). */
  paired(): void;
  opened(): void;
  /** The socket closed without the product ending it. */
  closed(info: DisconnectInfo): void;
}

export interface SocketParams {
  /** Orders this socket among the requests of its tenant (see `TenantSession`). */
  readonly ticket: number;
  readonly auth: TenantAuth;
  /** `auth.state.keys` behind the run's read cache. */
  readonly keys: SignalKeyStore;
  readonly egress: TenantEgress;
  readonly version: WAVersion;
  readonly config: SessionConfig;
  /** Baileys' own logger: a child of the tenant's, at its own level. */
  readonly logger: Logger;
  readonly extra?: ExtraSocketOptions;
  readonly events: SocketEvents;
  /** A creds save failed; the store has told `onWriteError` as well. */
  readonly onSaveError: (error: unknown) => void;
}

/**
 * One Baileys socket of a tenant, built on the tenant's egress: the `ws`
 * WebSocket and uploads through `agent`/`fetchAgent`, every Baileys fetch
 * through `options.dispatcher` (DESIGN, "Baileys 7 egress").
 */
export class LiveSocket {
  readonly sock: WASocket;
  readonly ticket: number;
  readonly closed: Promise<DisconnectInfo>;
  phase: SessionPhase = 'connecting';
  private retiredFlag = false;
  private closedFlag = false;

  constructor(private readonly params: SocketParams) {
    const { auth, egress, config, events } = params;
    this.ticket = params.ticket;
    this.sock = makeWASocket({
      markOnlineOnConnect: false,
      syncFullHistory: false,
      ...params.extra,
      version: params.version,
      logger: params.logger,
      auth: { creds: auth.state.creds, keys: params.keys },
      agent: egress.agent,
      fetchAgent: egress.agent,
      options: { dispatcher: egress.dispatcher } as RequestInit,
      keepAliveIntervalMs: config.keepAliveIntervalMs,
      connectTimeoutMs: config.connectTimeoutMs,
      defaultQueryTimeoutMs: config.defaultQueryTimeoutMs,
      ...(config.qrTimeoutMs > 0 ? { qrTimeout: config.qrTimeoutMs } : {}),
    });
    this.sock.ev.on('creds.update', () => {
      auth.saveCreds().catch(params.onSaveError);
    });
    this.closed = new Promise((resolve) => {
      this.sock.ev.on('connection.update', (update) => {
        if (update.qr) {
          this.phase = 'qr';
          if (!this.retiredFlag) events.qr(update.qr);
        }
        if (update.isNewLogin && !this.retiredFlag) events.paired();
        if (update.connection === 'open') {
          this.phase = 'open';
          if (!this.retiredFlag) events.opened();
        }
        if (update.connection === 'close') {
          this.closedFlag = true;
          const info = readDisconnect(update.lastDisconnect);
          resolve(info);
          if (!this.retiredFlag) events.closed(info);
        }
      });
    });
  }

  /** Ended by the product: its close is the product's own and is not reported. */
  get retired(): boolean {
    return this.retiredFlag;
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /**
   * Ends the socket and resolves once its WebSocket has closed, so the next
   * socket of the tenant never overlaps it at WhatsApp. `ws` waits up to 30 s
   * for the peer's close frame; past `socketCloseTimeoutMs` the connection is
   * torn down instead.
   */
  async end(): Promise<void> {
    this.retiredFlag = true;
    if (this.closedFlag) return;
    void this.sock.end(undefined);
    await this.waitClosed();
  }

  /** Logs the device out at WhatsApp (the phone drops it), then ends like `end`. */
  async logout(): Promise<void> {
    this.retiredFlag = true;
    if (this.closedFlag) return;
    try {
      await this.sock.logout();
    } finally {
      await this.waitClosed();
    }
  }

  private async waitClosed(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.params.config.socketCloseTimeoutMs);
    });
    const outcome = await Promise.race([this.closed, late]);
    clearTimeout(timer);
    if (outcome !== 'late') return;
    const raw = (this.sock.ws as unknown as { socket?: { terminate(): void } | null }).socket;
    raw?.terminate();
    // A terminated `ws` closes on the next tick; the bound only guards against a Baileys hang.
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.params.config.socketCloseTimeoutMs);
    });
    await Promise.race([this.closed, gaveUp]);
    clearTimeout(timer);
  }
}
