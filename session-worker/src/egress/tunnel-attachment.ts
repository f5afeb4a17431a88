import type { EgressPolicy, Leg } from '@pasarela/shared';
import type { RouteCarrier } from './exchange.js';
import type { PeerView, Route } from './route.js';

/**
 * What the tunnel hands a tenant's egress: the carrier of its route and
 * the tenant's primary peer as the room last reported it. Until it is
 * attached, the egress has no peer and sends everything direct.
 */
export interface TunnelAttachment {
  readonly carrier: RouteCarrier;
  /** The primary peer as the room reports it now, or null (no room, no peer). */
  peer(): PeerView | null;
  /**
   * Null once the tunnel has heard from its room (or given up waiting);
   * until then a promise, bounded by the tunnel, that the egress awaits
   * before deciding a WhatsApp request's route, so the first requests of a
   * tenant whose tab is already open do not go direct for want of news.
   */
  settling(): Promise<void> | null;
}

/** One settled exchange as the egress reports it (and logs it at debug level). */
export interface ExchangeReport {
  readonly tenant: string;
  readonly route: Route;
  readonly leg: Leg;
  readonly method: string;
  readonly host: string;
  /** Path without its query: media URLs carry an `auth` parameter. */
  readonly path: string;
  readonly status: number | null;
  readonly durationMs: number;
  /** The catalogue code that ended it, when it failed or was handed off. */
  readonly code?: string;
  /** Handed to the other route under the replay rules. */
  readonly handedOff: boolean;
  /** Why this route was taken (`tunnel_failed` after a fallback, `no_peer`, ...). */
  readonly reason: string;
  /** The code of the earlier attempt this one replaced. */
  readonly previous?: string;
  readonly bytesSent: number;
  readonly bytesReceived: number;
}

/** The tenant's WhatsApp WebSocket as the egress sees it. */
export interface WebSocketActivity {
  readonly route: Route;
  /** Why this route was taken (`peer_ready`, `no_peer`, `tunnel_failed`, ...). */
  readonly reason: string;
  /** The upstream accepted it (for the tunnel: the peer's WsOpened). */
  readonly established: boolean;
  readonly openedAt: number;
  /** Last byte toward WhatsApp and from it (0: none yet). */
  readonly lastSentAt: number;
  readonly lastReceivedAt: number;
}

export interface EgressActivity {
  /** HTTP exchanges in flight, per route. */
  readonly http: Record<Route, number>;
  readonly websocket: WebSocketActivity | null;
}

export interface EgressEvents {
  exchange: [ExchangeReport];
  /** The WebSocket's route changed, it opened, or it ended (null). */
  websocket: [WebSocketActivity | null];
  policy: [EgressPolicy];
  closed: [];
}
