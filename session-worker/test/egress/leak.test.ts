import { describe, expect, it } from 'vitest';
import { isLeak } from '../../src/egress/index.js';
import type { LeakQuery, PeerView } from '../../src/egress/index.js';

const READY: PeerView = {
  health: 'healthy',
  state: 'active',
  legs: {
    websocket: { status: 'ok' },
    download: { status: 'ok' },
    upload: { status: 'unavailable' },
  },
};

const directToWhatsApp: LeakQuery = {
  route: 'direct',
  whatsapp: true,
  policy: 'prefer-tunnel',
  peer: READY,
  leg: 'websocket',
  reason: 'no_peer',
};

describe('the leak rule', () => {
  it.each<[string, Partial<LeakQuery>, boolean]>([
    ['direct to WhatsApp while policy and a ready peer say tunnel', {}, true],
    ['the same under tunnel-only', { policy: 'tunnel-only' }, true],
    ['the same for a download', { leg: 'download' }, true],
    ['the same when the decision claimed the peer was absent', { reason: 'no_peer' }, true],
    ['a direct fallback after the tunnel failed', { reason: 'tunnel_failed' }, false],
    ['a request no page could carry', { reason: 'not_relayable' }, false],
    ['over the tunnel', { route: 'tunnel' }, false],
    ['refused, nothing opened', { route: null }, false],
    ['to a host that is not WhatsApp’s', { whatsapp: false }, false],
    ['under the direct policy', { policy: 'direct' }, false],
    ['with no peer', { peer: null }, false],
    ['with a degraded peer', { peer: { ...READY, health: 'degraded' } }, false],
    ['with a paused peer', { peer: { ...READY, state: 'paused' } }, false],
    ['on a leg the peer cannot serve', { leg: 'upload' }, false],
    ['without a tenant (seen by a guard)', { policy: null, leg: null, peer: null }, false],
  ])('%s → %s', (_name, change, expected) => {
    expect(isLeak({ ...directToWhatsApp, ...change })).toBe(expected);
  });
});
