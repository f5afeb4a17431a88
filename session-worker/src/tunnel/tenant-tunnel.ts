import { PROTOCOL_DEFAULTS } from '@pasarela/shared';
import type { Leg, RouteName, StreamMessage, TenantStatus } from '@pasarela/shared';
import { EgressError, peerAvailability } from '../egress/index.js';
import type {
  AuditRecord,
  EgressAudit,
  EgressDeadlines,
  EgressLogger,
  ExchangeReport,
  PeerView,
  TenantEgress,
  TunnelAttachment,
  WebSocketActivity,
} from '../egress/index.js';
import { TunnelCarrier } from './carrier.js';
import type { RoomEndpoint } from './config.js';
import type { TunnelSettings } from './defaults.js';
import type { TunnelEvents } from './events.js';
import { RoomLink } from './link/room-link.js';
import type { LinkState } from './link/room-link.js';
import type { RoomSocketClass } from './link/room-socket.js';
import { SampleWindow } from './link/samples.js';
import { peerViewOf, primaryPeer, shownPeer } from './peer-view.js';
import type { MoveReason, MoveSituation } from './routes/decide-move.js';
import { RouteController } from './routes/route-controller.js';
import type { MoveRecord } from './routes/route-controller.js';
import type { SessionControl } from './session-control.js';
import type { TunnelStats, LiveTunnelView } from './stats.js';
import { composeStatus } from './status.js';
import { StatusReporter } from './status-reporter.js';
import type { StreamContext, WebSocketTiming } from './streams/context.js';
import { StreamTable } from './streams/stream-table.js';
import {
  judgedP95,
  legRoutes,
  moveSituation,
  peerEvent,
  peerStatusOf,
  roomP95,
} from './tunnel-view.js';
import type { PeerStatus } from './tunnel-view.js';
import type { TokenMinter } from './tokens.js';

type Emit = <K extends keyof TunnelEvents>(name: K, ...args: TunnelEvents[K]) => void;

export interface TenantTunnelOptions {
  readonly tenant: string;
  readonly egress: TenantEgress;
  readonly room: RoomEndpoint;
  readonly settings: TunnelSettings;
  readonly minter: TokenMinter;
  /** The lease epoch this worker runs the tenant at; null when it holds no lease. */
  readonly epoch: () => number | null;
  readonly sessions: SessionControl | null;
  /** The session's status now (`connected`, `qr`, ...), or null. */
  readonly session: () => string | null;
  readonly stats: TunnelStats;
  readonly audit: EgressAudit;
  readonly emit: Emit;
  readonly logger: EgressLogger;
  readonly WebSocket: RoomSocketClass;
  readonly deadlines: EgressDeadlines;
  readonly nextConnectionId: () => number;
  readonly software: string;
}

/**
 * One tenant's tunnel while it runs here: its room link, the carrier the
 * egress uses for the tunnel route, the route controller that moves the
 * WebSocket, and the status every page of the tenant is told. Created on
 * the tenant's egress and closed with it.
 */
export class TenantTunnel implements TunnelAttachment {
  readonly tenant: string;
  readonly carrier: TunnelCarrier;
  readonly link: RoomLink;
  readonly table: StreamTable;
  readonly controller: RouteController;
  readonly #options: TenantTunnelOptions;
  readonly #reporter: StatusReporter;
  readonly #wsRtt: SampleWindow;
  readonly #cleanups: Array<() => void> = [];
  #settling: Promise<void> | null;
  #settle: () => void = () => undefined;
  #readySince: number | null = null;
  #unfit: string | null = null;
  #refusedBy: string | null = null;
  #websocket: WebSocketTiming | null = null;
  #upstreamLost = false;
  #pendingMove: { reason: MoveReason; at: number } | null = null;
  /** The route of the last WebSocket that opened in this run. */
  #lastRoute: RouteName = 'none';
  #peerStatus: PeerStatus = 'none';
  #leaks = 0;
  #closed = false;

  constructor(options: TenantTunnelOptions) {
    this.#options = options;
    this.tenant = options.tenant;
    const { settings, stats } = options;
    this.#wsRtt = new SampleWindow(settings.link.rttSamples);
    this.table = new StreamTable((reason) => stats.dropped(reason));
    this.link = new RoomLink({
      tenant: this.tenant,
      room: options.room,
      party: settings.party,
      token: () => this.#token(),
      WebSocket: options.WebSocket,
      settings: settings.link,
      limits: PROTOCOL_DEFAULTS,
      software: options.software,
      nextConnectionId: options.nextConnectionId,
    });
    const context: StreamContext = {
      tenant: this.tenant,
      link: this.link,
      table: this.table,
      settings: settings.streams,
      deadlines: options.deadlines,
      nextConnectionId: options.nextConnectionId,
      dropped: (reason) => stats.dropped(reason),
      roundTrip: (ms) => {
        stats.roundTrip(ms);
        this.#wsRtt.add(ms);
      },
      websocket: (timing) => this.#websocketTiming(timing),
      upstreamLost: (code) => this.#onUpstreamLost(code),
    };
    this.carrier = new TunnelCarrier(context);
    this.controller = new RouteController({
      tenant: this.tenant,
      settings: settings.routes,
      sessions: options.sessions ?? { reconnect: async () => false },
      situation: () => this.#situation(),
      moving: (to, reason) => this.#moving(to, reason),
      moved: (record) => this.#moved(record),
      failed: (reason, error) =>
        this.#log('warn', { reason, err: (error as Error).message }, 'route move failed'),
    });
    this.#reporter = new StatusReporter({
      debounceMs: settings.statusDebounceMs,
      compose: () => this.status(),
      send: (status) => this.link.send({ kind: 'tenant-status', body: status }),
      sent: (status) => options.emit('tunnel.status', { tenant: this.tenant, status }),
    });
    this.#settling = new Promise((resolve) => {
      const timer = setTimeout(resolve, settings.link.firstWordMs);
      timer.unref();
      this.#settle = () => {
        clearTimeout(timer);
        this.#settling = null;
        resolve();
      };
    });
    this.#wire();
    options.egress.attachTunnel(this);
    this.link.start();
  }

  // ---- the egress's view ----

  peer(): PeerView | null {
    if (!this.link.isOpen) return null;
    return peerViewOf(primaryPeer(this.link.presence), {
      unfit: this.#unfit !== null,
      websocketRefused: this.#refusedBy !== null,
    });
  }

  settling(): Promise<void> | null {
    return this.#settling;
  }

  // ---- the service's view ----

  /** Something outside changed (the session's status): tell the pages, decide again. */
  touch(): void {
    this.#changed();
  }

  status(): TenantStatus {
    const routes = this.#routes();
    return composeStatus({
      now: Date.now(),
      session: this.#options.session(),
      policy: this.#options.egress.policy,
      routes,
      leaks: this.#leaks,
      link: this.link.state,
      peer: shownPeer(this.link.presence),
      unfit: this.#unfit,
      websocketRefused: this.#refusedBy !== null,
      waiting: this.#waiting(),
    });
  }

  live(): LiveTunnelView {
    const peer = shownPeer(this.link.presence);
    return {
      route: this.#routes(),
      link: this.link.state,
      linkRtt: this.link.rtt(),
      lastPongAt: this.link.lastPongAt,
      openedAt: this.link.openedAt,
      peer: peer
        ? {
            peerId: peer.peerId,
            health: peer.health,
            state: peer.state,
            rttMs: peer.rttMs,
            userAgent: peer.userAgent,
          }
        : null,
      legs: peer?.legs ?? null,
      room: this.link.roomStats,
      lastUpstreamFrameAt: this.#websocket?.lastUpstreamFrameAt ?? null,
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#settle();
    this.controller.close();
    this.#reporter.close();
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.table.endAll(new EgressError('tunnel_lost', 'the tunnel closed', { tenant: this.tenant }));
    this.link.close();
    this.#options.egress.detachTunnel(this);
  }

  // ---- wiring ----

  #wire(): void {
    const { egress, audit } = this.#options;
    const on = <T extends unknown[]>(
      target: {
        on(name: string, fn: (...args: T) => void): unknown;
        off(name: string, fn: (...args: T) => void): unknown;
      },
      name: string,
      fn: (...args: T) => void,
    ) => {
      target.on(name, fn);
      this.#cleanups.push(() => target.off(name, fn));
    };
    on(this.link.events, 'state', (state: LinkState) => this.#onLinkState(state));
    on(this.link.events, 'open', () => this.#reporter.reopened());
    on(this.link.events, 'presence', () => this.#onPresence());
    on(this.link.events, 'stats', () => this.#onRoomStats());
    on(this.link.events, 'stream', (message: StreamMessage) => this.table.deliver(message));
    on(this.link.events, 'generation-ended', (generation: number) =>
      this.table.endGeneration(
        generation,
        new EgressError('tunnel_lost', 'the room link closed', { tenant: this.tenant }),
      ),
    );
    on(this.link.events, 'dropped', (reason: string) => this.#options.stats.dropped(reason));
    on(egress.events, 'websocket', (activity: WebSocketActivity | null) =>
      this.#onWebSocket(activity),
    );
    on(egress.events, 'exchange', (report: ExchangeReport) => this.#onExchange(report));
    on(egress.events, 'policy', () => this.#changed());
    on(egress.events, 'closed', () => this.close());
    on(audit, 'leak', (record: AuditRecord) => this.#onLeak(record));
  }

  async #token(): Promise<string> {
    const epoch = this.#options.epoch();
    if (epoch === null) throw new Error(`no lease held for ${this.tenant}`);
    return this.#options.minter.worker(this.tenant, epoch);
  }

  #onLinkState(state: LinkState): void {
    this.#options.emit('room.state', { tenant: this.tenant, state });
    if (state.status !== 'open') {
      this.#log(
        'warn',
        { status: state.status, code: state.problem?.code },
        state.problem?.reason ?? 'room link not open',
      );
      if (state.status !== 'connecting') this.#settle();
    } else {
      this.#log('info', { status: state.status }, 'room link open');
    }
    this.#changed();
  }

  #onPresence(): void {
    this.#settle();
    const peer = primaryPeer(this.link.presence);
    if (this.#refusedBy !== null) {
      const same = peer?.peerId === this.#refusedBy;
      // The peer acknowledged the refusal (or another peer took over): trust its probes again.
      if (!same || peer.legs.websocket.status !== 'ok') this.#refusedBy = null;
    }
    this.#changed();
  }

  #onRoomStats(): void {
    if (this.#unfit !== null) {
      const p95 = roomP95(this.link.roomStats);
      if (p95 !== null && p95 <= this.#options.settings.routes.rttP95LimitMs) {
        this.#log('info', { p95 }, 'tunnel round trip back under its limit');
        this.#unfit = null;
        this.#readySince = null;
      }
    }
    this.#changed();
  }

  #onWebSocket(activity: WebSocketActivity | null): void {
    if (activity && !activity.established) {
      // A new upgrade: nothing of the last socket's loss or timing applies to it.
      this.#upstreamLost = false;
      this.#wsRtt.clear();
    }
    if (activity?.established && activity.route !== this.#lastRoute) {
      const move = this.#pendingMove;
      const recent =
        move !== null && Date.now() - move.at < this.#options.settings.routes.moveTimeoutMs;
      const moving = recent ? move.reason : null;
      this.#pendingMove = null;
      const change = {
        tenant: this.tenant,
        at: Date.now(),
        leg: 'websocket' as const,
        from: this.#lastRoute,
        to: activity.route,
        reason: moving ?? activity.reason,
        controlled: moving !== null,
      };
      const first = this.#lastRoute === 'none';
      this.#lastRoute = activity.route;
      // The first socket of a run takes a route; only a change of it is a route change.
      if (!first) {
        this.#options.stats.routeChanged(change);
        this.#options.emit('route.changed', change);
        this.#log(
          'info',
          { from: change.from, to: change.to, reason: change.reason },
          'WebSocket route changed',
        );
      }
    }
    this.#changed();
  }

  #onExchange(report: ExchangeReport): void {
    this.#options.stats.exchange(report);
    const refused =
      report.route === 'tunnel' && report.leg === 'websocket' && report.code === 'upstream_refused';
    if (refused) {
      this.#refusedBy = primaryPeer(this.link.presence)?.peerId ?? null;
      this.#log(
        'warn',
        { peer: this.#refusedBy },
        "WhatsApp refused the peer's WebSocket; that leg stays direct",
      );
      this.#changed();
    }
  }

  #onLeak(record: AuditRecord): void {
    if (record.tenant !== this.tenant) return;
    this.#leaks += 1;
    this.#options.stats.leak(record.at);
    this.#log(
      'error',
      { host: record.host, leg: record.leg, source: record.source, reason: record.reason },
      'leak: a direct connection to WhatsApp while the tunnel was up',
    );
    this.#options.emit('tunnel.leak', { tenant: this.tenant, at: record.at, record });
    this.#changed();
  }

  #websocketTiming(timing: WebSocketTiming | null): void {
    this.#websocket = timing;
  }

  #onUpstreamLost(code: string): void {
    this.#upstreamLost = true;
    this.#readySince = null;
    this.#log('warn', { code }, 'the tunneled WebSocket lost its upstream');
    this.#changed();
  }

  #moving(to: string, reason: MoveReason): void {
    // The new socket opens after the reconnect returned: its route change is this move's.
    this.#pendingMove = { reason, at: Date.now() };
    if (to === 'direct' && (reason === 'rtt_high' || reason === 'upstream_silent')) {
      this.#unfit =
        reason === 'rtt_high'
          ? `round trip too high (p95 ${Math.round(this.#rttP95() ?? 0)} ms)`
          : 'WhatsApp went silent over the tunnel';
      this.#readySince = null;
      this.#options.emit('tunnel.unhealthy', {
        tenant: this.tenant,
        at: Date.now(),
        reason: this.#unfit,
      });
    }
    this.#log('info', { to, reason }, 'moving the WebSocket');
  }

  #moved(record: MoveRecord): void {
    this.#log('info', { ...record }, record.done ? 'WebSocket moved' : 'move not needed');
  }

  /** Recomputes readiness and peer events, tells the pages, and lets the controller decide. */
  #changed(): void {
    if (this.#closed) return;
    const view = this.peer();
    const ready = this.link.isOpen && peerAvailability(view, 'websocket') === 'ready';
    if (!ready) this.#readySince = null;
    else this.#readySince ??= Date.now();
    this.#peerEvents();
    this.#reporter.changed();
    this.controller.evaluate();
  }

  #peerEvents(): void {
    const peer = shownPeer(this.link.presence);
    const next = peerStatusOf(peer, this.#unfit);
    const event = peerEvent(this.tenant, this.#peerStatus, next, peer, {
      unfit: this.#unfit,
      link: this.link.state,
      linkOpen: this.link.isOpen,
      at: Date.now(),
    });
    this.#peerStatus = next;
    if (event)
      (this.#options.emit as (name: string, body: unknown) => void)(event.name, event.body);
  }

  #situation(): MoveSituation {
    const egress = this.#options.egress;
    return moveSituation({
      now: Date.now(),
      policy: egress.policy,
      session: this.#options.session(),
      activity: egress.activity(),
      view: this.peer(),
      link: this.link.state,
      linkOpen: this.link.isOpen,
      readySince: this.#readySince,
      upstreamLost: this.#upstreamLost,
      timing: this.#websocket,
      rttP95: () => this.#rttP95(),
    });
  }

  #rttP95(): number | null {
    const minSamples = this.#options.settings.routes.rttMinSamples;
    return judgedP95(roomP95(this.link.roomStats), this.#wsRtt, minSamples);
  }

  #routes(): Record<Leg, RouteName> {
    const egress = this.#options.egress;
    return legRoutes(egress.policy, egress.activity(), this.peer());
  }

  #waiting(): string | null {
    const decision = this.controller.lastDecision;
    if (this.controller.moving) return `moving (${this.controller.moving})`;
    return decision?.action === 'stay' ? decision.why : null;
  }

  #log(level: keyof EgressLogger, fields: Record<string, unknown>, message: string): void {
    this.#options.logger[level]({ tenant: this.tenant, component: 'tunnel', ...fields }, message);
  }
}
