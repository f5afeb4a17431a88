import { describe, expect, it } from 'vitest';
import { decideMove, parseTunnelSettings } from '../../../src/tunnel/index.js';
import type { MoveDecision, MoveSituation } from '../../../src/tunnel/index.js';

const settings = parseTunnelSettings({
  routes: {
    healthyForMs: 30_000,
    quietMs: 1_500,
    maxMovesPerHour: 6,
    upstreamSilenceMs: 33_000,
    rttP95LimitMs: 3_000,
    recheckMs: 1_000,
  },
}).routes;

const NOW = 10_000_000;

/** A connected session on the direct route with a tunnel ready for a minute, all quiet. */
const base: MoveSituation = {
  now: NOW,
  policy: 'prefer-tunnel',
  session: 'connected',
  websocket: {
    route: 'direct',
    established: true,
    lastActivityAt: NOW - 5_000,
    upstreamLost: false,
  },
  liveHttp: 0,
  tunnel: { ready: true, readySince: NOW - 60_000, why: 'ready' },
  fitness: { rttP95Ms: null, upstreamSilentMs: null },
  movesOntoTunnel: [],
};

const onTunnel: MoveSituation = {
  ...base,
  websocket: { ...base.websocket!, route: 'tunnel' },
  fitness: { rttP95Ms: 800, upstreamSilentMs: 2_000 },
};

function situation(over: Partial<MoveSituation>, from: MoveSituation = base): MoveSituation {
  return { ...from, ...over };
}

describe('moving the WebSocket onto the tunnel', () => {
  const cases: Array<[string, MoveSituation, MoveDecision]> = [
    ['a ready, quiet tunnel', base, { action: 'move', to: 'tunnel', reason: 'tunnel_ready' }],
    [
      'a session showing a QR (a move would mean a new QR)',
      situation({ session: 'qr' }),
      { action: 'stay', why: 'the session is not connected', recheckInMs: null },
    ],
    [
      'no open WebSocket',
      situation({ websocket: null }),
      { action: 'stay', why: 'no open WebSocket', recheckInMs: null },
    ],
    [
      'the direct policy',
      situation({ policy: 'direct' }),
      { action: 'stay', why: 'policy is direct', recheckInMs: null },
    ],
    [
      'a tunnel that cannot carry the WebSocket leg',
      situation({ tunnel: { ready: false, readySince: null, why: 'leg_unavailable' } }),
      { action: 'stay', why: 'tunnel not ready (leg_unavailable)', recheckInMs: null },
    ],
    [
      'a peer ready for 10 of the 30 s',
      situation({ tunnel: { ready: true, readySince: NOW - 10_000, why: 'ready' } }),
      { action: 'stay', why: 'the peer has not been ready long enough', recheckInMs: 20_000 },
    ],
    [
      'an upload in flight',
      situation({ liveHttp: 1 }),
      { action: 'stay', why: 'requests in flight', recheckInMs: 1_000 },
    ],
    [
      'a frame 500 ms ago',
      situation({ websocket: { ...base.websocket!, lastActivityAt: NOW - 500 } }),
      { action: 'stay', why: 'the WebSocket is busy', recheckInMs: 1_000 },
    ],
    [
      'six moves in the last hour',
      situation({ movesOntoTunnel: [1, 2, 3, 4, 5, 6].map((m) => NOW - 3_600_000 + m * 60_000) }),
      { action: 'stay', why: 'moves per hour capped', recheckInMs: 60_000 },
    ],
    [
      'six moves, the oldest just over an hour ago',
      situation({
        movesOntoTunnel: [NOW - 3_600_001, ...[1, 2, 3, 4, 5].map((m) => NOW - m * 60_000)],
      }),
      { action: 'move', to: 'tunnel', reason: 'tunnel_ready' },
    ],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(decideMove(input, settings)).toEqual(expected);
  });
});

describe('moving the WebSocket off the tunnel', () => {
  const cases: Array<[string, MoveSituation, MoveDecision]> = [
    ['a healthy tunnel', onTunnel, { action: 'stay', why: 'on the tunnel', recheckInMs: 1_000 }],
    [
      'the peer gone',
      situation({ tunnel: { ready: false, readySince: null, why: 'no_peer' } }, onTunnel),
      { action: 'move', to: 'direct', reason: 'tunnel_lost' },
    ],
    [
      'the peer gone under tunnel-only',
      situation(
        { policy: 'tunnel-only', tunnel: { ready: false, readySince: null, why: 'no_peer' } },
        onTunnel,
      ),
      { action: 'stay', why: 'tunnel-only: waiting for the tunnel (no_peer)', recheckInMs: null },
    ],
    [
      'its upstream lost while the peer still looks ready',
      situation({ websocket: { ...onTunnel.websocket!, upstreamLost: true } }, onTunnel),
      { action: 'move', to: 'direct', reason: 'tunnel_lost' },
    ],
    [
      'the policy switched to direct',
      situation({ policy: 'direct' }, onTunnel),
      { action: 'move', to: 'direct', reason: 'policy_direct' },
    ],
    [
      'no frame from WhatsApp for 34 s',
      situation({ fitness: { rttP95Ms: 800, upstreamSilentMs: 34_000 } }, onTunnel),
      { action: 'move', to: 'direct', reason: 'upstream_silent' },
    ],
    [
      'a round trip p95 of 3.2 s',
      situation({ fitness: { rttP95Ms: 3_200, upstreamSilentMs: 1_000 } }, onTunnel),
      { action: 'move', to: 'direct', reason: 'rtt_high' },
    ],
    [
      'a slow tunnel under tunnel-only (nowhere to go)',
      situation(
        { policy: 'tunnel-only', fitness: { rttP95Ms: 5_000, upstreamSilentMs: 40_000 } },
        onTunnel,
      ),
      { action: 'stay', why: 'on the tunnel', recheckInMs: 1_000 },
    ],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(decideMove(input, settings)).toEqual(expected);
  });
});
