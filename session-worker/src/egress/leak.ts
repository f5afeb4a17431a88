import type { EgressPolicy, Leg } from '@pasarela/shared';
import { peerAvailability } from './route.js';
import type { PeerView, Route } from './route.js';

export interface LeakQuery {
  readonly route: Route | null;
  readonly whatsapp: boolean;
  readonly policy: EgressPolicy | null;
  /** The peer as it stood when the connection opened. */
  readonly peer: PeerView | null;
  readonly leg: Leg | null;
  /** Why the route was taken, as the route decision or a fallback gave it. */
  readonly reason: string;
}

/**
 * The leak rule: a direct connection to a WhatsApp host while the tenant's
 * policy and a healthy peer able to serve the leg say tunnel. A direct
 * fallback after the tunnel failed (`tunnel_failed`) carries its reason and
 * is counted as a fallback, not a leak; so is a request no browser page
 * could carry (`not_relayable`). Judged against the state at the
 * moment the connection opened, independently of the decision that led to
 * it, so a stale decision or a path that skipped the decision shows up.
 */
export function isLeak(query: LeakQuery): boolean {
  if (query.route !== 'direct' || !query.whatsapp) return false;
  if (query.policy === null || query.policy === 'direct') return false;
  if (query.reason === 'tunnel_failed' || query.reason === 'not_relayable') return false;
  return query.leg !== null && peerAvailability(query.peer, query.leg) === 'ready';
}
