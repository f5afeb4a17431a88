import type { Leg, Legs, PeerHealth, PeerState, RouteName, StatsBody } from '@pasarela/shared';
import { copyRouteCounters, countExchange, emptyRouteCounters } from '../egress/index.js';
import type { ExchangeReport, RouteCounterSet } from '../egress/index.js';
import type { RouteChange } from './events.js';
import type { LinkState } from './link/room-link.js';
import { SampleWindow } from './link/samples.js';
import type { SampleFigures } from './link/samples.js';

/** A tenant's tunnel as the stats API serves it (`GET /api/tunnel/stats/:tenantId`). */
export interface TunnelStatsSnapshot {
  readonly tenant: string;
  /** When these counters started (the tenant's first tunnel in this process). */
  readonly since: number;
  readonly now: number;
  /** Relayed through the tunnel: exchanges started, finished, failed; bytes both ways. */
  readonly requestsSent: number;
  readonly requestsSuccess: number;
  readonly requestsFailed: number;
  readonly bytesProxied: number;
  /** How long the room link has been open (0 when not). */
  readonly uptimeMs: number;
  /** The peer's last answer to the room's ping, as the room reports it. */
  readonly lastHeartbeat: number | null;
  readonly timeSinceHeartbeat: number | null;
  /** Per leg, the route in use or the next request would take. */
  readonly route: Readonly<Record<Leg, RouteName>>;
  readonly legs: Legs | null;
  readonly link: {
    readonly state: LinkState | null;
    readonly rtt: SampleFigures;
    readonly lastPongAt: number | null;
  };
  readonly peer: {
    readonly peerId: string;
    readonly health: PeerHealth;
    readonly state: PeerState;
    readonly rttMs: number | null;
    readonly userAgent: string | null;
  } | null;
  /** Peer round trips as the room measures them (its last pongs). */
  readonly roundTrip: { readonly p50Ms: number | null; readonly p95Ms: number | null };
  /** Baileys' frame to WhatsApp's next frame over the tunnel: the keepalive round trip. */
  readonly websocketRoundTrip: SampleFigures;
  readonly websocket: {
    readonly lastUpstreamFrameAt: number | null;
    readonly msSinceUpstreamFrame: number | null;
  };
  readonly routeChanges: { readonly count: number; readonly recent: readonly RouteChange[] };
  readonly leaks: { readonly count: number; readonly lastAt: number | null };
  /** Frames the worker dropped: of dead connections, ended streams, a closed link, ... */
  readonly framesDropped: { readonly total: number; readonly byReason: Record<string, number> };
  /** Requests, failures by code, fallbacks and bytes per route (the metrics' source). */
  readonly routes: RouteCounterSet;
  /** The room's own counters from its last Stats frame. */
  readonly room: StatsBody | null;
}

/** What the live tunnel adds to the counters when a snapshot is taken. */
export interface LiveTunnelView {
  readonly route: Readonly<Record<Leg, RouteName>>;
  readonly link: LinkState | null;
  readonly linkRtt: SampleFigures;
  readonly lastPongAt: number | null;
  readonly openedAt: number | null;
  readonly peer: TunnelStatsSnapshot['peer'];
  readonly legs: Legs | null;
  readonly room: StatsBody | null;
  readonly lastUpstreamFrameAt: number | null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * One tenant's tunnel counters, kept by the service across the tenant's
 * runs in this process (each run has its own egress and room link).
 */
export class TunnelStats {
  readonly tenant: string;
  readonly since: number;
  readonly #routes: RouteCounterSet = {
    direct: emptyRouteCounters(),
    tunnel: emptyRouteCounters(),
  };
  readonly #changes: RouteChange[] = [];
  readonly #changesKept: number;
  readonly #drops: Record<string, number> = {};
  readonly #roundTrip: SampleWindow;
  #changeCount = 0;
  #leaks = 0;
  #lastLeakAt: number | null = null;
  #dropTotal = 0;

  constructor(tenant: string, options: { changesKept: number; samples: number; now: number }) {
    this.tenant = tenant;
    this.since = options.now;
    this.#changesKept = options.changesKept;
    this.#roundTrip = new SampleWindow(options.samples);
  }

  get leaks(): number {
    return this.#leaks;
  }

  exchange(report: ExchangeReport): void {
    countExchange(this.#routes, {
      route: report.route,
      bytesSent: report.bytesSent,
      bytesReceived: report.bytesReceived,
      ...(report.code === undefined ? {} : { code: report.code }),
      handedOff: report.handedOff,
    });
  }

  routeChanged(change: RouteChange): void {
    this.#changeCount += 1;
    this.#changes.push(change);
    if (this.#changes.length > this.#changesKept) this.#changes.shift();
  }

  leak(at: number): void {
    this.#leaks += 1;
    this.#lastLeakAt = at;
  }

  dropped(reason: string): void {
    this.#dropTotal += 1;
    this.#drops[reason] = (this.#drops[reason] ?? 0) + 1;
  }

  roundTrip(ms: number): void {
    this.#roundTrip.add(ms);
  }

  websocketRoundTrip(): SampleFigures {
    return this.#roundTrip.figures();
  }

  snapshot(live: LiveTunnelView, now: number): TunnelStatsSnapshot {
    const tunnel = this.#routes.tunnel;
    const failed = Object.values(tunnel.failed).reduce((sum, count) => sum + count, 0);
    const heartbeat = numberOrNull(live.room?.['lastHeartbeatAt']);
    return {
      tenant: this.tenant,
      since: this.since,
      now,
      requestsSent: tunnel.requests,
      requestsSuccess: tunnel.succeeded,
      requestsFailed: failed,
      bytesProxied: tunnel.bytesSent + tunnel.bytesReceived,
      uptimeMs: live.openedAt === null ? 0 : now - live.openedAt,
      lastHeartbeat: heartbeat,
      timeSinceHeartbeat: heartbeat === null ? null : Math.max(0, now - heartbeat),
      route: live.route,
      legs: live.legs,
      link: { state: live.link, rtt: live.linkRtt, lastPongAt: live.lastPongAt },
      peer: live.peer,
      roundTrip: {
        p50Ms: numberOrNull(live.room?.['rttP50Ms']),
        p95Ms: numberOrNull(live.room?.['rttP95Ms']),
      },
      websocketRoundTrip: this.#roundTrip.figures(),
      websocket: {
        lastUpstreamFrameAt: live.lastUpstreamFrameAt,
        msSinceUpstreamFrame:
          live.lastUpstreamFrameAt === null ? null : now - live.lastUpstreamFrameAt,
      },
      routeChanges: { count: this.#changeCount, recent: [...this.#changes] },
      leaks: { count: this.#leaks, lastAt: this.#lastLeakAt },
      framesDropped: { total: this.#dropTotal, byReason: { ...this.#drops } },
      routes: copyRouteCounters(this.#routes),
      room: live.room,
    };
  }
}
