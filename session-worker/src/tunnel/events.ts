import type { Leg, TenantStatus } from '@pasarela/shared';
import type { AuditRecord, Route } from '../egress/index.js';
import type { LinkState } from './link/room-link.js';

/** Why the WebSocket's route changed: a move of the product's own, or the egress's decision. */
export type RouteChangeReason = string;

export interface RouteChange {
  readonly tenant: string;
  readonly at: number;
  readonly leg: Leg;
  readonly from: Route | 'none';
  readonly to: Route | 'none';
  /**
   * A move the product started (`tunnel_ready`, `tunnel_lost`,
   * `upstream_silent`, `rtt_high`, `policy_direct`), or the reason the
   * egress gave the new connection (`peer_ready`, `no_peer`, `tunnel_failed`, ...).
   */
  readonly reason: RouteChangeReason;
  /** True when the product started it (a controlled reconnect). */
  readonly controlled: boolean;
}

/**
 * Events of the tunnel's worker side, for the API's SSE stream, webhooks
 * and metrics. Names follow the API's event names.
 */
export interface TunnelEvents {
  /** A healthy, active primary peer is there for the tenant. */
  'tunnel.connected': [{ tenant: string; at: number; peerId: string; userAgent: string | null }];
  /** The tenant has no usable peer any more (or its room went away). */
  'tunnel.disconnected': [{ tenant: string; at: number; reason: string; code: string | null }];
  /** The peer is there but should not carry traffic: degraded, paused, slow or silent. */
  'tunnel.unhealthy': [{ tenant: string; at: number; reason: string }];
  'route.changed': [RouteChange];
  /** A direct connection to WhatsApp while the policy and a ready peer said tunnel. */
  'tunnel.leak': [{ tenant: string; at: number; record: AuditRecord }];
  /** The TenantStatus frame sent to the room (every page shows it). */
  'tunnel.status': [{ tenant: string; status: TenantStatus }];
  /** The room link's state changed. */
  'room.state': [{ tenant: string; state: LinkState }];
}

export type TunnelEventName = keyof TunnelEvents;
