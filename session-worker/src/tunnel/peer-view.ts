import type { PeerInfo, Presence } from '@pasarela/shared';
import type { PeerView } from '../egress/index.js';

/** The primary peer's entry in the room's Presence, or null. */
export function primaryPeer(presence: Presence | null): PeerInfo | null {
  if (!presence?.primary) return null;
  return presence.peers.find((peer) => peer.peerId === presence.primary) ?? null;
}

/**
 * The peer the tenant's status and events speak of: the primary, or else a
 * peer staff paused. The room never makes a paused peer primary, yet it is
 * there, and "paused by staff" tells the pages more than "no peer".
 */
export function shownPeer(presence: Presence | null): PeerInfo | null {
  return primaryPeer(presence) ?? presence?.peers.find((peer) => peer.state === 'paused') ?? null;
}

export interface PeerOverrides {
  /**
   * The tunnel was found unfit (round trip too high, upstream silent):
   * a healthy peer counts as degraded until it recovers.
   */
  readonly unfit: boolean;
  /** The upstream refused this peer's WebSocket: that leg stays direct. */
  readonly websocketRefused: boolean;
}

/** What the egress's route decision sees of the primary peer. */
export function peerViewOf(peer: PeerInfo | null, overrides: PeerOverrides): PeerView | null {
  if (!peer) return null;
  const health = overrides.unfit && peer.health === 'healthy' ? 'degraded' : peer.health;
  const legs = overrides.websocketRefused
    ? { ...peer.legs, websocket: { status: 'unavailable' as const } }
    : peer.legs;
  return { health, state: peer.state, legs };
}
