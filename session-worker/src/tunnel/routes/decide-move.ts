import type { EgressPolicy } from '@pasarela/shared';
import type { Route } from '../../egress/index.js';
import type { RouteSettings } from '../defaults.js';

const HOUR_MS = 3_600_000;

/** Why the product itself moved the tenant's WhatsApp WebSocket. */
export type MoveReason =
  'tunnel_ready' | 'tunnel_lost' | 'upstream_silent' | 'rtt_high' | 'policy_direct';

/** Everything the move decision looks at, read at one instant. */
export interface MoveSituation {
  readonly now: number;
  readonly policy: EgressPolicy;
  /** The session's status; only a connected session is moved (never one showing a QR). */
  readonly session: string | null;
  readonly websocket: {
    readonly route: Route;
    readonly established: boolean;
    /** The last frame either way (or the open), for "nothing in flight". */
    readonly lastActivityAt: number;
    /** Its tunneled upstream is gone (the room or the peer reset it). */
    readonly upstreamLost: boolean;
  } | null;
  /** HTTP exchanges in flight, any route. */
  readonly liveHttp: number;
  /** Whether the tunnel can carry the WebSocket leg now, and since when. */
  readonly tunnel: {
    readonly ready: boolean;
    readonly readySince: number | null;
    readonly why: string;
  };
  /** Measured on the tunneled WebSocket; null when not measured. */
  readonly fitness: {
    readonly rttP95Ms: number | null;
    readonly upstreamSilentMs: number | null;
  };
  /** When the WebSocket was moved onto the tunnel, newest last. */
  readonly movesOntoTunnel: readonly number[];
}

export type MoveDecision =
  | { readonly action: 'stay'; readonly why: string; readonly recheckInMs: number | null }
  | { readonly action: 'move'; readonly to: Route; readonly reason: MoveReason };

function stay(why: string, recheckInMs: number | null = null): MoveDecision {
  return { action: 'stay', why, recheckInMs };
}

/**
 * Whether to move the tenant's WhatsApp WebSocket now. Moving means a new
 * WhatsApp connection (a login with saved creds), so it is done only for a
 * connected session and, toward the tunnel, with hysteresis: the peer ready
 * for a while, nothing in flight, a capped number of moves per hour. Away
 * from a tunnel that failed it is done at once, and before Baileys'
 * keepalive would give up on a slow or silent one; under `tunnel-only`
 * there is nowhere to go, so the session waits.
 */
export function decideMove(situation: MoveSituation, settings: RouteSettings): MoveDecision {
  const { now, policy, websocket, tunnel, fitness } = situation;
  if (situation.session !== 'connected') return stay('the session is not connected');
  if (!websocket || !websocket.established) return stay('no open WebSocket');

  if (websocket.route === 'tunnel') {
    if (policy === 'direct') return { action: 'move', to: 'direct', reason: 'policy_direct' };
    const canLeave = policy !== 'tunnel-only';
    if (websocket.upstreamLost) {
      return canLeave
        ? { action: 'move', to: 'direct', reason: 'tunnel_lost' }
        : stay('tunnel-only: the tunneled WebSocket was lost; waiting for the tunnel');
    }
    if (!tunnel.ready) {
      return canLeave
        ? { action: 'move', to: 'direct', reason: 'tunnel_lost' }
        : stay(`tunnel-only: waiting for the tunnel (${tunnel.why})`);
    }
    const silent = fitness.upstreamSilentMs;
    if (silent !== null && silent > settings.upstreamSilenceMs && canLeave) {
      return { action: 'move', to: 'direct', reason: 'upstream_silent' };
    }
    const rtt = fitness.rttP95Ms;
    if (rtt !== null && rtt > settings.rttP95LimitMs && canLeave) {
      return { action: 'move', to: 'direct', reason: 'rtt_high' };
    }
    return stay('on the tunnel', settings.recheckMs);
  }

  if (policy === 'direct') return stay('policy is direct');
  if (!tunnel.ready || tunnel.readySince === null) return stay(`tunnel not ready (${tunnel.why})`);
  const readyFor = now - tunnel.readySince;
  if (readyFor < settings.healthyForMs) {
    return stay('the peer has not been ready long enough', settings.healthyForMs - readyFor);
  }
  if (situation.liveHttp > 0) return stay('requests in flight', settings.recheckMs);
  const quietFor = now - websocket.lastActivityAt;
  if (quietFor < settings.quietMs) {
    return stay('the WebSocket is busy', settings.quietMs - quietFor);
  }
  const recent = situation.movesOntoTunnel.filter((at) => now - at < HOUR_MS);
  if (recent.length >= settings.maxMovesPerHour) {
    return stay('moves per hour capped', recent[0]! + HOUR_MS - now);
  }
  return { action: 'move', to: 'tunnel', reason: 'tunnel_ready' };
}
