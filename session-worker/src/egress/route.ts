import type { EgressPolicy, Leg, LegState, PeerHealth, PeerState } from '@pasarela/shared';
import { egressErrorSpec } from './errors.js';
import type { EgressErrorCode } from './errors.js';

/**
 * The route decision: one pure function of the tenant's policy, its peer,
 * the request's leg and replay safety. Both faces ask it for every request
 * and every WebSocket; the audit asks it again to judge leaks. The tunnel
 * is a route here already; an egress without a tunnel never has a peer, so
 * it only ever hears `direct` or `refuse`.
 */

export type Route = 'direct' | 'tunnel';

/** What the egress knows of the tenant's primary peer. */
export interface PeerView {
  readonly health: PeerHealth;
  readonly state: PeerState;
  /** Legs the peer proved it can serve; a missing leg is unprobed. */
  readonly legs: Partial<Record<Leg, Pick<LegState, 'status'>>>;
}

export type PeerAvailability =
  'ready' | 'no_peer' | 'peer_unhealthy' | 'peer_paused' | 'leg_unavailable';

export interface RouteQuery {
  readonly policy: EgressPolicy;
  readonly peer: PeerView | null;
  readonly leg: Leg;
  /** The target is a WhatsApp host; a peer never carries anything else. */
  readonly whatsapp: boolean;
  /**
   * A browser page could carry it (see `isBrowserRelayable`); false sends a
   * WhatsApp request direct with `not_relayable`. Defaults to true.
   */
  readonly relayable?: boolean;
  readonly replaySafe: boolean;
  /** An earlier attempt of the same request that failed on the tunnel. */
  readonly previous?: {
    readonly code: EgressErrorCode;
    /** Whether any byte of the response had arrived. */
    readonly responseStarted: boolean;
  };
}

export type DirectReason =
  | 'policy_direct'
  | 'not_whatsapp'
  | 'not_relayable'
  | 'tunnel_failed'
  | Exclude<PeerAvailability, 'ready'>;

export type RouteDecision =
  | { readonly route: 'direct'; readonly reason: DirectReason }
  | { readonly route: 'tunnel'; readonly reason: 'peer_ready' }
  | {
      readonly route: 'refuse';
      readonly code: EgressErrorCode;
      readonly reason:
        Exclude<PeerAvailability, 'ready'> | 'not_replayable' | 'tunnel_only' | 'not_relayable';
    };

/** Whether the peer can carry this leg now. */
export function peerAvailability(peer: PeerView | null, leg: Leg): PeerAvailability {
  if (peer === null || peer.health === 'gone') return 'no_peer';
  if (peer.state === 'paused') return 'peer_paused';
  if (peer.health !== 'healthy') return 'peer_unhealthy';
  // An unprobed leg is not trusted: the probe proves the peer reaches it.
  if (peer.legs[leg]?.status !== 'ok') return 'leg_unavailable';
  return 'ready';
}

export function decideRoute(query: RouteQuery): RouteDecision {
  const { policy, peer, leg, whatsapp, replaySafe, previous } = query;
  if (policy === 'direct') return { route: 'direct', reason: 'policy_direct' };
  if (!whatsapp) return { route: 'direct', reason: 'not_whatsapp' };
  if (query.relayable === false) {
    // No page can read it, so it is the server's to fetch, or nobody's.
    return policy === 'tunnel-only'
      ? { route: 'refuse', code: 'browser_cors', reason: 'not_relayable' }
      : { route: 'direct', reason: 'not_relayable' };
  }

  if (previous) {
    // Replay rules: another route only when nothing of the response came,
    // the request may be repeated and the failure allows it; else the
    // caller hears the failure, or that the outcome is unknown.
    if (previous.responseStarted || !egressErrorSpec(previous.code).retrySafe) {
      return { route: 'refuse', code: previous.code, reason: 'not_replayable' };
    }
    if (!replaySafe) return { route: 'refuse', code: 'outcome_unknown', reason: 'not_replayable' };
    if (policy === 'tunnel-only') {
      return { route: 'refuse', code: previous.code, reason: 'tunnel_only' };
    }
    return { route: 'direct', reason: 'tunnel_failed' };
  }

  const availability = peerAvailability(peer, leg);
  if (availability === 'ready') return { route: 'tunnel', reason: 'peer_ready' };
  if (policy === 'tunnel-only') return { route: 'refuse', code: 'no_peer', reason: availability };
  return { route: 'direct', reason: availability };
}
