import { EventEmitter } from 'node:events';
import type { TenantStatus } from '@pasarela/shared';
import { EGRESS_DEFAULTS, getProcessAudit } from '../egress/index.js';
import type { EgressAudit, EgressDeadlines, EgressLogger, TenantEgress } from '../egress/index.js';
import { checkKeepaliveFit } from './config.js';
import type { RoomEndpoint, TunnelConfig } from './config.js';
import type { TunnelEvents } from './events.js';
import { roomSocketClass } from './link/room-socket.js';
import type { RoomSocketClass } from './link/room-socket.js';
import { sessionControlOf } from './session-control.js';
import type { ReconnectingManager, SessionControl } from './session-control.js';
import { TunnelStats } from './stats.js';
import type { TunnelStatsSnapshot } from './stats.js';
import { TenantTunnel } from './tenant-tunnel.js';
import { TokenMinter } from './tokens.js';

const SOFTWARE = 'pasarela-session-worker/0.1.0';

const SILENT: EgressLogger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});

export interface TunnelServiceOptions {
  readonly config: TunnelConfig;
  /** The process's audit (leaks are judged there); the process-wide one by default. */
  readonly audit?: EgressAudit;
  readonly logger?: EgressLogger;
  /** Who reconnects a tenant's session when its WebSocket must move; see `bindSessions`. */
  readonly sessions?: SessionControl;
  /** The room of each tenant; by default the configured one. null: no tunnel for that tenant. */
  readonly roomFor?: (tenant: string) => RoomEndpoint | null;
  /** The WebSocket partysocket uses for rooms; `ws` by default. */
  readonly WebSocket?: RoomSocketClass;
  /** The egress's time limits the relays apply (the same as the direct route's). */
  readonly deadlines?: Partial<EgressDeadlines>;
  /**
   * Baileys' keepalive interval of the sessions this service serves; when
   * given, the upstream silence threshold is checked against it at once.
   */
  readonly keepAliveIntervalMs?: number;
}

/** A tenant's tunnel as the sessions list shows it. */
export interface TunnelSummary {
  readonly hasTunnel: boolean;
  readonly tunnelHealthy: boolean;
  readonly route: 'tunnel' | 'direct' | 'none';
  readonly tunnel: string;
}

/** What the tunnel reads of the session manager. */
export interface SessionSource extends ReconnectingManager {
  on(event: 'transition', listener: (change: { tenant: string; to: string }) => void): unknown;
  off(event: 'transition', listener: (change: { tenant: string; to: string }) => void): unknown;
  status(tenant: string): { status: string; epoch: number | null } | undefined;
}

/**
 * The tunnel's worker side for every tenant of this process: one
 * `TenantTunnel` per running tenant, attached to its egress, with the
 * counters of each tenant kept across its runs, typed events for the API's
 * SSE, webhooks and metrics, and the token minting the API exposes.
 */
export class TunnelService {
  readonly events = new EventEmitter<TunnelEvents>();
  readonly tokens: TokenMinter;
  readonly #options: TunnelServiceOptions;
  readonly #audit: EgressAudit;
  readonly #logger: EgressLogger;
  readonly #WebSocket: RoomSocketClass;
  readonly #deadlines: EgressDeadlines;
  readonly #tunnels = new Map<string, TenantTunnel>();
  readonly #stats = new Map<string, TunnelStats>();
  readonly #sessionStatus = new Map<string, string>();
  readonly #connectionIds = new Map<string, number>();
  #sessions: SessionControl | null;
  #epochOf: (tenant: string) => number | null = () => null;
  #closed = false;

  constructor(options: TunnelServiceOptions) {
    if (options.keepAliveIntervalMs !== undefined) {
      checkKeepaliveFit(options.config.settings, options.keepAliveIntervalMs);
    }
    this.#options = options;
    this.tokens = new TokenMinter(options.config.keys, options.config.settings.tokens);
    this.#audit = options.audit ?? getProcessAudit();
    this.#logger = options.logger ?? SILENT;
    this.#sessions = options.sessions ?? null;
    this.#WebSocket = options.WebSocket ?? roomSocketClass(SOFTWARE);
    this.#deadlines = { ...EGRESS_DEFAULTS.deadlines, ...options.deadlines };
  }

  /**
   * Follows a session manager: its reconnects carry the route changes, its
   * status goes into every TenantStatus, its lease epoch into every worker
   * token. Returns the function that stops following.
   */
  bindSessions(manager: SessionSource): () => void {
    this.#sessions ??= sessionControlOf(manager);
    this.#epochOf = (tenant) => manager.status(tenant)?.epoch ?? null;
    const listener = (change: { tenant: string; to: string }) =>
      this.noteSession(change.tenant, change.to);
    manager.on('transition', listener);
    return () => manager.off('transition', listener);
  }

  /** Wraps an egress factory (the session manager's `egressFor`) so each egress gets its tunnel. */
  egressFactory(make: (tenant: string) => TenantEgress): (tenant: string) => TenantEgress {
    return (tenant) => {
      const egress = make(tenant);
      this.attach(egress);
      return egress;
    };
  }

  /**
   * Gives a tenant's egress its tunnel route and opens its room link. A
   * tenant without a room (none configured) gets none and runs direct.
   */
  attach(egress: TenantEgress, options: { epoch?: () => number | null } = {}): TenantTunnel | null {
    if (this.#closed) return null;
    const tenant = egress.tenant;
    const room = this.#options.roomFor ? this.#options.roomFor(tenant) : this.#options.config.room;
    if (!room) return null;
    this.#tunnels.get(tenant)?.close();
    const settings = this.#options.config.settings;
    const epoch = options.epoch ?? (() => this.#epochOf(tenant));
    const tunnel: TenantTunnel = new TenantTunnel({
      tenant,
      egress,
      room,
      settings,
      minter: this.tokens,
      epoch,
      sessions: this.#sessions
        ? { reconnect: (t, reason) => this.#sessions!.reconnect(t, reason) }
        : null,
      session: () => this.#sessionStatus.get(tenant) ?? null,
      stats: this.#statsOf(tenant),
      audit: this.#audit,
      emit: (name, ...args) =>
        (this.events.emit as (name: string, ...values: unknown[]) => boolean)(name, ...args),
      logger: this.#logger,
      WebSocket: this.#WebSocket,
      deadlines: this.#deadlines,
      nextConnectionId: () => this.#nextConnectionId(tenant),
      software: SOFTWARE,
    });
    this.#tunnels.set(tenant, tunnel);
    egress.events.once('closed', () => {
      if (this.#tunnels.get(tenant) === tunnel) this.#tunnels.delete(tenant);
    });
    return tunnel;
  }

  /** The session's status changed: every page of the tenant hears it. */
  noteSession(tenant: string, status: string): void {
    this.#sessionStatus.set(tenant, status);
    this.#tunnels.get(tenant)?.touch();
  }

  tunnel(tenant: string): TenantTunnel | undefined {
    return this.#tunnels.get(tenant);
  }

  /** The tenant's TenantStatus as the room was (or will be) told, or null when it has no tunnel. */
  status(tenant: string): TenantStatus | null {
    return this.#tunnels.get(tenant)?.status() ?? null;
  }

  /**
   * The tenant's tunnel in the sessions list's terms: a peer is there
   * (`hasTunnel`), it may carry traffic (`tunnelHealthy`), the route of the
   * WhatsApp WebSocket, and the status's phrase (`protected` when it is).
   */
  summary(tenant: string, running: boolean): TunnelSummary {
    const tunnel = this.#tunnels.get(tenant);
    if (!tunnel) {
      return {
        hasTunnel: false,
        tunnelHealthy: false,
        route: running ? 'direct' : 'none',
        tunnel: 'no tunnel',
      };
    }
    const status = tunnel.status();
    const peer = tunnel.live().peer;
    return {
      hasTunnel: peer !== null,
      tunnelHealthy: tunnel.peer()?.health === 'healthy' && peer?.state === 'active',
      route: status.routes.websocket,
      tunnel: status.protected ? 'protected' : (status.reason ?? 'not protected'),
    };
  }

  /** The stats of a tenant seen in this process, or null. */
  stats(tenant: string, now = Date.now()): TunnelStatsSnapshot | null {
    const stats = this.#stats.get(tenant);
    if (!stats) return null;
    const tunnel = this.#tunnels.get(tenant);
    return stats.snapshot(
      tunnel?.live() ?? {
        route: { websocket: 'none', download: 'direct', upload: 'direct' },
        link: null,
        linkRtt: { count: 0, lastMs: null, p50Ms: null, p95Ms: null },
        lastPongAt: null,
        openedAt: null,
        peer: null,
        legs: null,
        room: null,
        lastUpstreamFrameAt: null,
      },
      now,
    );
  }

  list(now = Date.now()): TunnelStatsSnapshot[] {
    return [...this.#stats.keys()]
      .sort()
      .map((tenant) => this.stats(tenant, now))
      .filter((snapshot): snapshot is TunnelStatsSnapshot => snapshot !== null);
  }

  /** Closes every tenant's tunnel; their egresses go on direct. */
  close(): void {
    this.#closed = true;
    for (const tunnel of [...this.#tunnels.values()]) tunnel.close();
    this.#tunnels.clear();
  }

  #statsOf(tenant: string): TunnelStats {
    let stats = this.#stats.get(tenant);
    if (!stats) {
      const settings = this.#options.config.settings;
      stats = new TunnelStats(tenant, {
        changesKept: settings.routes.changesKept,
        samples: settings.link.rttSamples,
        now: Date.now(),
      });
      this.#stats.set(tenant, stats);
    }
    return stats;
  }

  /** Connection ids of a tenant: never reused while this process runs. */
  #nextConnectionId(tenant: string): number {
    const next = ((this.#connectionIds.get(tenant) ?? 0) % 0xffff_ffff) + 1;
    this.#connectionIds.set(tenant, next);
    return next;
  }
}
