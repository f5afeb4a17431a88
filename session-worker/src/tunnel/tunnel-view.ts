import type { EgressPolicy, Leg, PeerInfo, RouteName, StatsBody } from '@pasarela/shared';
import { decideRoute, peerAvailability } from '../egress/index.js';
import type { EgressActivity, PeerView } from '../egress/index.js';
import type { TunnelEvents } from './events.js';
import type { LinkState } from './link/room-link.js';
import type { SampleWindow } from './link/samples.js';
import type { MoveSituation } from './routes/decide-move.js';
import type { WebSocketTiming } from './streams/context.js';

/**
 * How one tenant's tunnel looks from its parts at one instant: small pure
 * readings the tenant tunnel combines (peer events, the route of each leg,
 * the round trip it is judged by, the situation the moves are decided on).
 */

export type PeerStatus = 'none' | 'healthy' | 'unhealthy';

const LEGS: readonly Leg[] = ['websocket', 'download', 'upload'];

export function peerStatusOf(peer: PeerInfo | null, unfit: string | null): PeerStatus {
  if (!peer) return 'none';
  return peer.health === 'healthy' && peer.state === 'active' && unfit === null
    ? 'healthy'
    : 'unhealthy';
}

type PeerEvent =
  | { name: 'tunnel.connected'; body: TunnelEvents['tunnel.connected'][0] }
  | { name: 'tunnel.unhealthy'; body: TunnelEvents['tunnel.unhealthy'][0] }
  | { name: 'tunnel.disconnected'; body: TunnelEvents['tunnel.disconnected'][0] };

/** The event a change of the peer's status makes, if any. */
export function peerEvent(
  tenant: string,
  previous: PeerStatus,
  next: PeerStatus,
  peer: PeerInfo | null,
  context: { unfit: string | null; link: LinkState; linkOpen: boolean; at: number },
): PeerEvent | null {
  if (next === previous) return null;
  const { at } = context;
  if (next === 'healthy' && peer) {
    return {
      name: 'tunnel.connected',
      body: { tenant, at, peerId: peer.peerId, userAgent: peer.userAgent },
    };
  }
  if (next === 'unhealthy' && peer) {
    const reason =
      context.unfit ?? (peer.state === 'paused' ? 'paused by staff' : `peer ${peer.health}`);
    return { name: 'tunnel.unhealthy', body: { tenant, at, reason } };
  }
  if (next === 'none' && previous !== 'none') {
    const problem = context.link.problem;
    return {
      name: 'tunnel.disconnected',
      body: {
        tenant,
        at,
        reason: context.linkOpen ? 'peer left' : (problem?.reason ?? 'room link closed'),
        code: context.linkOpen ? null : (problem?.code ?? null),
      },
    };
  }
  return null;
}

/** The room's p95 round trip to its peers, from its last Stats frame. */
export function roomP95(stats: StatsBody | null): number | null {
  const value = stats?.['rttP95Ms'];
  return typeof value === 'number' ? value : null;
}

/** The worse of the room's p95 and the WebSocket's own, once it has enough samples. */
export function judgedP95(
  room: number | null,
  websocket: SampleWindow,
  minSamples: number,
): number | null {
  const ws = websocket.count >= minSamples ? websocket.percentile(0.95) : null;
  if (room === null) return ws;
  if (ws === null) return room;
  return Math.max(room, ws);
}

/** Per leg, the route the WebSocket is on, or the next HTTP request would take. */
export function legRoutes(
  policy: EgressPolicy,
  activity: EgressActivity,
  view: PeerView | null,
): Record<Leg, RouteName> {
  const routes = {} as Record<Leg, RouteName>;
  for (const leg of LEGS) {
    if (leg === 'websocket') {
      const ws = activity.websocket;
      routes.websocket = ws && ws.established ? ws.route : 'none';
      continue;
    }
    const decision = decideRoute({ policy, peer: view, leg, whatsapp: true, replaySafe: true });
    routes[leg] = decision.route === 'refuse' ? 'none' : decision.route;
  }
  return routes;
}

export interface SituationInput {
  readonly now: number;
  readonly policy: EgressPolicy;
  readonly session: string | null;
  readonly activity: EgressActivity;
  readonly view: PeerView | null;
  readonly link: LinkState;
  readonly linkOpen: boolean;
  readonly readySince: number | null;
  readonly upstreamLost: boolean;
  readonly timing: WebSocketTiming | null;
  readonly rttP95: () => number | null;
}

/** What the move decision looks at, read from the tunnel's parts. */
export function moveSituation(input: SituationInput): MoveSituation {
  const { now, activity, link } = input;
  const ws = activity.websocket;
  const availability = input.linkOpen ? peerAvailability(input.view, 'websocket') : 'no_peer';
  const onTunnel = ws?.route === 'tunnel' && ws.established;
  const lastUpstream = input.timing?.lastUpstreamFrameAt ?? input.timing?.openedAt ?? null;
  return {
    now,
    policy: input.policy,
    session: input.session,
    websocket: ws
      ? {
          route: ws.route,
          established: ws.established,
          lastActivityAt: Math.max(ws.openedAt, ws.lastSentAt, ws.lastReceivedAt),
          upstreamLost: ws.route === 'tunnel' && input.upstreamLost,
        }
      : null,
    liveHttp: activity.http.direct + activity.http.tunnel,
    tunnel: {
      ready: availability === 'ready',
      readySince: input.readySince,
      why: input.linkOpen ? availability : (link.problem?.reason ?? 'room link not open'),
    },
    fitness: {
      rttP95Ms: onTunnel ? input.rttP95() : null,
      upstreamSilentMs: onTunnel && lastUpstream !== null ? now - lastUpstream : null,
    },
    movesOntoTunnel: [],
  };
}
