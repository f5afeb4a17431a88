import { describe, expect, it } from 'vitest';
import { decideRoute, peerAvailability } from '../../src/egress/index.js';
import type { PeerView, RouteDecision, RouteQuery } from '../../src/egress/index.js';

const READY: PeerView = {
  health: 'healthy',
  state: 'active',
  legs: { websocket: { status: 'ok' }, download: { status: 'ok' }, upload: { status: 'ok' } },
};
const NO_UPLOADS: PeerView = {
  ...READY,
  legs: { ...READY.legs, upload: { status: 'unavailable' } },
};
const UNPROBED: PeerView = { ...READY, legs: {} };
const DEGRADED: PeerView = { ...READY, health: 'degraded' };
const UNKNOWN: PeerView = { ...READY, health: 'unknown' };
const GONE: PeerView = { ...READY, health: 'gone' };
const PAUSED: PeerView = { ...READY, state: 'paused' };

const base: RouteQuery = {
  policy: 'prefer-tunnel',
  peer: null,
  leg: 'download',
  whatsapp: true,
  replaySafe: true,
};

describe('peer availability for a leg', () => {
  it.each([
    ['no peer at all', null, 'download', 'no_peer'],
    ['a peer that is gone', GONE, 'download', 'no_peer'],
    ['a peer paused by staff', PAUSED, 'download', 'peer_paused'],
    ['a degraded peer', DEGRADED, 'download', 'peer_unhealthy'],
    ['a peer not yet pinged', UNKNOWN, 'download', 'peer_unhealthy'],
    ['a healthy peer with the leg unprobed', UNPROBED, 'websocket', 'leg_unavailable'],
    ['a healthy peer that cannot upload', NO_UPLOADS, 'upload', 'leg_unavailable'],
    ['the same peer, for downloads', NO_UPLOADS, 'download', 'ready'],
    ['a healthy peer that serves the leg', READY, 'websocket', 'ready'],
  ] as const)('%s gives %s → %s', (_name, peer, leg, expected) => {
    expect(peerAvailability(peer, leg)).toBe(expected);
  });
});

describe('the route decision', () => {
  const cases: Array<[string, Partial<RouteQuery>, RouteDecision]> = [
    // policy direct: always direct, whatever the peer
    [
      'direct policy, ready peer',
      { policy: 'direct', peer: READY },
      { route: 'direct', reason: 'policy_direct' },
    ],
    ['direct policy, no peer', { policy: 'direct' }, { route: 'direct', reason: 'policy_direct' }],
    // a WhatsApp request no browser page could read (the web app's own files)
    [
      'not relayable, prefer-tunnel, ready peer',
      { relayable: false, peer: READY },
      { route: 'direct', reason: 'not_relayable' },
    ],
    [
      'not relayable, tunnel-only',
      { relayable: false, policy: 'tunnel-only', peer: READY },
      { route: 'refuse', code: 'browser_cors', reason: 'not_relayable' },
    ],
    // not WhatsApp: a peer never carries it
    [
      'other host, prefer-tunnel',
      { whatsapp: false, peer: READY },
      { route: 'direct', reason: 'not_whatsapp' },
    ],
    [
      'other host, tunnel-only',
      { policy: 'tunnel-only', whatsapp: false },
      { route: 'direct', reason: 'not_whatsapp' },
    ],
    // prefer-tunnel
    ['prefer-tunnel, ready peer', { peer: READY }, { route: 'tunnel', reason: 'peer_ready' }],
    [
      'prefer-tunnel, ready peer, websocket',
      { peer: READY, leg: 'websocket' },
      { route: 'tunnel', reason: 'peer_ready' },
    ],
    ['prefer-tunnel, no peer', {}, { route: 'direct', reason: 'no_peer' }],
    ['prefer-tunnel, paused peer', { peer: PAUSED }, { route: 'direct', reason: 'peer_paused' }],
    [
      'prefer-tunnel, degraded peer',
      { peer: DEGRADED },
      { route: 'direct', reason: 'peer_unhealthy' },
    ],
    [
      'prefer-tunnel, upload leg unavailable',
      { peer: NO_UPLOADS, leg: 'upload', replaySafe: false },
      { route: 'direct', reason: 'leg_unavailable' },
    ],
    // tunnel-only
    [
      'tunnel-only, ready peer',
      { policy: 'tunnel-only', peer: READY },
      { route: 'tunnel', reason: 'peer_ready' },
    ],
    [
      'tunnel-only, no peer',
      { policy: 'tunnel-only' },
      { route: 'refuse', code: 'no_peer', reason: 'no_peer' },
    ],
    [
      'tunnel-only, paused peer',
      { policy: 'tunnel-only', peer: PAUSED },
      { route: 'refuse', code: 'no_peer', reason: 'peer_paused' },
    ],
    [
      'tunnel-only, leg unavailable',
      { policy: 'tunnel-only', peer: NO_UPLOADS, leg: 'upload' },
      { route: 'refuse', code: 'no_peer', reason: 'leg_unavailable' },
    ],
    // a second attempt after the tunnel failed: the replay rules
    [
      'retry of a replay-safe GET after peer_gone',
      { peer: GONE, previous: { code: 'peer_gone', responseStarted: false } },
      { route: 'direct', reason: 'tunnel_failed' },
    ],
    [
      'retry of a content-addressed upload after browser_network',
      { leg: 'upload', peer: READY, previous: { code: 'browser_network', responseStarted: false } },
      { route: 'direct', reason: 'tunnel_failed' },
    ],
    [
      'retry of a POST that is not replay-safe',
      { leg: 'upload', replaySafe: false, previous: { code: 'peer_gone', responseStarted: false } },
      { route: 'refuse', code: 'outcome_unknown', reason: 'not_replayable' },
    ],
    [
      'retry after part of the response arrived',
      { previous: { code: 'peer_gone', responseStarted: true } },
      { route: 'refuse', code: 'peer_gone', reason: 'not_replayable' },
    ],
    [
      'retry after an error the catalogue marks unsafe',
      { previous: { code: 'host_not_allowed', responseStarted: false } },
      { route: 'refuse', code: 'host_not_allowed', reason: 'not_replayable' },
    ],
    [
      'retry under tunnel-only',
      { policy: 'tunnel-only', previous: { code: 'peer_gone', responseStarted: false } },
      { route: 'refuse', code: 'peer_gone', reason: 'tunnel_only' },
    ],
  ];

  it.each(cases)('%s', (_name, query, expected) => {
    expect(decideRoute({ ...base, ...query })).toEqual(expected);
  });
});
