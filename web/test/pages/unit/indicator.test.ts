import { describe, expect, it } from 'vitest';
import { protectionOf } from '../../../src/pages/ui/indicator.js';
import type { IndicatorInput, Protection } from '../../../src/pages/ui/indicator.js';
import {
  ALL_DIRECT,
  HEALTHY_PEER,
  input,
  LEGS_OK,
  LEGS_UNPROBED,
  status,
  UNPROTECTED,
} from './fixtures.js';

type Expected = Pick<Protection, 'state' | 'cause' | 'meanwhile'> & Partial<Protection['flags']>;

const NO_FLAGS = { leaks: 0, unservable: [], paused: false, waitingForTab: false };

const CASES: [string, IndicatorInput, Expected][] = [
  [
    'staff have not agreed yet',
    input({ joined: false, link: null, state: null, legs: null, status: null }),
    { state: 'server', cause: 'not-joined', meanwhile: null },
  ],
  [
    'the link to the room is down',
    input({ link: 'connecting' }),
    { state: 'reconnecting', cause: 'room-link', meanwhile: 'server' },
  ],
  [
    'the link is down under tunnel-only',
    input({ link: 'offline', status: status({ policy: 'tunnel-only' }) }),
    { state: 'reconnecting', cause: 'room-link', meanwhile: 'waiting' },
  ],
  [
    'joined, but the worker has said nothing yet',
    input({ status: null }),
    { state: 'reconnecting', cause: 'no-word', meanwhile: 'server' },
  ],
  [
    'every leg through the tunnel, a healthy peer',
    input(),
    { state: 'protected', cause: 'tunnel', meanwhile: null },
  ],
  [
    'protected, but the room finds the peer degraded',
    input({ status: status({ peer: { ...HEALTHY_PEER, health: 'degraded', rttMs: 1800 } }) }),
    { state: 'latency', cause: 'slow-peer', meanwhile: null },
  ],
  [
    'protected, but the worker finds the round trip slow',
    input({ status: status({ peer: { ...HEALTHY_PEER, slow: true } }) }),
    { state: 'latency', cause: 'slow-peer', meanwhile: null },
  ],
  [
    'a degraded peer the worker moved away from',
    input({
      status: status({
        ...UNPROTECTED,
        routes: ALL_DIRECT,
        peer: { ...HEALTHY_PEER, health: 'degraded' },
      }),
    }),
    { state: 'latency', cause: 'slow-peer', meanwhile: 'server' },
  ],
  [
    'the operator set the tenant to direct',
    input({ status: status({ ...UNPROTECTED, policy: 'direct', routes: ALL_DIRECT }) }),
    { state: 'server', cause: 'policy-direct', meanwhile: 'server' },
  ],
  [
    'a leak, with every leg on the tunnel',
    input({ status: status({ ...UNPROTECTED, leaks: 2 }) }),
    { state: 'server', cause: 'leak', meanwhile: null, leaks: 2 },
  ],
  [
    'no peer under prefer-tunnel',
    input({ state: 'paused', status: status({ ...UNPROTECTED, routes: ALL_DIRECT, peer: null }) }),
    { state: 'server', cause: 'no-peer', meanwhile: 'server', paused: true },
  ],
  [
    'no peer under tunnel-only: WhatsApp waits for a tab',
    input({
      state: 'paused',
      status: status({
        ...UNPROTECTED,
        policy: 'tunnel-only',
        routes: { websocket: 'none', download: 'none', upload: 'none' },
        peer: null,
      }),
    }),
    { state: 'server', cause: 'no-peer', meanwhile: 'waiting', paused: true, waitingForTab: true },
  ],
  [
    'no peer under prefer-tunnel while the session is between sockets',
    input({
      status: status({
        ...UNPROTECTED,
        routes: { websocket: 'none', download: 'direct', upload: 'direct' },
        peer: null,
      }),
    }),
    { state: 'server', cause: 'no-peer', meanwhile: 'waiting' },
  ],
  [
    'paused here while another browser protects',
    input({ state: 'paused' }),
    { state: 'protected', cause: 'tunnel', meanwhile: null, paused: true },
  ],
  [
    'the primary named in the status is paused',
    input({
      status: status({
        ...UNPROTECTED,
        routes: ALL_DIRECT,
        peer: { ...HEALTHY_PEER, state: 'paused' },
      }),
    }),
    { state: 'server', cause: 'no-peer', meanwhile: 'server' },
  ],
  [
    'the primary named in the status is gone',
    input({
      status: status({
        ...UNPROTECTED,
        routes: ALL_DIRECT,
        peer: { ...HEALTHY_PEER, health: 'gone' },
      }),
    }),
    { state: 'server', cause: 'no-peer', meanwhile: 'server' },
  ],
  [
    'WhatsApp refused this browser the WebSocket',
    input({
      legs: { ...LEGS_OK, websocket: { status: 'unavailable', reason: 'upstream_refused' } },
      status: status({ ...UNPROTECTED, routes: { ...status().routes, websocket: 'direct' } }),
    }),
    { state: 'server', cause: 'leg', meanwhile: 'server', unservable: ['websocket'] },
  ],
  [
    'this browser is still probing its legs',
    input({ legs: LEGS_UNPROBED, status: status({ ...UNPROTECTED, routes: ALL_DIRECT }) }),
    { state: 'reconnecting', cause: 'probing', meanwhile: 'server' },
  ],
  [
    'a ready peer the WebSocket has not moved onto yet',
    input({ status: status({ ...UNPROTECTED, routes: ALL_DIRECT }) }),
    { state: 'reconnecting', cause: 'moving', meanwhile: 'server' },
  ],
  [
    'a newly joined peer the room has not pinged yet',
    input({
      status: status({
        ...UNPROTECTED,
        routes: ALL_DIRECT,
        peer: { ...HEALTHY_PEER, health: 'unknown' },
      }),
    }),
    { state: 'reconnecting', cause: 'moving', meanwhile: 'server' },
  ],
  [
    'the WebSocket through the tunnel, uploads through the server',
    input({ status: status({ ...UNPROTECTED, routes: { ...status().routes, upload: 'direct' } }) }),
    { state: 'server', cause: 'partial', meanwhile: null },
  ],
];

describe('the protection indicator', () => {
  it.each(CASES)('%s', (_name, given, expected) => {
    const protection = protectionOf(given);
    const { state, cause, meanwhile, ...flags } = expected;
    expect({
      state: protection.state,
      cause: protection.cause,
      meanwhile: protection.meanwhile,
    }).toEqual({
      state,
      cause,
      meanwhile,
    });
    expect(protection.flags).toEqual({ ...NO_FLAGS, ...flags });
  });

  it('shows no routes, session or round trip from a status heard before the link dropped', () => {
    expect(protectionOf(input({ link: 'connecting' }))).toMatchObject({
      routes: null,
      session: null,
      rttMs: null,
      policy: 'prefer-tunnel',
    });
  });

  it("shows the routes, session and primary's round trip from a fresh status", () => {
    expect(protectionOf(input())).toMatchObject({
      routes: { websocket: 'tunnel', download: 'tunnel', upload: 'tunnel' },
      session: 'connected',
      rttMs: 40,
    });
  });
});

describe('the indicator with a worker that does not name the primary peer', () => {
  const older = (overrides: Parameters<typeof status>[0]) => {
    const body = status(overrides);
    delete body.peer;
    return body;
  };

  it('takes a protected tenant as protected', () => {
    expect(protectionOf(input({ status: older({}) }))).toMatchObject({ state: 'protected' });
  });

  it('takes an active browser on a direct route as a move to come', () => {
    const given = input({ status: older({ ...UNPROTECTED, routes: ALL_DIRECT }) });
    expect(protectionOf(given)).toMatchObject({ state: 'reconnecting', cause: 'moving' });
  });

  it('takes a paused browser on a direct route as nobody relaying', () => {
    const given = input({ state: 'paused', status: older({ ...UNPROTECTED, routes: ALL_DIRECT }) });
    expect(protectionOf(given)).toMatchObject({ state: 'server', cause: 'no-peer' });
  });
});
