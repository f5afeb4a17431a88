import type {
  EgressPolicy,
  Leg,
  PeerInfo,
  RouteName,
  StatusPeer,
  TenantStatus,
} from '@pasarela/shared';
import type { LinkState } from './link/room-link.js';

export interface StatusInput {
  readonly now: number;
  readonly session: string | null;
  readonly policy: EgressPolicy;
  /** Per leg, the route in use (WebSocket) or the next request would take (HTTP legs). */
  readonly routes: Readonly<Record<Leg, RouteName>>;
  /** Leaks of this tenant since its tunnel started. */
  readonly leaks: number;
  /** null: no room is configured for this worker. */
  readonly link: LinkState | null;
  readonly peer: PeerInfo | null;
  /** Why the tunnel is held unfit (round trip, silence), if it is. */
  readonly unfit: string | null;
  /** The upstream refused this peer's WebSocket. */
  readonly websocketRefused: boolean;
  /** Why the WebSocket is still direct although the tunnel could carry it. */
  readonly waiting: string | null;
}

const LEGS: readonly Leg[] = ['websocket', 'download', 'upload'];

/**
 * The worker's word on a tenant for every page of it: session state,
 * policy, the route of each leg, leaks, the primary peer, and in one
 * phrase why it is not fully protected. "Protected" is claimed only while
 * every leg goes through the tunnel and no leak has been seen.
 */
export function composeStatus(input: StatusInput): TenantStatus {
  const allTunnel = LEGS.every((leg) => input.routes[leg] === 'tunnel');
  const isProtected = input.policy !== 'direct' && input.leaks === 0 && allTunnel;
  return {
    session: (input.session ?? 'stopped').slice(0, 64),
    policy: input.policy,
    routes: { ...input.routes },
    protected: isProtected,
    leaks: Math.min(input.leaks, 0xffff_ffff),
    reason: isProtected ? null : reasonFor(input).slice(0, 1_024),
    updatedAt: input.now,
    peer: statusPeer(input),
  };
}

/**
 * The primary peer as the worker last heard of it, while the room link is
 * open (a closed link's Presence is stale). A tunnel the worker found unfit
 * (round trip past its limit, WhatsApp silent over it) shows its peer as
 * degraded and slow, since the worker will not use it.
 */
function statusPeer(input: StatusInput): StatusPeer | null {
  const { peer, link } = input;
  if (!peer || link?.status !== 'open') return null;
  const slow = input.unfit !== null;
  return {
    peerId: peer.peerId,
    state: peer.state,
    health: slow && peer.health === 'healthy' ? 'degraded' : peer.health,
    rttMs: peer.rttMs,
    slow,
  };
}

function reasonFor(input: StatusInput): string {
  if (input.leaks > 0) {
    return (
      `${input.leaks} direct connection${input.leaks === 1 ? '' : 's'} ` +
      `to WhatsApp while the tunnel was up`
    );
  }
  if (input.policy === 'direct') return 'policy is direct: the server route is in use';
  const { link, peer } = input;
  if (!link) return 'no room is configured: the server route is in use';
  if (link.status !== 'open') {
    return link.problem
      ? `${link.problem.reason} (${link.problem.code})`
      : 'connecting to the room';
  }
  if (!peer) return 'no peer connected';
  if (peer.state === 'paused') return 'relaying paused by staff';
  if (peer.health !== 'healthy') return `peer ${peer.health}`;
  if (input.unfit) return input.unfit;
  for (const leg of LEGS) {
    const state = peer.legs[leg];
    if (leg === 'websocket' && input.websocketRefused) {
      return "websocket leg unavailable: WhatsApp refused the page's WebSocket";
    }
    if (state.status !== 'ok') {
      return `${leg} leg ${state.status}${state.reason ? `: ${state.reason}` : ''}`;
    }
  }
  if (input.routes.websocket !== 'tunnel') {
    return input.waiting ? `WebSocket still direct: ${input.waiting}` : 'WebSocket not open';
  }
  return 'a leg is not on the tunnel';
}
