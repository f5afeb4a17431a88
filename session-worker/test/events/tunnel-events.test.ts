import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { publishTunnelEvents, TUNNEL_EVENT_TYPES } from '../../src/events/tunnel-events.js';
import type { TunnelEvents } from '../../src/tunnel/index.js';

function recordingHub() {
  const published: [string, string | null, unknown][] = [];
  return {
    published,
    publish: async (type: string, tenant: string | null, data: unknown) => {
      published.push([type, tenant, data]);
      return undefined;
    },
  };
}

describe('the tunnel events on SSE and webhooks', () => {
  it('publishes each under its registered type, the tenant on the envelope', () => {
    const events = new EventEmitter<TunnelEvents>();
    const hub = recordingHub();
    publishTunnelEvents(events, hub);
    events.emit('tunnel.connected', { tenant: 't1', at: 1, peerId: 'p-1', userAgent: 'Chrome' });
    events.emit('tunnel.unhealthy', { tenant: 't1', at: 2, reason: 'paused by staff' });
    events.emit('tunnel.disconnected', {
      tenant: 't1',
      at: 3,
      reason: 'room unreachable',
      code: 'ECONNREFUSED',
    });
    events.emit('route.changed', {
      tenant: 't1',
      at: 4,
      leg: 'websocket',
      from: 'tunnel',
      to: 'direct',
      reason: 'tunnel_lost',
      controlled: true,
    });
    events.emit('tunnel.leak', {
      tenant: 't1',
      at: 5,
      record: {
        seq: 9,
        at: 5,
        tenant: 't1',
        source: 'agent',
        host: 'mmg.whatsapp.net',
        port: 443,
        leg: 'download',
        route: 'direct',
        reason: 'no_peer',
        refused: null,
        policy: 'prefer-tunnel',
        peer: 'ready',
        whatsapp: true,
        leak: true,
      },
    });
    expect(hub.published).toEqual([
      ['tunnel.connected', 't1', { peerId: 'p-1', userAgent: 'Chrome' }],
      ['tunnel.unhealthy', 't1', { reason: 'paused by staff' }],
      ['tunnel.disconnected', 't1', { reason: 'room unreachable', code: 'ECONNREFUSED' }],
      [
        'route.changed',
        't1',
        { leg: 'websocket', from: 'tunnel', to: 'direct', reason: 'tunnel_lost', controlled: true },
      ],
      [
        'tunnel.leak',
        't1',
        {
          host: 'mmg.whatsapp.net',
          port: 443,
          leg: 'download',
          source: 'agent',
          reason: 'no_peer',
          policy: 'prefer-tunnel',
        },
      ],
    ]);
    expect(TUNNEL_EVENT_TYPES.map((spec) => spec.type)).toEqual([
      'tunnel.connected',
      'tunnel.disconnected',
      'tunnel.unhealthy',
      'route.changed',
      'tunnel.leak',
    ]);
  });

  it('leaves the status frames and room link states to the room, and stops when told', () => {
    const events = new EventEmitter<TunnelEvents>();
    const hub = recordingHub();
    const stop = publishTunnelEvents(events, hub);
    events.emit('room.state', {
      tenant: 't1',
      state: { status: 'open', problem: null, since: 1 },
    });
    stop();
    events.emit('tunnel.unhealthy', { tenant: 't1', at: 2, reason: 'peer degraded' });
    expect(hub.published).toEqual([]);
    expect(events.listenerCount('tunnel.unhealthy')).toBe(0);
  });
});
