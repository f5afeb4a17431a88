import type { PeerInfo } from '@pasarela/shared';
import { describe, expect, it } from 'vitest';
import { composeStatus, peerViewOf, primaryPeer, shownPeer } from '../../../src/tunnel/index.js';
import type { StatusInput } from '../../../src/tunnel/index.js';

const PEER: PeerInfo = {
  peerId: 'p-1',
  state: 'active',
  health: 'healthy',
  rttMs: 40,
  legs: { websocket: { status: 'ok' }, download: { status: 'ok' }, upload: { status: 'ok' } },
  userAgent: 'Chrome',
  connectedAt: 1,
};

const ALL_TUNNEL = { websocket: 'tunnel', download: 'tunnel', upload: 'tunnel' } as const;
const ALL_DIRECT = { websocket: 'direct', download: 'direct', upload: 'direct' } as const;

const protectedInput: StatusInput = {
  now: 1_000,
  session: 'connected',
  policy: 'prefer-tunnel',
  routes: ALL_TUNNEL,
  leaks: 0,
  link: { status: 'open', problem: null, since: 1 },
  peer: PEER,
  unfit: null,
  websocketRefused: false,
  waiting: null,
};

function status(over: Partial<StatusInput>) {
  const result = composeStatus({ ...protectedInput, ...over });
  return { protected: result.protected, reason: result.reason };
}

describe('the tenant status every page shows', () => {
  it('claims protection only with every leg on the tunnel and no leak', () => {
    expect(composeStatus(protectedInput)).toEqual({
      session: 'connected',
      policy: 'prefer-tunnel',
      routes: ALL_TUNNEL,
      protected: true,
      leaks: 0,
      reason: null,
      updatedAt: 1_000,
      peer: { peerId: 'p-1', state: 'active', health: 'healthy', rttMs: 40, slow: false },
    });
  });

  it.each([
    ['a leak', { leaks: 2 }, '2 direct connections to WhatsApp while the tunnel was up'],
    [
      'the direct policy',
      { policy: 'direct' as const, routes: ALL_DIRECT },
      'policy is direct: the server route is in use',
    ],
    [
      'no room configured',
      { link: null, routes: ALL_DIRECT },
      'no room is configured: the server route is in use',
    ],
    [
      'a refused room port',
      {
        link: {
          status: 'down' as const,
          problem: { code: 'ECONNREFUSED', reason: 'room unreachable' },
          since: 1,
        },
        routes: ALL_DIRECT,
      },
      'room unreachable (ECONNREFUSED)',
    ],
    ['no peer', { peer: null, routes: ALL_DIRECT }, 'no peer connected'],
    [
      'a paused page',
      { peer: { ...PEER, state: 'paused' as const }, routes: ALL_DIRECT },
      'relaying paused by staff',
    ],
    [
      'a degraded peer',
      { peer: { ...PEER, health: 'degraded' as const }, routes: ALL_DIRECT },
      'peer degraded',
    ],
    [
      'an unfit tunnel',
      { unfit: 'round trip too high (p95 3200 ms)', routes: ALL_DIRECT },
      'round trip too high (p95 3200 ms)',
    ],
    [
      'a WebSocket WhatsApp refused for the page',
      { websocketRefused: true, routes: { ...ALL_TUNNEL, websocket: 'direct' as const } },
      "websocket leg unavailable: WhatsApp refused the page's WebSocket",
    ],
    [
      'an upload leg the page cannot serve',
      {
        peer: {
          ...PEER,
          legs: {
            ...PEER.legs,
            upload: { status: 'unavailable' as const, reason: 'browser_cors' },
          },
        },
        routes: { ...ALL_TUNNEL, upload: 'direct' as const },
      },
      'upload leg unavailable: browser_cors',
    ],
    [
      'a WebSocket waiting out the hysteresis',
      {
        routes: { ...ALL_TUNNEL, websocket: 'direct' as const },
        waiting: 'the peer has not been ready long enough',
      },
      'WebSocket still direct: the peer has not been ready long enough',
    ],
    [
      'no WebSocket open',
      { routes: { ...ALL_TUNNEL, websocket: 'none' as const } },
      'WebSocket not open',
    ],
  ] as const)('is not protected with %s', (_name, over, reason) => {
    expect(status(over as Partial<StatusInput>)).toEqual({ protected: false, reason });
  });
});

describe('the primary peer every page is told of', () => {
  const peerOf = (over: Partial<StatusInput>) => composeStatus({ ...protectedInput, ...over }).peer;

  it('is the primary as the room reported it, paused or not', () => {
    expect(peerOf({ peer: { ...PEER, state: 'paused', rttMs: null } })).toEqual({
      peerId: 'p-1',
      state: 'paused',
      health: 'healthy',
      rttMs: null,
      slow: false,
    });
  });

  it('shows as degraded and slow while the worker holds the tunnel unfit', () => {
    expect(peerOf({ unfit: 'round trip too high (p95 3200 ms)' })).toEqual({
      peerId: 'p-1',
      state: 'active',
      health: 'degraded',
      rttMs: 40,
      slow: true,
    });
    expect(
      peerOf({ unfit: 'WhatsApp went silent over the tunnel', peer: { ...PEER, health: 'gone' } }),
    ).toMatchObject({ health: 'gone', slow: true });
  });

  it('is null without a primary, without a room, and while the room link is not open', () => {
    expect(peerOf({ peer: null })).toBeNull();
    expect(peerOf({ link: null })).toBeNull();
    expect(
      peerOf({
        link: { status: 'down', problem: { code: 'ECONNREFUSED', reason: 'x' }, since: 1 },
      }),
    ).toBeNull();
  });
});

describe('the peer the route decision sees', () => {
  it('is the primary of the presence', () => {
    expect(primaryPeer({ primary: 'p-1', peers: [PEER] })).toBe(PEER);
    expect(primaryPeer({ primary: null, peers: [PEER] })).toBeNull();
    expect(primaryPeer(null)).toBeNull();
  });

  it('is not a paused peer, which the status and events still speak of', () => {
    const paused = { ...PEER, state: 'paused' as const };
    expect(primaryPeer({ primary: null, peers: [paused] })).toBeNull();
    expect(shownPeer({ primary: null, peers: [paused] })).toBe(paused);
    expect(
      shownPeer({ primary: 'p-1', peers: [paused, { ...PEER, peerId: 'p-1' }] }),
    ).toMatchObject({ peerId: 'p-1' });
    expect(shownPeer({ primary: null, peers: [PEER] })).toBeNull();
  });

  it(
    'counts as degraded while the tunnel is unfit, ' +
      'and keeps the WebSocket leg off once refused',
    () => {
      expect(peerViewOf(PEER, { unfit: true, websocketRefused: false })).toMatchObject({
        health: 'degraded',
      });
      expect(peerViewOf(PEER, { unfit: false, websocketRefused: true })?.legs).toEqual({
        ...PEER.legs,
        websocket: { status: 'unavailable' },
      });
      expect(peerViewOf(null, { unfit: false, websocketRefused: false })).toBeNull();
    },
  );
});
